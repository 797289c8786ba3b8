package config

import (
	"os"
	"path/filepath"
	"runtime"
)

// SystemPath is the system-wide file IT staff deploy:
// Linux (and other Unix) /etc/cpx-agent/config.json, Windows
// %ProgramData%\cpx-agent\config.json, macOS /Library/Application Support/cpx-agent/config.json.
func SystemPath() string { return systemPath(runtime.GOOS, os.Getenv("ProgramData")) }

func systemPath(goos, programData string) string {
	switch goos {
	case "windows":
		if programData == "" {
			programData = `C:\ProgramData`
		}
		return programData + `\cpx-agent\config.json`
	case "darwin":
		return "/Library/Application Support/cpx-agent/config.json"
	}
	return "/etc/cpx-agent/config.json"
}

// SystemDropInDir is the directory of IT staff's drop-ins, beside the system file:
// /etc/cpx-agent/config.d, %ProgramData%\cpx-agent\config.d, … No package owns the files in it.
func SystemDropInDir() string {
	p := SystemPath()
	return p[:len(p)-len("config.json")] + "config.d"
}

// ExamplePath is the commented example the packages ship (a valid drop-in once portal_url is
// set): /usr/share/cpx-agent/config.example.json on Linux, config.example.json beside the
// system file elsewhere.
func ExamplePath() string { return examplePath(runtime.GOOS, SystemPath()) }

func examplePath(goos, system string) string {
	if goos == "windows" || goos == "darwin" {
		return system[:len(system)-len("config.json")] + "config.example.json"
	}
	return "/usr/share/cpx-agent/config.example.json"
}

// UserPath is the per-user override file: os.UserConfigDir()/cpx-agent/config.json.
func UserPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "cpx-agent", "config.json"), nil
}

// PrefsPath is the per-user state file: os.UserConfigDir()/cpx-agent/prefs.json.
func PrefsPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "cpx-agent", "prefs.json"), nil
}
