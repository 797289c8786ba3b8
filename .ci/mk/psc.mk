# Pro Santé Connect sign-in (internal/portal/psc, server/psc*.go; docs/psc.md).
#   bench-psc   on SQLite, portal + cpx-pscsim in one process over HTTPS loopback with
#               tls_client_auth, poll interval 1 s: approval on the phone → the agent holds its
#               session (12 approvals at random moments of the interval; goal: worst ≤ interval
#               + 50 ms), PSC sign-ins per second with 32 in flight and their CPU time, beside
#               card sign-ins per second on the same run.
BENCH_TARGETS += bench-psc

.PHONY: bench-psc
bench-psc:
	$(GO) test -count=1 -run '^$$' -bench '^BenchmarkPSC$$' -benchtime 1x ./internal/portal/server/
