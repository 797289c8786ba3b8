package pscsim

import (
	"encoding/json"
	"sync"
	"testing"
)

// TestApprovalDuringPolls: the phone approves or denies while four pollers hammer the token
// endpoint; under -race the provider's shared session must not be written and read at once,
// and exactly one poller gets tokens after an approval, none after a denial.
func TestApprovalDuringPolls(t *testing.T) {
	s := start(t, Config{})
	hc := httpClient(s)
	for round := 0; round < 5; round++ {
		a := postForm(t, hc, s.cibaURL(), testClient, cibaForm("899700000005", "77"))
		var wg sync.WaitGroup
		tokens := make(chan bool, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5000 {
					req, _ := postRequest(s.tokenURL(), pollForm(a.AuthReqID))
					req.SetBasicAuth(testClient, testSecret)
					resp, err := hc.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					var got oauthAnswer
					json.NewDecoder(resp.Body).Decode(&got) //nolint:errcheck
					resp.Body.Close()
					if got.Error != "authorization_pending" {
						tokens <- got.IDToken != ""
						return
					}
				}
			}()
		}
		answer, want := s.Approve, 1
		if round%2 == 1 {
			answer, want = s.Deny, 0
		}
		if err := answer(a.AuthReqID); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(tokens)
		n := 0
		for ok := range tokens {
			if ok {
				n++
			}
		}
		if n != want {
			t.Fatalf("round %d: %d pollers got tokens, want %d (an auth_req_id is redeemed once, a denied one never)", round, n, want)
		}
	}
}
