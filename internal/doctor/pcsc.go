package doctor

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/cpx-agent/cpx-agent/internal/card"
)

// readers is card.Readers, replaced in unit tests.
var readers = card.Readers

type pcscResult struct {
	checks      []Check
	cardReaders []string // readers holding a CPx card (for the token check)
}

func checkPCSC(only string) pcscResult {
	var res pcscResult
	list, err := readers()
	if err != nil {
		res.checks = append(res.checks, Check{Name: "pcscd", Title: "PC/SC service", Status: Fail,
			Detail: err.Error(), Fix: pcscdFix()})
		return res
	}
	res.checks = append(res.checks, Check{Name: "pcscd", Title: "PC/SC service", Status: OK, Detail: "reachable"})
	if only != "" {
		list = keep(list, only)
	}
	if len(list) == 0 {
		detail := "no reader"
		if only != "" {
			detail = fmt.Sprintf("reader %q not found", only)
		}
		res.checks = append(res.checks, Check{Name: "readers", Title: "Smart-card readers", Status: Fail, Detail: detail,
			Fix: "Aucun lecteur de carte n'est détecté. Branchez le lecteur (ou essayez un autre port USB), puis relancez le diagnostic."})
		return res
	}
	names := make([]string, len(list))
	for i, r := range list {
		names[i] = r.Name
	}
	res.checks = append(res.checks, Check{Name: "readers", Title: "Smart-card readers", Status: OK,
		Detail: fmt.Sprintf("%d: %s", len(list), strings.Join(names, ", "))})
	c, cardReaders := cardCheck(list)
	res.checks, res.cardReaders = append(res.checks, c), cardReaders
	return res
}

func keep(list []card.ReaderStatus, name string) []card.ReaderStatus {
	for _, r := range list {
		if r.Name == name {
			return []card.ReaderStatus{r}
		}
	}
	return nil
}

// cardCheck: ok when a CPx card is in a reader; otherwise the most useful problem.
func cardCheck(list []card.ReaderStatus) (Check, []string) {
	c := Check{Name: "card", Title: "Card"}
	var known, details []string
	var blocked, mute, unknown bool
	for _, r := range list {
		switch {
		case errors.Is(r.Err, card.ErrSharingViolation):
			blocked = true
			details = append(details, fmt.Sprintf("%s: %v", r.Name, r.Err))
		case errors.Is(r.Err, card.ErrCardMute):
			mute = true
			details = append(details, fmt.Sprintf("%s: %v", r.Name, r.Err))
		case r.CardPresent && r.Card.Known:
			known = append(known, r.Name)
			details = append(details, fmt.Sprintf("%s: %s, ATR %s", r.Name, r.Card, card.FormatATR(r.ATR)))
		case r.CardPresent:
			unknown = true
			details = append(details, fmt.Sprintf("%s: not a CPx card, ATR %s", r.Name, card.FormatATR(r.ATR)))
		case r.Err != nil:
			details = append(details, fmt.Sprintf("%s: %v", r.Name, r.Err))
		}
	}
	c.Detail = strings.Join(details, "; ")
	switch {
	case len(known) > 0:
		c.Status = OK
	case blocked:
		c.Status, c.Fix = Fail, "La carte est utilisée en exclusivité par un autre programme. Fermez-le (ou arrêtez gsd-smartcard / scdaemon), puis réessayez."
	case mute:
		c.Status, c.Fix = Fail, "La carte ne répond pas. Retirez-la, vérifiez le sens d'insertion et la propreté de la puce, puis réinsérez-la."
	case unknown:
		c.Status, c.Fix = Warn, "La carte insérée n'est pas une carte CPx reconnue. Insérez votre carte CPS ou CPE."
	default:
		c.Status = Warn
		if c.Detail == "" {
			c.Detail = "no card in any reader"
		}
		c.Fix = "Aucune carte dans le lecteur. Insérez votre carte CPx, puce vers le haut et vers l'intérieur."
	}
	return c, known
}

func pcscdFix() string {
	if runtime.GOOS == "windows" {
		return "Le service Windows « Carte à puce » (SCardSvr) ne répond pas. Démarrez-le dans services.msc, ou branchez un lecteur (Windows l'arrête quand aucun lecteur n'est branché)."
	}
	return "Le service carte à puce (pcscd) ne répond pas. Démarrez-le : sudo systemctl start pcscd"
}
