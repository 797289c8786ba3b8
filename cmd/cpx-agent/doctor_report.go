package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/applog"
	"github.com/cpx-agent/cpx-agent/internal/buildinfo"
	"github.com/cpx-agent/cpx-agent/internal/config"
	"github.com/cpx-agent/cpx-agent/internal/doctor"
)

// doctorJSON is what `doctor --json` prints and the bundle's doctor.json holds: the checks, the
// version, and the effective configuration with where each value came from.
type doctorJSON struct {
	Version buildinfo.Info `json:"version"`
	doctor.Report
	Config configReport `json:"config"`
}

// configReport is the effective configuration. Nothing in it is secret: internal/config refuses
// secret-looking keys and URLs with a password.
type configReport struct {
	Error    string                 `json:"error,omitempty"` // the configuration was ignored
	Values   map[string]configValue `json:"values,omitempty"`
	Locked   []string               `json:"locked,omitempty"`
	Warnings []string               `json:"warnings,omitempty"`
	Sources  []string               `json:"sources"` // where it is read, in order
}

type configValue struct {
	Value  string `json:"value"`
	Source string `json:"source"` // "default", a file, a registry key, "env CPX_AGENT_…"
}

func newDoctorJSON(rep doctor.Report, cfg config.Config, loadErr error) doctorJSON {
	src := config.DefaultSources()
	sources := append([]string{src.System, filepath.Join(src.DropIns, "*.json")}, config.MachineSources()...)
	cr := configReport{Sources: append(sources, src.User, "env "+config.EnvPrefix+"*")}
	if loadErr != nil {
		cr.Error = loadErr.Error()
		rep.Checks = append([]doctor.Check{configCheck(loadErr)}, rep.Checks...)
	} else {
		cr.Values, cr.Locked, cr.Warnings = map[string]configValue{}, cfg.Locked, cfg.Warnings
		b, _ := json.Marshal(cfg)
		var vals map[string]string
		_ = json.Unmarshal(b, &vals)
		for _, k := range config.Keys() {
			cr.Values[k] = configValue{Value: vals[k], Source: cfg.Origin[k]}
		}
	}
	return doctorJSON{Version: buildinfo.For("cpx-agent"), Report: rep, Config: cr}
}

func (d doctorJSON) marshal() []byte {
	b, _ := json.MarshalIndent(d, "", "  ")
	return b
}

// Text is the terminal report, the configuration's state on its first line.
func (d doctorJSON) Text() string {
	return d.Version.String() + "\n" + d.Report.Text()
}

// configCheck is the report's first line when the configuration could not be used: a check
// like the others, so that the verdict, the exit code and the GUI agree with the text. It is a
// warning: every workstation check still ran (on the defaults), and the exit code 1 stays the
// sign of a failed workstation check; the JSON's config.error carries the reason for scripts.
func configCheck(err error) doctor.Check {
	return doctor.Check{
		Name: "config", Title: "Configuration", Status: doctor.Warn,
		Detail: "configuration ignored: " + err.Error(),
		Fix:    "La configuration de ce poste est incomplète ou invalide : contactez votre service informatique.",
	}
}

// logTail bounds each log file copied into a bundle.
const logTail = 512 << 10

// writeBundle writes the support zip: doctor.json, doctor.txt, version.txt and the tails of the
// two newest log files.
func writeBundle(path string, d doctorJSON) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	z := zip.NewWriter(f)
	add := func(name string, b []byte) error {
		w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Now()})
		if err == nil {
			_, err = w.Write(b)
		}
		return err
	}
	parts := []bundleFile{{"doctor.json", d.marshal()}, {"doctor.txt", []byte(d.Text())}, {"version.txt", []byte(d.Version.String() + "\n")}}
	parts = append(parts, bundleLogs()...)
	for _, p := range parts {
		if err := add(p.name, p.body); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return z.Close()
}

// bundleFile is one file of the support zip.
type bundleFile struct {
	name string
	body []byte
}

// bundleLogs are the tails of the two newest log files, or a note saying why there are none.
func bundleLogs() []bundleFile {
	var out []bundleFile
	note := func(s string) { out = append(out, bundleFile{"logs/README.txt", []byte(s + "\n")}) }
	dir, err := applog.Dir()
	if err != nil {
		note("no log directory: " + err.Error())
		return out
	}
	files, err := applog.Files(dir)
	if err != nil || len(files) == 0 {
		note(fmt.Sprintf("no log file in %s (%v)", dir, err))
		return out
	}
	for _, p := range files[:min(2, len(files))] {
		b, err := applog.Tail(p, logTail)
		if err != nil {
			b = []byte("unreadable: " + err.Error() + "\n")
		}
		out = append(out, bundleFile{"logs/" + filepath.Base(p), b})
	}
	return out
}
