package token

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"

	"github.com/cpx-agent/cpx-agent/drivers"
)

// Options says which modules to try and which reader's card to use.
type Options struct {
	// Modules are the PKCS#11 module paths to try, in order. Empty: the catalogue for this
	// OS (drivers.ModulePaths); put a configured path first with DefaultModules(path).
	Modules []string
	// Reader is the PC/SC reader name. Empty: the first slot with a token.
	Reader string
	// Label, when set, requires this token label (SoftHSM tests select tokens by label).
	Label string
	// Logger receives the module choice; nil: slog.Default().
	Logger *slog.Logger
}

// DefaultModules returns the configured module paths followed by the catalogue's for this OS.
func DefaultModules(configured ...string) []string {
	return drivers.ModulePaths(runtime.GOOS, runtime.GOARCH, configured...)
}

// TokenInfo describes the token and the module serving it.
type TokenInfo struct {
	Module          string `json:"module"`           // module path
	Library         string `json:"library"`          // module's own description and version
	SlotDescription string `json:"slot_description"` // carries the reader name
	Label           string `json:"label"`
	Manufacturer    string `json:"manufacturer"`
	Model           string `json:"model"` // "IAS ECC" (CPS3), "ChipDoc" (CPS4), "PKCS#15 emulated" (PIV via OpenSC)…
	Serial          string `json:"serial"`
	Flags           uint   `json:"flags"`                // CKF_* token flags when opened
	Generation      string `json:"generation,omitempty"` // from Model: "CPS3" (IAS ECC), "CPS4" (ChipDoc)
}

// generationOf names the CPx generation a Cryptolib token model stands for ("" otherwise).
func generationOf(model string) string {
	m := strings.ToUpper(strings.ReplaceAll(model, "-", " "))
	switch {
	case strings.Contains(m, "IAS ECC"):
		return "CPS3"
	case strings.Contains(m, "CHIPDOC"):
		return "CPS4"
	}
	return ""
}

// Token is one card's token in one module. Its methods are safe for concurrent use; PKCS#11
// calls are serialised (one card, one session).
type Token struct {
	mu      sync.Mutex
	mod     *module
	slot    uint
	opts    Options
	info    TokenInfo
	log     *slog.Logger
	sess    pkcs11.SessionHandle
	hasSess bool
	logged  bool
	gen     uint64 // bumped whenever the session is dropped; Keys of an older gen are dead
	closed  bool
	// pinOK: the last PIN operation through this Token succeeded, so the card's counter is
	// full again (a good VERIFY or an unblock resets it); see triesLocked.
	pinOK bool
}

