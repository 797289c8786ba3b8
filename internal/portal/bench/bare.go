package bench

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/server"
)

// bareAnswer is what the bare server answers every card sign-in: the shape of an api.SignIn,
// so that the same client code reads it.
const bareAnswer = `{"token":"bare","session":{"id":"bare","method":"card","user":{"id":"bare"},"required_actions":[]}}`

// StartBare starts the floor of the card benchmark beside p: a net/http server on crypto/tls
// with the portal's certificate and TLS configuration (server.TLSConfig: the same RSA-2048
// mutual-TLS handshake, client certificate requested, no resumption), answering a fixed body
// without looking at the certificate or touching a database. Sign-ins against it (Closed with
// the returned Portal) measure what the handshake alone costs on this machine.
func StartBare(p *Portal) (*Portal, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{ReadHeaderTimeout: 10 * time.Second, TLSConfig: server.TLSConfig(p.cert),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if len(r.TLS.PeerCertificates) == 0 {
				http.Error(w, "no client certificate", http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(bareAnswer))
		})}
	go hs.Serve(tls.NewListener(ln, hs.TLSConfig))
	bare := *p
	bare.URL = "https://" + ln.Addr().String()
	bare.stop = func() { hs.Close() }
	return &bare, nil
}
