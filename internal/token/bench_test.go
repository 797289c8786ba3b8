//go:build tokenbench

package token

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// TestBenchToken (make bench-token) times PIN login + signature end to end on the virtual
// card through OpenSC: ours in-process (Open+Login+Sign+Close, module loaded and finalised
// each time) and as a fresh process (cpx-agent card info --pin-stdin, which also reads the
// ATR, EF.SN.ICC, tries and certificate), beside pkcs11-tool --login --sign (whole process).
// Always the right PIN: the try counter is never burnt. Goal: ratio ≤ 1.2.
const benchPort = 35972

func TestBenchToken(t *testing.T) {
	n := 20
	if s := os.Getenv("CPX_BENCH_N"); s != "" {
		if v, err := strconv.Atoi(s); err == nil && v >= 1 {
			n = v
		}
	}
	useOpenSCConf(t)
	c := testrig.StartCard(t, benchPort, "cpe")
	mod := testrig.OpenSCModule(t)
	bin := buildAgent(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "challenge"), filepath.Join(dir, "sig")
	writeFile(t, in, []byte("challenge of the benchmark"))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	digest := sha256.Sum256([]byte("challenge of the benchmark"))

	ops := []func() error{
		func() error { // ours, in-process
			tok, err := Open(t.Context(), Options{Modules: []string{mod}, Reader: c.Reader, Logger: quiet})
			if err != nil {
				return err
			}
			defer tok.Close()
			k, err := tok.Login([]byte(vcard.DefaultPIN))
			if err != nil {
				return err
			}
			_, err = k.Sign(rand.Reader, digest[:], crypto.SHA256)
			return err
		},
		func() error { // pkcs11-tool, whole process
			return exec.Command("pkcs11-tool", "--module", mod, "--slot-description", c.Reader, "--login",
				"--pin", vcard.DefaultPIN, "--sign", "-m", "SHA256-RSA-PKCS", "--id", "01", "-i", in, "-o", out).Run()
		},
		func() error { // cpx-agent card info, fresh process
			cmd := exec.Command(bin, "card", "info", "--pin-stdin", "--reader", c.Reader, "--module", mod)
			cmd.Stdin = strings.NewReader(vcard.DefaultPIN + "\n")
			b, err := cmd.CombinedOutput()
			if err == nil && !strings.Contains(string(b), "signature: verified") {
				err = fmt.Errorf("no verified signature in:\n%s", b)
			}
			return err
		},
	}
	d := measure(t, n, ops)
	ours, tool, fresh := d[0], d[1], d[2]
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nbench-token: PIN login + RSA-2048 SHA-256 signature, virtual card via pcscd+vpcd+OpenSC, N=%d round-robin, median (p90), load %s\n",
		n, strings.Join(strings.Fields(string(load))[:1], ""))
	fmt.Printf("%-62s %17s %17s %7s %5s\n", "measure", "ours", "pkcs11-tool", "ratio", "goal")
	row := func(name string, a, b []time.Duration) {
		ratio := float64(pct(a, 50)) / float64(pct(b, 50))
		goal := "met"
		if ratio > 1.2 {
			goal = "MISSED"
		}
		fmt.Printf("%-62s %8.1f (%5.1f) ms %8.1f (%5.1f) ms %7.2f %5s\n", name, ms(pct(a, 50)), ms(pct(a, 90)),
			ms(pct(b, 50)), ms(pct(b, 90)), ratio, goal)
	}
	row("in-process Open+Login+Sign+Close vs pkcs11-tool process", ours, tool)
	row("fresh process `cpx-agent card info --pin-stdin` vs pkcs11-tool", fresh, tool)
	fmt.Println("goal: ratio of medians <= 1.20 (card info also reads the ATR, EF.SN.ICC, tries and certificate)")
}

// measure runs the ops round-robin n times (after one warm-up round), so a change of machine
// load hits every measure alike, and returns each op's sorted durations.
func measure(t *testing.T, n int, ops []func() error) [][]time.Duration {
	t.Helper()
	for i, op := range ops {
		if err := op(); err != nil {
			t.Fatalf("warm-up of measure %d: %v", i, err)
		}
	}
	d := make([][]time.Duration, len(ops))
	for range n {
		for i, op := range ops {
			start := time.Now()
			if err := op(); err != nil {
				t.Fatalf("measure %d: %v", i, err)
			}
			d[i] = append(d[i], time.Since(start))
		}
	}
	for _, x := range d {
		slices.Sort(x)
	}
	return d
}

func pct(d []time.Duration, p int) time.Duration { return d[(len(d)-1)*p/100] }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
