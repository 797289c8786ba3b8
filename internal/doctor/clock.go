package doctor

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// minYear: a workstation clock before this year is wrong (certificates and one-time codes
// would fail in confusing ways).
const minYear = 2025

// Clock skew with the portal: warn above skewWarn, fail above skewFail (TLS and one-time
// codes tolerate a few minutes at most).
const (
	skewWarn = 30 * time.Second
	skewFail = 2 * time.Minute
)

const clockFix = "L'horloge du poste est fausse. Réglez la date et l'heure (synchronisation automatique : sudo timedatectl set-ntp true ; sous Windows : Paramètres › Heure › Synchroniser)."

func checkClock(now time.Time) Check {
	c := Check{Name: "clock", Title: "System clock", Detail: now.UTC().Format(time.RFC3339)}
	if now.Year() < minYear {
		c.Status, c.Fix = Fail, clockFix
		c.Detail += fmt.Sprintf(" (year before %d)", minYear)
		return c
	}
	c.Status = OK
	return c
}

// checkPortalClock compares the clock with the portal's Date header, when a portal is set.
func checkPortalClock(ctx context.Context, cfg Config) Check {
	c := Check{Name: "portal-clock", Title: "Clock against the portal"}
	if cfg.PortalURL == "" {
		c.Status, c.Detail = Skip, "not configured (no portal URL)"
		return c
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, cfg.PortalURL, nil)
	if err != nil {
		c.Status, c.Detail = Fail, "bad portal URL: "+err.Error()
		c.Fix = "L'adresse du portail configurée est invalide. Contactez le support informatique."
		return c
	}
	sent := cfg.Now()
	resp, err := cfg.HTTP.Do(req)
	if err != nil {
		c.Status, c.Detail = Warn, "portal unreachable: "+err.Error()
		c.Fix = "Le portail ne répond pas : l'heure n'a pas pu être comparée. Vérifiez la connexion réseau."
		return c
	}
	resp.Body.Close()
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		c.Status, c.Detail = Warn, "portal sent no usable Date header"
		c.Fix = "Le portail n'indique pas son heure : la comparaison est impossible. Contactez le support informatique."
		return c
	}
	// Date has a one-second resolution: compare with the middle of the request.
	local := sent.Add(cfg.Now().Sub(sent) / 2)
	skew := local.Sub(date)
	c.Detail = fmt.Sprintf("workstation %s, portal %s (skew %s)", local.UTC().Format(time.RFC3339), date.UTC().Format(time.RFC3339), skew.Round(time.Second))
	abs := skew.Abs()
	switch {
	case abs > skewFail:
		c.Status, c.Fix = Fail, clockFix
	case abs > skewWarn:
		c.Status, c.Fix = Warn, clockFix
	default:
		c.Status = OK
	}
	return c
}
