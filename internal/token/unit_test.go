package token

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/miekg/pkcs11"
)

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		rv   uint
		want error // nil: no sentinel, plain context
	}{
		{pkcs11.CKR_PIN_INCORRECT, ErrPINIncorrect},
		{pkcs11.CKR_PIN_LOCKED, ErrPINLocked},
		{pkcs11.CKR_PIN_EXPIRED, ErrPINLocked},
		{pkcs11.CKR_PIN_INVALID, ErrPINFormat},
		{pkcs11.CKR_PIN_LEN_RANGE, ErrPINFormat},
		{pkcs11.CKR_DEVICE_REMOVED, ErrTokenRemoved},
		{pkcs11.CKR_TOKEN_NOT_PRESENT, ErrTokenRemoved},
		{pkcs11.CKR_SESSION_HANDLE_INVALID, ErrTokenRemoved},
		{pkcs11.CKR_SESSION_CLOSED, ErrTokenRemoved},
		{pkcs11.CKR_SLOT_ID_INVALID, ErrTokenRemoved},
		{pkcs11.CKR_TOKEN_NOT_RECOGNIZED, ErrNoToken},
		{pkcs11.CKR_USER_NOT_LOGGED_IN, ErrNotLoggedIn},
		{pkcs11.CKR_MECHANISM_INVALID, ErrUnsupported},
		{pkcs11.CKR_MECHANISM_PARAM_INVALID, ErrUnsupported},
		{pkcs11.CKR_FUNCTION_NOT_SUPPORTED, ErrUnsupported},
		{pkcs11.CKR_DEVICE_ERROR, nil},
		{pkcs11.CKR_GENERAL_ERROR, nil},
	} {
		t.Run(fmt.Sprintf("%#x", tc.rv), func(t *testing.T) {
			err := wrap("C_Test", pkcs11.Error(tc.rv))
			var rv pkcs11.Error
			if !errors.As(err, &rv) || uint(rv) != tc.rv {
				t.Errorf("pkcs11.Error not reachable in %v", err)
			}
			if !strings.Contains(err.Error(), "C_Test") {
				t.Errorf("%v lacks the operation", err)
			}
			all := []error{ErrPINIncorrect, ErrPINLocked, ErrPINFormat, ErrTokenRemoved, ErrNoToken, ErrNotLoggedIn, ErrUnsupported}
			for _, s := range all {
				if got := errors.Is(err, s); got != (s == tc.want) {
					t.Errorf("errors.Is(%v, %v) = %v", err, s, got)
				}
			}
		})
	}
	if wrap("x", nil) != nil {
		t.Error("wrap(nil) != nil")
	}
	if err := wrap("x", errors.New("boom")); !strings.Contains(err.Error(), "boom") {
		t.Errorf("wrap(plain) = %v", err)
	}
}

func TestPINErrorUnwrap(t *testing.T) {
	for _, tc := range []struct {
		left           int
		locked, prints bool
	}{{2, false, true}, {1, false, true}, {0, true, true}, {-1, false, false}} {
		e := &PINError{TriesLeft: tc.left}
		if !errors.Is(e, ErrPINIncorrect) || errors.Is(e, ErrPINLocked) != tc.locked {
			t.Errorf("PINError{%d}: Is(incorrect)=%v Is(locked)=%v", tc.left, errors.Is(e, ErrPINIncorrect), errors.Is(e, ErrPINLocked))
		}
		if strings.Contains(e.Error(), "tries left") != tc.prints {
			t.Errorf("PINError{%d}.Error() = %q", tc.left, e.Error())
		}
	}
}

func TestTriesFromFlags(t *testing.T) {
	for _, tc := range []struct {
		flags           uint
		count, estimate int
	}{
		{0, -1, 3},
		{pkcs11.CKF_LOGIN_REQUIRED | pkcs11.CKF_TOKEN_INITIALIZED, -1, 3},
		{pkcs11.CKF_USER_PIN_COUNT_LOW, -1, 2},
		{pkcs11.CKF_USER_PIN_COUNT_LOW | pkcs11.CKF_USER_PIN_FINAL_TRY, 1, 1},
		{pkcs11.CKF_USER_PIN_FINAL_TRY, 1, 1},
		{pkcs11.CKF_USER_PIN_LOCKED, 0, 0},
		{pkcs11.CKF_USER_PIN_LOCKED | pkcs11.CKF_USER_PIN_FINAL_TRY, 0, 0},
		{pkcs11.CKF_SO_PIN_LOCKED, -1, 3}, // the PUK's flags say nothing of the PIN
	} {
		tr := triesFromFlags(tc.flags)
		after := tc.count
		if after < 0 {
			after = 2
		}
		if tr.AfterFailure(3) != after {
			t.Errorf("flags %#x: AfterFailure(3) = %d, want %d", tc.flags, tr.AfterFailure(3), after)
		}
		if tr.Count() != tc.count || tr.Estimate(3) != tc.estimate || tr.Known != (tc.count >= 0) {
			t.Errorf("flags %#x: %+v count %d estimate %d; want %d, %d", tc.flags, tr, tr.Count(), tr.Estimate(3), tc.count, tc.estimate)
		}
	}
}

