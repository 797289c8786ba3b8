// Package pscsim is a Pro Santé Connect simulator: an OpenID provider built on
// github.com/luikyv/go-oidc (the protocol endpoints — discovery, JWKS, CIBA, authorize,
// token, userinfo, logout, introspection — are the library's) with PSC's paths and shapes,
// the demo holders of internal/pki as users, and a simulated e-CPS phone. Tests start it
// in-process on real HTTPS loopback; cmd/cpx-pscsim serves it for demos and training.
//
// # Paths (PSC's, see docs/pscsim.md)
//
//	issuer         https://HOST:PORT/auth/realms/esante-wallet
//	discovery      issuer + /.well-known/wallet-openid-configuration (PSC's non-standard path;
//	               issuer + /.well-known/openid-configuration answers the same document)
//	endpoints      issuer + /protocol/openid-connect/{token,userinfo,certs,logout,
//	               token/introspect,ext/ciba/auth}
//	authorization  https://HOST:PORT/wallet/auth (outside the issuer, as PSC's is on another host)
//	phone          https://HOST:PORT/telephone (the simulated e-CPS app, French, no JS needed)
//
// Scopes "openid scope_all"; acr eidas1..3; CIBA in poll mode (login_hint = national id,
// binding_message = 2 digits, channel MOBILE or CARD); code flow with PKCE S256 (required),
// state and nonce; ID tokens and userinfo with PSC claims (SubjectNameID is the national id,
// sub differs); userinfo as JSON, or as a signed JWT for a client with UserInfoJWT.
//
// # Go API
//
//	s, err := pscsim.Start(ctx, pscsim.Config{
//		Listen:  "127.0.0.1:0",         // default 127.0.0.1:8444
//		PKI:     p,                     // or PKIDir: the test PKI directory (created if empty)
//		Clients: []pscsim.Client{{ID: "test", Secret: "s3cret", RedirectURIs: []string{cb}}},
//		Interval: time.Second, ExpiresIn: 2 * time.Minute,
//		Knobs:   pscsim.Knobs{Approve: pscsim.ApproveAuto},
//	})
//	defer s.Close()
//	s.Issuer(), s.DiscoveryURL()       // what a PSC client is configured with
//	s.RootCAs(), s.CAFile()            // trust for the simulator's server certificate
//	s.PKI().IssueClient(pscsim.DevClientID) // the dev client's tls_client_auth certificate
//	s.Pending()                        // pushes waiting on the phone: AuthReqID, NationalID, BindingCode, Channel…
//	s.WaitPending(ctx, nationalID)     // waits for a push to that holder
//	s.Approve(authReqID), s.Deny(authReqID)
//	s.SetKnobs(k), s.Knobs()           // slow approval, slow_down, expiry, acr, unknown key…
//	s.Stats(), s.Push(authReqID)       // token-endpoint polls (per auth_req_id, with their arrival
//	                                   // times and the phone's answer time), polls after expiry or
//	                                   // after a final answer, slow_down answers, too-fast polls
//	s.Answer(pscsim.Selector{Code: "42"}, true) // approve (false: deny) by code, national id or all
//
// Clients: the default is DevClient, "cpx-portal-dev" authenticated by tls_client_auth with
// the subject pki.ServiceClientDN(DevClientID) ("CN=cpx-portal-dev,O=CPX-AGENT TEST,C=FR"):
// the portal issues that certificate from the same test PKI with pki.IssueClient. The TLS
// layer verifies client certificates against the test PKI's root. A Client with a Secret uses
// client_secret_basic instead (tests only: PSC's secret never belongs on a workstation).
//
// Expiry is counted in whole seconds (the library's clock): a client that must never poll after
// expiry stops one second before expires_in elapses. Under ApproveAuto (ApproveDeny) the code
// flow with a known login_hint signs in (refuses) at once, without the sign-in page.
//
// The simulator keeps everything in memory; it forgets all on Close.
package pscsim
