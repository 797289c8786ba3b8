package vcard_test

import (
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/testrig"
	"github.com/cpx-agent/cpx-agent/internal/vcard"
)

// benchPort is the benchmarks' vpcd port (docs/architecture.md).
const benchPort = 35970

// References from the rig notes (shared/rig.md): an APDU through pcscd + vpcd costs about
// 0.5 ms with TCP_QUICKACK and about 44 ms without; pcscd sees an insertion after 190-530 ms.
const (
	refAPDUQuickAck   = 0.5   // ms
	refAPDUNoQuickAck = 44.0  // ms
	refInsertSeen     = 530.0 // ms, upper end
)

// BenchmarkAPDU measures one short APDU round trip (VERIFY with no data) through pcscd.
func BenchmarkAPDU(b *testing.B) {
	for _, c := range []struct {
		name  string
		noAck bool
		ref   float64
	}{{"quickack", false, refAPDUQuickAck}, {"no-quickack", true, refAPDUNoQuickAck}} {
		b.Run(c.name, func(b *testing.B) {
			card := testrig.StartCard(b, benchPort, "cps",
				testrig.WithVCardConfig(func(cfg *vcard.Config) { cfg.NoQuickAck = c.noAck }))
			p := connect(b, card.Reader)
			p.tx(b, "00A4040009A00000030800001000")
			b.ResetTimer()
			for range b.N {
				if _, sw := p.tx(b, "00200080"); sw != 0x63C3 {
					b.Fatalf("SW %04X", sw)
				}
			}
			ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
			report(b, "ms/apdu", ms, c.ref)
		})
	}
}

// BenchmarkSign measures a chained RSA-2048 GENERAL AUTHENTICATE and its GET RESPONSE (3
// APDUs: what C_Sign costs on the card's side, without OpenSC), the PIN verified once before.
func BenchmarkSign(b *testing.B) {
	card := testrig.StartCard(b, benchPort, "cps")
	p := connect(b, card.Reader)
	p.tx(b, "00A4040009A00000030800001000")
	if _, sw := p.tx(b, "0020008008"+pad8hex(vcard.DefaultPIN)); sw != 0x9000 {
		b.Fatalf("verify SW %04X", sw)
	}
	block := "0001" + repeat("FF", 256-3-51) + "00" + "3031300d060960864801650304020105000420" + repeat("AB", 32)
	ga := "7C820106820081820100" + block
	first, last := ga[:255*2], ga[255*2:]
	b.ResetTimer()
	for range b.N {
		p.atomically(b, func() {
			if _, sw := p.tx(b, "1087079AFF"+first); sw != 0x9000 {
				b.Fatalf("chained block SW %04X", sw)
			}
			if sig, sw := p.tx(b, "0087079A"+hexByte(len(last)/2)+last+"00"); sw != 0x9000 || len(sig) != 264 {
				b.Fatalf("sign SW %04X, %d bytes", sw, len(sig))
			}
		})
	}
	ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
	// Reference: 3 APDUs at the quick-ack figure; the RSA-2048 private operation comes on top.
	report(b, "ms/sign", ms, 3*refAPDUQuickAck)
}

// BenchmarkVerifyPIN measures a right-PIN VERIFY: one APDU plus the card's argon2id check.
func BenchmarkVerifyPIN(b *testing.B) {
	card := testrig.StartCard(b, benchPort, "cps")
	p := connect(b, card.Reader)
	p.tx(b, "00A4040009A00000030800001000")
	b.ResetTimer()
	for range b.N {
		if _, sw := p.tx(b, "0020008008"+pad8hex(vcard.DefaultPIN)); sw != 0x9000 {
			b.Fatalf("verify SW %04X", sw)
		}
	}
	ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
	report(b, "ms/verify", ms, refAPDUQuickAck)
}

// BenchmarkInsertSeen measures Insert until pcscd reports the card present.
func BenchmarkInsertSeen(b *testing.B) {
	card := testrig.StartCard(b, benchPort, "cps", testrig.Removed())
	var total time.Duration
	for range b.N {
		start := time.Now()
		card.InsertAndWait(b)
		total += time.Since(start)
		b.StopTimer()
		card.RemoveAndWait(b)
		b.StartTimer()
	}
	report(b, "ms/insert", float64(total.Microseconds())/1000/float64(b.N), refInsertSeen)
}

// report prints the figure beside its reference and their ratio.
func report(b *testing.B, unit string, got, ref float64) {
	b.ReportMetric(got, unit)
	b.ReportMetric(ref, "ref-"+unit)
	b.ReportMetric(got/ref, "ratio")
	b.ReportMetric(0, "ns/op")
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

func hexByte(n int) string {
	return string("0123456789ABCDEF"[n>>4]) + string("0123456789ABCDEF"[n&15])
}