// DigestInfo prefixes from RFC 8017 §9.2 note 1.
func TestDigestInfo(t *testing.T) {
	for _, tc := range []struct {
		h      crypto.Hash
		prefix string
	}{
		{crypto.SHA1, "3021300906052b0e03021a05000414"},
		{crypto.SHA224, "302d300d06096086480165030402040500041c"},
		{crypto.SHA256, "3031300d060960864801650304020105000420"},
		{crypto.SHA384, "3041300d060960864801650304020205000430"},
		{crypto.SHA512, "3051300d060960864801650304020305000440"},
	} {
		d := bytes.Repeat([]byte{0xab}, tc.h.Size())
		got, err := DigestInfo(tc.h, d)
		if err != nil {
			t.Fatalf("%v: %v", tc.h, err)
		}
		want, _ := hex.DecodeString(tc.prefix)
		if !bytes.Equal(got, append(want, d...)) {
			t.Errorf("%v: DigestInfo = %x, want %s‖digest", tc.h, got, tc.prefix)
		}
		if _, err := DigestInfo(tc.h, d[1:]); err == nil {
			t.Errorf("%v: short digest accepted", tc.h)
		}
	}
	raw := bytes.Repeat([]byte{1}, 36)
	if got, err := DigestInfo(crypto.MD5SHA1, raw); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("MD5SHA1: %x, %v", got, err)
	}
	if _, err := DigestInfo(crypto.MD5, make([]byte, 16)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("MD5: %v, want ErrUnsupported", err)
	}
	if _, err := DigestInfo(0, make([]byte, 32)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("hash 0: %v, want ErrUnsupported", err)
	}
}

func TestMatchRank(t *testing.T) {
	long := "Gemalto PC Twin Reader (ABCDEF0123456789) 00 00 with a very long name indeed"
	for _, tc := range []struct {
		desc, reader string
		want         int
	}{
		{"Virtual PCD 35965 00 00", "Virtual PCD 35965 00 00", rankExact},
		{"Virtual PCD 35965 00 00   ", "Virtual PCD 35965 00 00", rankExact},
		{long[:64], long, rankCutName},
		{"Virtual PCD 35965 00 00 (PIV)", "Virtual PCD 35965 00 00", rankReaderPrefix},
		{"[Virtual PCD 35965 00 00]", "Virtual PCD 35965 00 00", rankContains},
		{"Virtual PCD 35965 00 01", "Virtual PCD 35965 00 00", rankNone},
		{"Virtual PCD 00 00", "Virtual PCD 35965 00 00", rankNone},
		{"", "Virtual PCD 00 00", rankNone},
		{"SoftHSM slot ID 0x1", "", rankExact},
	} {
		if got := matchRank(tc.desc, tc.reader); got != tc.want {
			t.Errorf("matchRank(%q, %q) = %d, want %d", tc.desc, tc.reader, got, tc.want)
		}
	}
}

func TestCheckDigits(t *testing.T) {
	bad := errors.New("bad")
	for in, ok := range map[string]bool{"1234": true, "0000": true, "123": false, "12345": false, "12a4": false, " 123": false, "": false} {
		if err := checkDigits([]byte(in), 4, bad); (err == nil) != ok {
			t.Errorf("checkDigits(%q) = %v", in, err)
		}
	}
}

func TestGenerationOf(t *testing.T) {
	for model, want := range map[string]string{"IAS ECC": "CPS3", "IAS-ECC": "CPS3", "ChipDoc": "CPS4", "CHIPDOC v1": "CPS4", "PKCS#15 emulated": "", "SoftHSM v2": ""} {
		if got := generationOf(model); got != want {
			t.Errorf("generationOf(%q) = %q, want %q", model, got, want)
		}
	}
}

// FuzzDigestInfo: any hash/digest gives an error or a DigestInfo that decodes back to the
// digest; never a panic.
func FuzzDigestInfo(f *testing.F) {
	f.Add(uint(crypto.SHA256), bytes.Repeat([]byte{1}, 32))
	f.Add(uint(crypto.SHA1), []byte("short"))
	f.Add(uint(999), []byte{})
	f.Fuzz(func(t *testing.T, h uint, d []byte) {
		out, err := DigestInfo(crypto.Hash(h), d)
		if err != nil {
			return
		}
		if crypto.Hash(h) == crypto.MD5SHA1 {
			if !bytes.Equal(out, d) {
				t.Fatalf("MD5SHA1 changed the digest")
			}
			return
		}
		var di digestInfo
		if rest, err := asn1.Unmarshal(out, &di); err != nil || len(rest) != 0 || !bytes.Equal(di.Digest, d) {
			t.Fatalf("DigestInfo(%d, %x) = %x does not decode back: %v", h, d, out, err)
		}
	})
}

// FuzzMatchRank: ranks stay in range and an exact name always ranks best.
func FuzzMatchRank(f *testing.F) {
	f.Add("Virtual PCD 35965 00 00", "Virtual PCD 35965 00 00")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, desc, reader string) {
		r := matchRank(desc, reader)
		if r < rankNone || r > rankExact {
			t.Fatalf("rank %d out of range", r)
		}
		if strings.TrimSpace(desc) == strings.TrimSpace(reader) && r != rankExact {
			t.Fatalf("equal names rank %d", r)
		}
	})
}
