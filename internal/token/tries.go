package token

import "github.com/miekg/pkcs11"

// PINTries is what PKCS#11 tells about the user PIN's tries (see the package doc): flags, and
// an exact count only when FINAL_TRY (1) or LOCKED (0) is raised.
type PINTries struct {
	Known  bool `json:"known"` // Left is exact
	Left   int  `json:"left"`  // exact count when Known, else -1
	Low    bool `json:"low"`   // CKF_USER_PIN_COUNT_LOW: at least one wrong try since the last good one
	Final  bool `json:"final"` // CKF_USER_PIN_FINAL_TRY: one try left
	Locked bool `json:"locked"`
}

func triesFromFlags(f uint) PINTries {
	t := PINTries{
		Left:   -1,
		Low:    f&pkcs11.CKF_USER_PIN_COUNT_LOW != 0,
		Final:  f&pkcs11.CKF_USER_PIN_FINAL_TRY != 0,
		Locked: f&pkcs11.CKF_USER_PIN_LOCKED != 0,
	}
	switch {
	case t.Locked:
		t.Known, t.Left = true, 0
	case t.Final:
		t.Known, t.Left = true, 1
	}
	return t
}

// Count is the exact number of tries left, or -1 when PKCS#11 does not tell it.
func (t PINTries) Count() int {
	if !t.Known {
		return -1
	}
	return t.Left
}

// Estimate maps the flags onto a counter of max tries (3 on CPx cards): LOCKED → 0,
// FINAL_TRY → 1, COUNT_LOW → max-1, no flag → max. Only an estimate between those: a middleware
// may raise COUNT_LOW late or never.
func (t PINTries) Estimate(max int) int {
	switch {
	case t.Known:
		return t.Left
	case t.Low:
		return max - 1
	}
	return max
}

// AfterFailure is the tries left right after a wrong PIN was counted, on a card of max tries
// (3 on CPx): LOCKED → 0, FINAL_TRY → 1, otherwise max-1. The deduction holds only then: the
// failure used one try, so at most max-1 remain, and without FINAL_TRY more than one does.
// For max = 3 it is exact.
func (t PINTries) AfterFailure(max int) int {
	if t.Known {
		return t.Left
	}
	return max - 1
}
