package drivers

import (
	"slices"
	"strings"
	"testing"
)

func TestModulesPerOS(t *testing.T) {
	for _, tc := range []struct {
		goos, first, opensc string
	}{
		{"windows", `C:\Windows\System32\cps3_pkcs11_w64.dll`, `C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`},
		{"linux", "/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so", "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"},
		{"darwin", "/usr/local/lib/libcps3_pkcs11_osx.dylib", "/Library/OpenSC/lib/opensc-pkcs11.so"},
	} {
		t.Run(tc.goos, func(t *testing.T) {
			mods := Modules(tc.goos)
			if len(mods) < 2 {
				t.Fatalf("Modules(%q) = %d entries, want Cryptolib and OpenSC", tc.goos, len(mods))
			}
			if mods[0].Path != tc.first || !strings.HasPrefix(mods[0].Name, "Cryptolib") {
				t.Errorf("first module = %+v, want Cryptolib at %s", mods[0], tc.first)
			}
			var paths []string
			for _, m := range mods {
				if m.OS != tc.goos {
					t.Errorf("entry %s has os %q", m.Path, m.OS)
				}
				paths = append(paths, m.Path)
			}
			if !slices.Contains(paths, tc.opensc) {
				t.Errorf("OpenSC path %s missing from %v", tc.opensc, paths)
			}
		})
	}
	if got := Modules("plan9"); len(got) != 0 {
		t.Errorf("Modules(plan9) = %v, want none", got)
	}
}

func TestModulePathsOrderAndArch(t *testing.T) {
	got := ModulePaths("windows", "386", `D:\custom.dll`, "", `C:\Windows\SysWOW64\cps3_pkcs11_w32.dll`)
	want := []string{
		`D:\custom.dll`,
		`C:\Windows\SysWOW64\cps3_pkcs11_w32.dll`,
		`C:\Program Files (x86)\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("ModulePaths(windows/386) =\n %q\nwant\n %q", got, want)
	}
	lin := ModulePaths("linux", "amd64")
	if lin[0] != "/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so" || lin[1] != "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so" {
		t.Errorf("ModulePaths(linux/amd64) = %q", lin)
	}
	if slices.Contains(lin, "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so") {
		t.Errorf("arm64 module offered to amd64: %q", lin)
	}
}

func TestModuleByPath(t *testing.T) {
	m, ok := ModuleByPath("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
	if !ok || m.Vendor != "OpenSC Project" {
		t.Errorf("ModuleByPath(debian opensc) = %+v, %v", m, ok)
	}
	if _, ok := ModuleByPath("/nowhere.so"); ok {
		t.Error("ModuleByPath(/nowhere.so) found an entry")
	}
}

func TestParseModulesRejectsBadEntries(t *testing.T) {
	for name, in := range map[string]string{
		"not json":   `{`,
		"no path":    `{"modules":[{"name":"x","os":"linux"}]}`,
		"no os":      `{"modules":[{"name":"x","path":"/x.so"}]}`,
		"wrong type": `{"modules":"x"}`,
	} {
		if _, err := parseModules([]byte(in)); err == nil {
			t.Errorf("%s: parseModules accepted %s", name, in)
		}
	}
}
