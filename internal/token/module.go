package token

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/miekg/pkcs11"
)

// module is a loaded and initialised PKCS#11 library, shared in the process: C_Initialize is
// once per process, so Tokens on the same module share one and count references.
type module struct {
	path  string
	ctx   *pkcs11.Ctx
	info  pkcs11.Info
	refs  int
	owned bool // we called C_Initialize, so we call C_Finalize
}

var (
	modMu   sync.Mutex
	modules = map[string]*module{}
)

// acquireModule loads path (or takes the already loaded one) and adds a reference.
func acquireModule(path string) (*module, error) {
	modMu.Lock()
	defer modMu.Unlock()
	if m := modules[path]; m != nil {
		m.refs++
		return m, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrModuleMissing, path, err)
	}
	ctx := pkcs11.New(path)
	if ctx == nil {
		// dlopen failed: wrong architecture, missing dependency, not a PKCS#11 library.
		return nil, fmt.Errorf("%w: %s: cannot be loaded", ErrModuleMissing, path)
	}
	owned := true
	if err := ctx.Initialize(); err != nil {
		var rv pkcs11.Error
		if !errors.As(err, &rv) || rv != pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED {
			ctx.Destroy()
			return nil, fmt.Errorf("%w: %s: C_Initialize: %w", ErrModuleMissing, path, err)
		}
		owned = false // someone else in this process initialised it; leave it to them
	}
	info, err := ctx.GetInfo()
	if err != nil {
		info = pkcs11.Info{}
	}
	m := &module{path: path, ctx: ctx, info: info, refs: 1, owned: owned}
	modules[path] = m
	return m, nil
}

// release drops a reference; the last one finalises and unloads the module.
func (m *module) release() {
	modMu.Lock()
	defer modMu.Unlock()
	m.refs--
	if m.refs > 0 {
		return
	}
	delete(modules, m.path)
	if m.owned {
		_ = m.ctx.Finalize()
	}
	m.ctx.Destroy()
}

// description is the library's own description, e.g. "OpenSC smartcard framework 0.23".
func (m *module) description() string {
	d := m.info.LibraryDescription
	if m.info.ManufacturerID != "" {
		d = m.info.ManufacturerID + " — " + d
	}
	return fmt.Sprintf("%s %d.%d", d, m.info.LibraryVersion.Major, m.info.LibraryVersion.Minor)
}
