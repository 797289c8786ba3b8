package pscsim

import (
	"html/template"
	"net/http"
	"time"
)

// pageHead and pageFoot frame the simulator's pages (French, readable on a phone, no JS).
func pageHead(title string, head ...string) string {
	extra := ""
	for _, h := range head {
		extra += h
	}
	return `<!doctype html><html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>` + template.HTMLEscapeString(title) + `</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:1rem auto;padding:0 1rem;color:#1e1e1e}
.push{border:1px solid #999;border-radius:1rem;padding:1rem;margin:1rem 0}
.code{font-size:4rem;font-weight:bold;text-align:center;letter-spacing:.5rem;margin:.5rem 0}
button{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:.5rem;border:0;background:#000091;color:#fff}
button.secondary{background:#fff;color:#000091;border:1px solid #000091}
input{font-size:1.1rem;width:100%;box-sizing:border-box;padding:.4rem}
fieldset{margin:1rem 0}.error{color:#ce0500;font-weight:bold}.note{color:#666}</style>` + extra + `</head><body>`
}

const pageFoot = `</body></html>`

var phoneTmpl = template.Must(template.New("phone").Parse(`
<h1>e-CPS (simulateur)</h1>
{{if .Done}}<p role="status" id="fait">{{.Done}}</p>{{end}}
{{range .Pushes}}<section class="push" id="push-{{.BindingCode}}">
<h2>Demande de connexion</h2>
<p>{{.Name}} — {{.NationalID}}<br>Service : {{.ClientID}}<br>Canal : {{.Channel}} · expire dans {{.Left}} s</p>
<p>Vérifiez que ce code s'affiche sur votre poste :</p>
<p class="code" aria-label="code {{.BindingCode}}">{{.BindingCode}}</p>
<form method="post" action="{{$.Base}}/{{.AuthReqID}}">
<button type="submit" name="reponse" value="approuver">Approuver</button>
<button type="submit" name="reponse" value="refuser" class="secondary">Refuser</button>
</form></section>
{{else}}<p>Aucune demande en attente.</p>{{end}}
<p class="note">Cette page se met à jour toutes les 2 secondes.</p>`))

type phonePush struct {
	Push
	Name string
	Left int
}

func (s *Server) phoneRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PhonePath, s.phonePage)
	mux.HandleFunc("POST "+PhonePath+"/{id}", s.phoneAnswer)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, PhonePath, http.StatusSeeOther)
	})
}

// phonePage shows the pending pushes as the e-CPS app would, optionally for one holder
// (?national_id=…).
func (s *Server) phonePage(w http.ResponseWriter, r *http.Request) {
	only := r.URL.Query().Get("national_id")
	var list []phonePush
	for _, p := range s.Pending() {
		if only != "" && p.NationalID != only {
			continue
		}
		u := s.users.byID[p.NationalID]
		list = append(list, phonePush{Push: p, Name: u.str("given_name") + " " + u.str("family_name"),
			Left: int(time.Until(p.Expires).Seconds())})
	}
	done := map[string]string{"approuvee": "Demande approuvée.", "refusee": "Demande refusée.",
		"perimee": "Cette demande a expiré ou a déjà reçu une réponse."}[r.URL.Query().Get("fait")]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(pageHead("e-CPS — simulateur", `<meta http-equiv="refresh" content="2">`))) //nolint:errcheck
	phoneTmpl.Execute(w, struct {                                                              //nolint:errcheck // the client went away
		Pushes []phonePush
		Done   string
		Base   string
	}{list, done, PhonePath})
	w.Write([]byte(pageFoot)) //nolint:errcheck
}

// phoneAnswer takes the Approuver / Refuser buttons.
func (s *Server) phoneAnswer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var err error
	done := "approuvee"
	switch r.PostFormValue("reponse") {
	case "approuver":
		err = s.Approve(id)
	case "refuser":
		err, done = s.Deny(id), "refusee"
	default:
		http.Error(w, "Réponse inconnue : approuver ou refuser.", http.StatusBadRequest)
		return
	}
	if err != nil {
		done = "perimee"
	}
	http.Redirect(w, r, PhonePath+"?fait="+done, http.StatusSeeOther)
}
