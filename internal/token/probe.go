package token

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/pkcs11"
)

// Stages at which ProbeModule can fail.
var (
	ErrModuleLoad = errors.New("token: pkcs#11 module cannot be loaded") // dlopen failed
	ErrModuleInit = errors.New("token: pkcs#11 module refuses to start") // C_Initialize
	ErrModuleInfo = errors.New("token: pkcs#11 module does not answer")  // C_GetInfo
)

// ModuleInfo is what a module says of itself (C_GetInfo), trimmed.
type ModuleInfo struct {
	Manufacturer, Description    string
	Major, Minor                 byte // library version
	CryptokiMajor, CryptokiMinor byte
}

// ProbeModule loads the module at path and asks C_GetInfo, without a card (for `cpx-agent
// doctor`). It never calls C_Finalize nor unloads the module: a Token of this process may be
// using the same module, and C_Initialize is once per process
// (CKR_CRYPTOKI_ALREADY_INITIALIZED is expected then).
func ProbeModule(path string) (ModuleInfo, error) {
	p := pkcs11.New(path)
	if p == nil {
		return ModuleInfo{}, fmt.Errorf("%w: %s (dlopen failed: wrong architecture or missing dependency)", ErrModuleLoad, path)
	}
	if err := p.Initialize(); err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		return ModuleInfo{}, fmt.Errorf("%w: C_Initialize: %w", ErrModuleInit, err)
	}
	info, err := p.GetInfo()
	if err != nil {
		return ModuleInfo{}, fmt.Errorf("%w: C_GetInfo: %w", ErrModuleInfo, err)
	}
	return ModuleInfo{Manufacturer: strings.TrimSpace(info.ManufacturerID),
		Description: strings.TrimSpace(info.LibraryDescription), Major: info.LibraryVersion.Major,
		Minor: info.LibraryVersion.Minor, CryptokiMajor: info.CryptokiVersion.Major,
		CryptokiMinor: info.CryptokiVersion.Minor}, nil
}
