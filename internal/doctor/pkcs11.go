package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cpx-agent/cpx-agent/drivers"
	"github.com/cpx-agent/cpx-agent/internal/token"
)

// checkModules: each catalogue module on disk must load (C_Initialize, C_GetInfo), at least one
// must, and each reader with a CPx card must show a token in one of them.
func checkModules(ctx context.Context, paths []string, cardReaders []string) []Check {
	if paths == nil {
		paths = token.DefaultModules()
	}
	var out []Check
	var absent, loaded []string
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			absent = append(absent, p)
			continue
		}
		c := moduleCheck(p)
		if c.Status == OK {
			loaded = append(loaded, p)
		}
		out = append(out, c)
	}
	sum := Check{Name: "pkcs11", Title: "PKCS#11 modules", Status: OK,
		Detail: fmt.Sprintf("%d loadable of %d tried", len(loaded), len(paths))}
	if len(absent) > 0 {
		sum.Detail += "; not installed: " + strings.Join(absent, ", ")
	}
	if len(loaded) == 0 {
		sum.Status = Fail
		sum.Fix = "Aucun module PKCS#11 utilisable n'est installé. Installez la Cryptolib CPS de l'ANS (ou OpenSC : sudo apt install opensc-pkcs11)."
	}
	out = append([]Check{sum}, out...)
	for _, r := range cardReaders {
		out = append(out, tokenCheck(ctx, loaded, r))
	}
	return out
}

// moduleCheck loads path and asks C_GetInfo (token.ProbeModule: no card needed).
func moduleCheck(path string) Check {
	c := Check{Name: "module", Title: "PKCS#11 module " + path}
	name := path
	if e, ok := drivers.ModuleByPath(path); ok {
		name = e.Name
	}
	info, err := token.ProbeModule(path)
	switch {
	case errors.Is(err, token.ErrModuleLoad):
		c.Status, c.Detail = Fail, "cannot be loaded (dlopen failed: wrong architecture or missing dependency)"
		c.Fix = fmt.Sprintf("Le module %s est présent mais ne se charge pas. Réinstallez-le (version 64 bits).", name)
		return c
	case errors.Is(err, token.ErrModuleInit):
		c.Status, c.Detail = Fail, strings.TrimPrefix(err.Error(), token.ErrModuleInit.Error()+": ")
		c.Fix = fmt.Sprintf("Le module %s refuse de démarrer. Réinstallez-le, puis relancez le diagnostic.", name)
		return c
	case err != nil:
		c.Status, c.Detail = Fail, strings.TrimPrefix(err.Error(), token.ErrModuleInfo.Error()+": ")
		c.Fix = fmt.Sprintf("Le module %s ne répond pas. Réinstallez-le.", name)
		return c
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("%s: %s %s %d.%d (PKCS#11 %d.%d)", name, info.Manufacturer, info.Description,
		info.Major, info.Minor, info.CryptokiMajor, info.CryptokiMinor)
	return c
}

// tokenCheck: some loadable module shows the card of reader as a token (slot ↔ reader).
func tokenCheck(ctx context.Context, modules []string, reader string) Check {
	c := Check{Name: "token", Title: "Card token in " + reader}
	if len(modules) == 0 {
		c.Status, c.Detail = Fail, "no loadable PKCS#11 module"
		c.Fix = "Installez la Cryptolib CPS de l'ANS pour que la carte soit utilisable."
		return c
	}
	tk, err := token.Open(ctx, token.Options{Modules: modules, Reader: reader})
	if err != nil {
		c.Status, c.Detail = Fail, err.Error()
		c.Fix = "Aucun module PKCS#11 ne voit la carte. Pour une CPS4, installez la Cryptolib CPS 5.2 ou plus récente ; sinon retirez et réinsérez la carte."
		return c
	}
	defer tk.Close()
	in := tk.Info()
	c.Status = OK
	c.Detail = fmt.Sprintf("slot %q: token %q, model %q, serial %q, via %s (%s)",
		in.SlotDescription, in.Label, in.Model, in.Serial, in.Module, in.Library)
	return c
}
