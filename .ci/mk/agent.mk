# internal/agent, internal/config, internal/keystore (flow engine area).
#   bench-agent       engine overhead (fakes): card insertion → PIN prompt, card removal → locked;
#                     real stack (vcard on vpcd 35970, pcscd, OpenSC, portal): card pulled → locked
#   test-agent-race   the flow engine, config, keystore and UI tests again under the race detector
BENCH_TARGETS += bench-agent
TEST_SERIAL   += test-agent-race

.PHONY: bench-agent test-agent-race
bench-agent:
	@{ $(GO) test -run '^$$' -bench 'BenchmarkCardInsertToPINPrompt|BenchmarkRemovalToLocked' \
		-benchtime 2000x -count 1 ./internal/agent/; \
	  $(GO) test -run '^$$' -bench 'BenchmarkRealCardRemovalToLocked' -benchtime 10x -count 1 ./cmd/cpx-agent/; } | \
	LC_ALL=C awk 'BEGIN { printf "%-36s %14s %12s %10s\n", "measure", "result", "goal", "ratio" } \
	/^Benchmark/ { name=$$1; sub(/-[0-9]+$$/, "", name); \
		for (i = 2; i < NF; i++) { if ($$(i+1) == "ms/event") r=$$i; if ($$(i+1) == "goal-ms") g=$$i; if ($$(i+1) == "ratio") q=$$i } \
		printf "%-36s %11.3f ms %9d ms %10.5f\n", name, r, g, q; n++ } \
	/^(FAIL|panic|---)/ { print } \
	END { if (n != 3) { print "bench-agent: expected 3 benchmarks, got " n; exit 1 } }'

test-agent-race:
	$(GO) test -race -count=1 ./internal/agent/... ./internal/config/... ./internal/keystore/... ./internal/ui/
