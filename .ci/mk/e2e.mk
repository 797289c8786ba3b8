# internal/e2e — the whole product end to end: the real cpx-agent window (xdotool under Xvfb),
# cpx-portal serve --dev on loopback, a virtual card on vpcd 35972 (build tag e2e).
#   test-e2e    card in → PIN → profile → phone 1001 → first password → OTP channels skipped →
#               banner (checked with `cpx-portal admin session list`); card out → locked ≤ 1 s
#               after the card monitor's event. TestAgentWatchesOnlyItsReader: a card in
#               vpcd 35969 must not take the flow from the one in 35972 (CPX_AGENT_READER).
#               TestCardPulledWhileReading: the card pulled 8 times while the PIN screen's
#               background reading runs, then left in: the PIN screen every time, no error.
#               TestBandReader: the in-process title-band reader (xband.go, xwin.go).
#   bench-e2e   card in → PIN screen vs the card monitor's event (goal ≤ 50 ms over it);
#               PIN → banner, GUI vs `cpx-agent login card` (goal ≤ 1.2×), with the engine's
#               share from the agent's state trace (key → step change) beside the screen-seen
#               time; screens are read in-process (XGetImage, xband.go); cold start to the
#               first window with the real engine (≤ 1 s), VmRSS (≤ 80 MB), idle CPU
#               (BENCH_IDLE_SECONDS, 60 s by default).
#   CPX_E2E_SHOTS=docs/screenshots/real make test-e2e   refreshes the committed screenshots.
TEST_SERIAL   += test-e2e
BENCH_TARGETS += bench-e2e

.PHONY: test-e2e bench-e2e
test-e2e:
	LANG=fr_FR.UTF-8 $(GO) test -tags e2e -count=1 -v -run 'TestBandReader|TestRealWindowCardSignIn|TestAgentWatchesOnlyItsReader|TestCardPulledWhileReading' ./internal/e2e/

