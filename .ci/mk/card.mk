# internal/card: the pcscd-restart test (kills and restarts pcscd: run alone, after the rest)
# and the card monitor benchmark (insert→event latency beside a bare SCardGetStatusChange loop).
TEST_SERIAL   += test-pcscd-restart
BENCH_TARGETS += bench-card-monitor

.PHONY: test-pcscd-restart bench-card-monitor
test-pcscd-restart:
	$(GO) test -count=1 -tags pcscdrestart -run PcscdRestart ./internal/card/

bench-card-monitor:
	$(GO) test -count=1 -run '^$$' -bench BenchmarkCardMonitor -benchtime 1x ./internal/card/
