# internal/agent, internal/config, internal/keystore (flow engine area).
#   bench-agent       engine overhead: card insertion → PIN prompt, card removal → locked
#   test-agent-race   the flow engine, config and keystore tests again under the race detector
BENCH_TARGETS += bench-agent
TEST_SERIAL   += test-agent-race

.PHONY: bench-agent test-agent-race
bench-agent:
	@$(GO) test -run '^$$' -bench 'BenchmarkCardInsertToPINPrompt|BenchmarkRemovalToLocked' \
		-benchtime 2000x -count 1 ./internal/agent/ | tee .bench-agent.out | \
	awk 'BEGIN { printf "%-34s %14s %12s %10s\n", "measure", "result", "goal", "ratio" } \
	/^Benchmark/ { name=$$1; sub(/-[0-9]+$$/, "", name); \
		for (i = 2; i < NF; i++) { if ($$(i+1) == "ms/event") r=$$i; if ($$(i+1) == "goal-ms") g=$$i; if ($$(i+1) == "ratio") q=$$i } \
		printf "%-34s %11.3f ms %9d ms %10.5f\n", name, r, g, q; n++ } \
	END { if (n != 2) { print "bench-agent: expected 2 benchmarks, got " n; exit 1 } }'

test-agent-race:
	$(GO) test -race -count=1 ./internal/agent/... ./internal/config/... ./internal/keystore/...
