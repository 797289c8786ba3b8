# cpx-portal (internal/portal/{store,certauth,server,client,config,bench,e2e}, cmd/cpx-portal).
#   bench-portal  card sign-ins per second (mTLS RSA-2048 handshake + session creation) from a
#                 Go load generator with pki-issued software keys, p50/p99 at half the goal
#                 rate; SQLite then PostgreSQL (CPX_TEST_PG_DSN). Goal: >= 300/s on 2 cores,
#                 p99 < 250 ms at 150/s. Prints measure, result, goal, ratio, and the load
#                 average: on a shared machine the "CPU-bound capacity" row (cores / CPU time
#                 per sign-in) is the figure that holds.
BENCH_TARGETS += bench-portal

.PHONY: bench-portal
bench-portal:
	$(GO) run ./internal/portal/bench/cmd -d 10s
