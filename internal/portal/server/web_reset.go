package server

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/api"
)

// The e-mailed recovery link opens a page of the portal (docs/auth.md, "The link's web
// page"): server-rendered French HTML, no script, no external asset, a strict CSP. The link
// carries the token as ?jeton=; the page moves it at once into an HttpOnly cookie and
// redirects to the bare path, so that the token leaves the address bar, the history and any
// Referer. The form posts the new password to the same path; the same checks as
// POST /v1/recovery/reset apply (they are the same code).

// ResetPagePath is the path of the recovery link's page.
const ResetPagePath = "/reinitialisation"

const (
	resetCookie = "cpx_reinitialisation"
	resetCSS    = ResetPagePath + "/style.css"
	resetResend = ResetPagePath + "/renvoi"
	// resetCSP lets the page load its own style sheet and post its own forms, nothing else.
	resetCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
		"frame-ancestors 'none'; base-uri 'none'"
)

// ResetLinkPrefix is the auth link_url of a portal reached at base ("https://portail.example"):
// the e-mailed link is this prefix followed by the token.
func ResetLinkPrefix(base string) string {
	return strings.TrimRight(base, "/") + ResetPagePath + "?jeton="
}

var (
	//go:embed web/reset.html
	resetHTML string
	//go:embed web/reset.css
	resetStyle []byte
	resetTmpl  = template.Must(template.New("reset").Parse(resetHTML))
)

// resetView fills web/reset.html.
type resetView struct {
	Service, Title, CSS string
	Done, Error         string
	Broken, Paras       []string
	Form                bool
	Action, Identifiant string
	Validity            string
	Rules               []string
	Resend              bool
	ResendAction        string
	status              int
}

func (s *Server) registerResetPage() {
	page := func(pattern string, h http.HandlerFunc) {
		s.Handle(pattern, s.limited(pattern, h))
	}
	page("GET "+ResetPagePath, s.resetPage)
	page("POST "+ResetPagePath, s.resetSubmit)
	page("POST "+resetResend, s.resetResendLink)
	s.Handle("GET "+resetCSS, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w)
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(resetStyle)
	}))
}

// pageHeaders are the security headers of every answer of the page.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", resetCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

func (s *Server) render(w http.ResponseWriter, v resetView) {
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	v.Service, v.CSS, v.Action, v.ResendAction = s.opts.Auth.Service, resetCSS, ResetPagePath, resetResend
	if v.Service == "" {
		v.Service = "SI-SAMU"
	}
	if v.status == 0 {
		v.status = http.StatusOK
	}
	w.WriteHeader(v.status)
	if err := resetTmpl.ExecuteTemplate(w, "page", v); err != nil {
		s.log.Error("reset page", "err", err)
	}
}