bench-e2e:
	@out=$$(LANG=fr_FR.UTF-8 $(GO) test -tags e2e -count=1 -run '^$$' -bench 'InsertToPIN' -benchtime 10x ./internal/e2e/ 2>&1 && \
	  LANG=fr_FR.UTF-8 $(GO) test -tags e2e -count=1 -run '^$$' -bench 'PINToBanner|ColdStart' \
		-benchtime 3x ./internal/e2e/ 2>&1) || { echo "$$out" | grep -v '^\s*/\|^\s*[a-z.]*/.*(0x' | tail -40; exit 1; }; \
	echo "$$out" | grep '^Benchmark'; \
	echo "$$out" | LC_ALL=C awk -v load="$$(cut -d' ' -f1 /proc/loadavg)" ' \
	  function m(name,   i) { for (i = 2; i <= NF; i++) if ($$i == name) return $$(i-1); return "" } \
	  /^BenchmarkInsertToPIN/ { mon = m("monitor-ms"); pin = m("pin-ms"); over = m("over-ms"); p50 = m("over-p50-ms"); omax = m("over-max-ms"); poll = m("poll-ms"); rd = m("read-ms"); tr = m("trace-over-ms") } \
	  /^BenchmarkPINToBanner/ { gui = m("gui-ms"); cli = m("cli-ms"); eng = m("engine-ms"); poll2 = m("poll-ms"); nscr = m("screens") } \
	  /^BenchmarkColdStart/   { st = m("start-ms"); rss = m("rss-MB"); cpu = m("idle-cpu-%"); idle = m("idle-s"); wk = m("wakeups/s"); \
	    an = m("anon-MB"); fi = m("file-MB"); pss = m("pss-MB"); gl = m("gl-MB"); exe = m("exe-MB"); \
	    gh = m("goheap-MB"); ch = m("cheap-MB"); oa = m("otheranon-MB"); of = m("files-MB") } \
	  END { \
	    if (over == "" || gui == "" || st == "") { print "bench-e2e: figures missing"; exit 1 } \
	    printf "%-54s %12s %12s %7s\n", "measure (load average " load ")", "result", "goal", "ratio"; \
	    printf "%-54s %9.1f ms %12s %7s\n", "card in -> card monitor event (pcscd)", mon, "-", "-"; \
	    printf "%-54s %9.1f ms %12s %7s\n", "card in -> PIN screen seen", pin, "-", "-"; \
	    printf "%-54s %9.1f ms %9d ms %7.2f\n", "PIN screen over the monitor event, mean", over, 50, over / 50; \
	    if (p50 != "") printf "%-54s %9.1f ms %9d ms %7.2f\n", "PIN screen over the monitor event, median", p50, 50, p50 / 50; \
	    if (omax != "") printf "%-54s %9.1f ms %12s %7s\n", "PIN screen over the monitor event, max", omax, "-", "-"; \
	    printf "%-54s %9.1f ms %12s %7s\n", "  (gap between screen reads, resolution)", poll, "", ""; \
	    printf "%-54s %9.2f ms %12s %7s\n", "  (one title-band read, XGetImage in-process)", rd, "", ""; \
	    if (tr != "") printf "%-54s %9.1f ms %9d ms %7.2f\n", "state trace step=pin over the monitor event", tr, 50, tr / 50; \
	    printf "%-54s %9.1f ms %12s %7s\n", "PIN Enter -> banner, GUI (machine time)", gui, "-", "-"; \
	    if (eng != "") { \
	      printf "%-54s %9.1f ms %12s %7s\n", "  of which engine: key -> trace step, " nscr + 0 " screens", eng, "-", "-"; \
	      printf "%-54s %9.1f ms %12s %7s\n", "  of which render + screen read (GUI - engine)", gui - eng, "-", "-"; \
	    } \
	    printf "%-54s %9.1f ms %12s %7s\n", "  (gap between screen reads, resolution)", poll2, "", ""; \
	    printf "%-54s %9.1f ms %12s %7s\n", "cpx-agent login card --pin-stdin, exec -> exit", cli, "-", "-"; \
	    printf "%-54s %11.2fx %11.1fx %7.2f\n", "GUI / CLI", gui / cli, 1.2, gui / cli / 1.2; \
	    if (eng != "") printf "%-54s %11.2fx %11.1fx %7.2f\n", "engine (state trace) / CLI", eng / cli, 1.2, eng / cli / 1.2; \
	    printf "%-54s %9.1f ms %9d ms %7.2f\n", "cold start -> first window, real engine", st, 1000, st / 1000; \
	    printf "%-54s %9.1f MB %9d MB %7.2f\n", "resident memory (VmRSS), 4 s after exec", rss, 80, rss / 80; \
	    if (gl != "") { \
	      printf "%-54s %9.1f MB\n", "  RssAnon", an; printf "%-54s %9.1f MB\n", "  RssFile", fi; \
	      printf "%-54s %9.1f MB\n", "  PSS (smaps_rollup)", pss; \
	      printf "%-54s %9.1f MB\n", "  RSS: GL driver (libLLVM, *_dri, libgallium)", gl; \
	      printf "%-54s %9.1f MB\n", "  RSS: the executable", exe; \
	      printf "%-54s %9.1f MB\n", "  RSS: Go heap arenas", gh; \
	      printf "%-54s %9.1f MB\n", "  RSS: C heap ([heap]: Mesa, LLVM, X11)", ch; \
	      printf "%-54s %9.1f MB\n", "  RSS: other anonymous (Go metadata, C mmap)", oa; \
	      printf "%-54s %9.1f MB\n", "  RSS: other files (libc, X11, ...)", of; \
	    } \
	    printf "%-54s %10.2f %% %12s %7s\n", "idle CPU on the home screen over " idle " s", cpu, "~0", "-"; \
	    if (wk != "") printf "%-54s %9.1f /s\n", "  thread wake-ups (context switches) while idle", wk; \
	  }'
