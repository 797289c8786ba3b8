package pscsim

import (
	"html/template"
	"net/http"

	"github.com/luikyv/go-oidc/pkg/goidc"
)

// loginPolicy is the code flow's sign-in: a page where the holder gives a national id and
// the means (e-CPS app or card), or, under ApproveAuto/ApproveDeny with a known login_hint,
// an immediate answer (for tests that open the URL without a page to fill).
func (s *Server) loginPolicy() goidc.AuthnPolicy {
	setup := func(*http.Request, *goidc.AuthnSession, *goidc.Client) bool { return true }
	return goidc.NewPolicy("psc-login", setup, s.authenticate)
}

func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, as *goidc.AuthnSession, _ *goidc.Client) (goidc.Status, error) {
	if r.Method == http.MethodPost {
		switch r.PostFormValue("action") {
		case "cancel":
			return goidc.StatusFailure, goidc.NewError(goidc.ErrorCodeAccessDenied, "cancelled by the user")
		case "login":
			id, mode := r.PostFormValue("national_id"), r.PostFormValue("mode")
			if _, ok := s.users.byID[id]; !ok {
				return s.loginPage(w, as, id, "Identifiant national inconnu du simulateur : choisissez-en un dans la liste.")
			}
			if mode != "CARD" {
				mode = "MOBILE"
			}
			return s.signIn(as, id, mode), nil
		}
	}
	if _, known := s.users.byID[as.LoginHint]; known {
		switch s.Knobs().Approve {
		case ApproveAuto:
			return s.signIn(as, as.LoginHint, "MOBILE"), nil
		case ApproveDeny:
			return goidc.StatusFailure, goidc.NewError(goidc.ErrorCodeAccessDenied, "refused on the phone")
		}
	}
	return s.loginPage(w, as, as.LoginHint, "")
}

func (s *Server) signIn(as *goidc.AuthnSession, nationalID, mode string) goidc.Status {
	as.Subject = Sub(nationalID)
	as.Username = nationalID
	as.GrantedScopes = as.Scopes
	if as.Store == nil {
		as.Store = map[string]any{}
	}
	as.Store["authMode"] = mode
	s.log.Info("pscsim: browser sign-in", "national_id", nationalID, "mode", mode)
	return goidc.StatusSuccess
}

var loginTmpl = template.Must(template.New("login").Parse(`
<h1>Connexion avec Pro Santé Connect</h1>
<p class="note">Simulateur de test : aucune donnée réelle.</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<label for="national_id">Identifiant national (RPPS, ADELI, carte d'établissement…)</label>
<input id="national_id" name="national_id" value="{{.NationalID}}" list="ids" autocomplete="off" required autofocus>
<datalist id="ids">{{range .IDs}}<option value="{{.}}">{{end}}</datalist>
<fieldset><legend>Moyen d'authentification</legend>
<label><input type="radio" id="mode-mobile" name="mode" value="MOBILE" checked> Application e-CPS</label>
<label><input type="radio" id="mode-carte" name="mode" value="CARD"> Carte CPx</label>
</fieldset>
<button type="submit" id="se-connecter" name="action" value="login">Se connecter</button>
<button type="submit" id="annuler" name="action" value="cancel" formnovalidate class="secondary">Annuler</button>
</form>`))

func (s *Server) loginPage(w http.ResponseWriter, as *goidc.AuthnSession, id, msg string) (goidc.Status, error) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if msg != "" {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	data := struct {
		Action, NationalID, Error string
		IDs                       []string
	}{AuthorizePath + "/" + as.ID, id, msg, s.users.ids}
	if _, err := w.Write([]byte(pageHead("Connexion Pro Santé Connect"))); err != nil {
		return goidc.StatusFailure, err
	}
	if err := loginTmpl.Execute(w, data); err != nil {
		return goidc.StatusFailure, err
	}
	_, err := w.Write([]byte(pageFoot))
	return goidc.StatusPending, err
}