// setResetCookie keeps the link's token for the page (max < 0 removes it).
func (s *Server) setResetCookie(w http.ResponseWriter, tok string, max int) {
	http.SetCookie(w, &http.Cookie{Name: resetCookie, Value: tok, Path: ResetPagePath, MaxAge: max,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func resetToken(r *http.Request) string {
	c, err := r.Cookie(resetCookie)
	if err != nil || len(c.Value) > 128 {
		return ""
	}
	return c.Value
}

// resetPage: GET /reinitialisation[?jeton=…].
func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		if tok := r.URL.Query().Get("jeton"); tok != "" && len(tok) <= 128 {
			s.setResetCookie(w, tok, int((s.opts.Auth.LinkTTL + linkResendWindow).Seconds()))
		}
		pageHeaders(w)
		http.Redirect(w, r, ResetPagePath, http.StatusSeeOther)
		return
	}
	s.render(w, s.linkView(r, resetToken(r)))
}

// linkView is the page for the link of tok: the form while it is usable, else why not.
func (s *Server) linkView(r *http.Request, tok string) resetView {
	ttl := int(s.opts.Auth.LinkTTL / time.Minute)
	if tok == "" {
		return resetView{status: http.StatusBadRequest, Title: "Lien incomplet", Paras: []string{
			"Ouvrez le lien reçu par courriel dans ce navigateur. S'il ne s'ouvre pas, copiez-le en entier dans la barre d'adresse."}}
	}
	l, e := s.readLink(r.Context(), tok)
	now := s.st.Now()
	switch {
	case e == nil:
		info, e := s.linkInfo(r, api.LinkRequest{Token: tok})
		if e != nil {
			return resetView{status: e.Status, Title: "Erreur", Error: e.Message}
		}
		return resetView{Title: "Définir un nouveau mot de passe", Form: true, Identifiant: info.Identifiant,
			Rules: s.policyRules(), Validity: fmt.Sprintf("Ce lien a une durée de validité de %d minutes : il est valable jusqu'à %s.",
				ttl, info.ExpiresAt.Local().Format("15 h 04"))}
	case l.UserID == "":
		return resetView{status: http.StatusGone, Title: "Lien non valide", Paras: []string{
			"Ce lien n'est pas valide. Vérifiez que vous avez ouvert le lien en entier, ou recommencez la procédure « Mot de passe oublié ? »."}}
	case !l.UsedAt.IsZero():
		return resetView{status: http.StatusGone, Title: "Lien déjà utilisé", Paras: []string{
			"Ce lien a déjà servi ou a été remplacé : le mot de passe a été modifié depuis, ou un lien plus récent a été envoyé.",
			"Utilisez le lien du dernier courriel reçu, ou recommencez la procédure « Mot de passe oublié ? »."}}
	case linkResendable(l, now):
		return resetView{status: http.StatusGone, Title: "Lien expiré", Resend: true, Paras: []string{
			fmt.Sprintf("Ce lien avait une durée de validité de %d minutes : il a expiré.", ttl),
			fmt.Sprintf("Vous pouvez recevoir un nouveau lien, d'une durée de validité de %d minutes également, à l'adresse électronique de votre compte.", ttl)}}
	}
	return resetView{status: http.StatusGone, Title: "Lien expiré", Paras: []string{
		"Ce lien a expiré depuis trop longtemps pour être renouvelé. Recommencez la procédure « Mot de passe oublié ? »."}}
}

// policyRules lists the policy for the form, as the portal checks it.
func (s *Server) policyRules() []string {
	p := s.opts.Auth.Password.Policy
	var out []string
	for _, r := range p.Rules() {
		out = append(out, r.LabelFR)
	}
	if p.RefusePersonal {
		out = append(out, "Ne contient ni votre identifiant, ni votre nom, ni votre prénom")
	}
	return append(out, "Différent de votre mot de passe actuel")
}

// sameOrigin refuses a form posted from another site (the SameSite cookie already keeps the
// token out of such a post; this says so plainly). Under Referrer-Policy: no-referrer the
// browser sends "Origin: null" for the page's own posts: Sec-Fetch-Site tells then.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	}
	o := r.Header.Get("Origin")
	return o == "" || o == "null" || o == "https://"+r.Host
}

// resetSubmit: POST /reinitialisation — nouveau, confirmation.
func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) {
	tok := resetToken(r)
	if !sameOrigin(r) {
		s.render(w, resetView{status: http.StatusForbidden, Title: "Requête refusée",
			Paras: []string{"Ce formulaire doit être envoyé depuis la page du lien reçu par courriel."}})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil || tok == "" {
		s.render(w, s.linkView(r, tok))
		return
	}
	req := api.ResetPasswordRequest{Token: tok, New: r.PostForm.Get("nouveau"), Confirm: r.PostForm.Get("confirmation")}
	_, e := s.resetPassword(r, req)
	switch {
	case e == nil:
		s.setResetCookie(w, "", -1)
		s.render(w, resetView{Title: "Mot de passe modifié", Done: "Votre mot de passe a été modifié", Paras: []string{
			"Vous pouvez maintenant vous connecter avec votre identifiant et votre nouveau mot de passe.",
			"Un courriel de confirmation a été envoyé à l'adresse de votre compte."}})
	case e.Code == api.CodeLinkInvalid:
		s.render(w, s.linkView(r, tok))
	default:
		v := s.linkView(r, tok)
		v.status, v.Error, v.Broken = http.StatusUnprocessableEntity, e.Message, brokenRules(e)
		s.render(w, v)
	}
}

// brokenRules lists the rules a refused password breaks (api.Error.Details), in a stable order.
func brokenRules(e *api.Error) []string {
	out := make([]string, 0, len(e.Details))
	for _, m := range e.Details {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// resetResendLink: POST /reinitialisation/renvoi — a fresh link for an expired one, sent to
// the account's own address (POST /v1/recovery/link/resend).
func (s *Server) resetResendLink(w http.ResponseWriter, r *http.Request) {
	tok := resetToken(r)
	if !sameOrigin(r) || tok == "" {
		s.render(w, s.linkView(r, ""))
		return
	}
	s.linkResend(r, api.LinkRequest{Token: tok})
	s.setResetCookie(w, "", -1)
	ttl := int(s.opts.Auth.LinkTTL / time.Minute)
	s.render(w, resetView{Title: "Nouveau lien envoyé", Done: "Un nouveau lien vous a été envoyé", Paras: []string{
		fmt.Sprintf("Un nouveau lien, d'une durée de validité de %d minutes, a été envoyé à l'adresse électronique de votre compte.", ttl),
		"Ouvrez le dernier courriel reçu. Si vous ne le recevez pas, vérifiez vos indésirables."}})
}