// Open finds the first module that loads and shows a token in the slot matching opts.Reader.
// It fails with ErrModuleMissing when no module loads, ErrNoToken when none shows the card.
func Open(ctx context.Context, opts Options) (*Token, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	paths := opts.Modules
	if len(paths) == 0 {
		paths = DefaultModules()
	}
	var passed []string
	loaded := 0
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("token: open: %w", err)
		}
		m, err := acquireModule(path)
		if err != nil {
			passed = append(passed, err.Error())
			continue
		}
		loaded++
		sc, err := pickSlot(m.ctx, opts.Reader, opts.Label)
		if err != nil {
			m.release()
			passed = append(passed, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		t := &Token{mod: m, slot: sc.id, opts: opts, log: log, info: tokenInfo(m, sc)}
		if err := t.openSessionLocked(sc.id); err != nil {
			m.release()
			passed = append(passed, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		log.Info("pkcs11 module chosen", "module", path, "slot", sc.id,
			"slot_description", strings.TrimSpace(sc.slot.SlotDescription),
			"token", strings.TrimSpace(sc.token.Label), "reader", opts.Reader, "passed_over", passed)
		return t, nil
	}
	log.Warn("no pkcs11 module shows the card", "reader", opts.Reader, "passed_over", passed)
	if loaded == 0 {
		return nil, fmt.Errorf("token: open: %w (tried %s)", ErrModuleMissing, strings.Join(paths, ", "))
	}
	return nil, fmt.Errorf("token: open: %w: %s", ErrNoToken, strings.Join(passed, "; "))
}

func tokenInfo(m *module, sc slotChoice) TokenInfo {
	return TokenInfo{
		Module:          m.path,
		Library:         m.description(),
		SlotDescription: strings.TrimSpace(sc.slot.SlotDescription),
		Label:           strings.TrimSpace(sc.token.Label),
		Manufacturer:    strings.TrimSpace(sc.token.ManufacturerID),
		Model:           strings.TrimSpace(sc.token.Model),
		Serial:          strings.TrimSpace(sc.token.SerialNumber),
		Flags:           sc.token.Flags,
		Generation:      generationOf(sc.token.Model),
	}
}

// Info describes the token as it was when opened.
func (t *Token) Info() TokenInfo { return t.info }

// TriesLeft reads the PIN tries state from the token flags (C_GetTokenInfo, no PIN).
func (t *Token) TriesLeft() (PINTries, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.ensureLocked(); err != nil {
		return PINTries{}, err // a stale slot would answer with empty flags
	}
	return t.triesLocked()
}

func (t *Token) triesLocked() (PINTries, error) {
	ti, err := t.mod.ctx.GetTokenInfo(t.slot)
	if err != nil {
		err = wrap("C_GetTokenInfo", err)
		if isRemoved(err) {
			t.dropLocked()
		}
		return PINTries{}, err
	}
	flags := ti.Flags
	if t.pinOK {
		// OpenSC keeps the flags of the last failure after a good PIN (it caches the PIV
		// counter): a success through this Token means the counter is full.
		flags &^= pkcs11.CKF_USER_PIN_COUNT_LOW | pkcs11.CKF_USER_PIN_FINAL_TRY | pkcs11.CKF_USER_PIN_LOCKED
	}
	return triesFromFlags(flags), nil
}

// Close logs out, closes the session and releases the module. Keys stop working.
func (t *Token) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.dropLocked()
	t.closed = true
	t.mod.release()
	return nil
}

// ensureLocked makes sure a healthy session is open, reopening one after a removal (the slot
// is looked up again: a reinserted card may come back in another slot).
func (t *Token) ensureLocked() error {
	if t.closed {
		return ErrClosed
	}
	if t.hasSess {
		_, err := t.mod.ctx.GetSessionInfo(t.sess)
		if err == nil {
			return nil
		}
		t.log.Debug("pkcs11 session lost, reopening", "module", t.mod.path, "err", err)
		t.dropLocked()
	}
	sc, err := pickSlot(t.mod.ctx, t.opts.Reader, t.opts.Label)
	if err != nil {
		if errors.Is(err, ErrNoToken) {
			return fmt.Errorf("%w: %w", ErrTokenRemoved, err)
		}
		return err
	}
	return t.openSessionLocked(sc.id)
}

// openSessionLocked opens the read-write session on slot (read-only if the token is
// write-protected: login and signing still work, PIN change does not).
func (t *Token) openSessionLocked(slot uint) error {
	s, err := t.mod.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if errors.Is(err, pkcs11.Error(pkcs11.CKR_TOKEN_WRITE_PROTECTED)) {
		s, err = t.mod.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION)
	}
	if err != nil {
		return wrap("C_OpenSession", err)
	}
	t.slot, t.sess, t.hasSess = slot, s, true
	return nil
}

// dropLocked forgets the session (and the login), ending every Key made through it.
func (t *Token) dropLocked() {
	if t.hasSess {
		if t.logged {
			_ = t.mod.ctx.Logout(t.sess)
		}
		_ = t.mod.ctx.CloseSession(t.sess)
	}
	t.hasSess, t.logged, t.pinOK = false, false, false
	t.gen++
}

// failLocked wraps err and, when it means the card went away, drops the session.
func (t *Token) failLocked(op string, err error) error {
	err = wrap(op, err)
	if isRemoved(err) {
		t.dropLocked()
	}
	return err
}
