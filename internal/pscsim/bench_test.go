package pscsim

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkCIBASignIn: one whole CIBA sign-in through the simulator — push (client_secret_basic),
// approval on the simulated phone, token poll answered with ID and access tokens — so a
// portal benchmark can tell the simulator is not its bottleneck. Reference: the portal's card
// goal, 300 sign-ins/s on 2 cores; the simulator should sustain more than the PSC sign-ins the
// portal is asked for.
func BenchmarkCIBASignIn(b *testing.B) {
	s := start(b, Config{})
	hc := httpClient(s)
	approveToToken := time.Duration(0)
	b.ResetTimer()
	begin := time.Now()
	for i := 0; i < b.N; i++ {
		a := postForm(b, hc, s.cibaURL(), testClient, cibaForm("899700000005", fmt.Sprintf("%02d", i%100)))
		if a.AuthReqID == "" {
			b.Fatalf("ciba: %+v", a)
		}
		approved := time.Now()
		if err := s.Approve(a.AuthReqID); err != nil {
			b.Fatal(err)
		}
		if got := postForm(b, hc, s.tokenURL(), testClient, pollForm(a.AuthReqID)); got.IDToken == "" {
			b.Fatalf("token: %+v", got)
		}
		approveToToken += time.Since(approved)
	}
	elapsed := time.Since(begin)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "signins/s")
	b.ReportMetric(float64(approveToToken.Microseconds())/float64(b.N)/1000, "ms-approval-to-tokens")
}
