package main

import (
	"archive/zip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/config"
	"github.com/cpx-agent/cpx-agent/internal/doctor"
)

// The report and the bundle say the version, each value's source, and the last logs.
func TestDoctorJSONAndBundle(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	t.Setenv("CPX_AGENT_LOG_DIR", logs)
	_ = os.MkdirAll(logs, 0o700)
	_ = os.WriteFile(filepath.Join(logs, "cpx-agent.log"), []byte("time=… level=INFO msg=\"cpx-agent started\"\n"), 0o600)
	drop := filepath.Join(dir, "10-site.json")
	_ = os.WriteFile(drop, []byte(`{"portal_url": "https://portail.si-samu.test"}`), 0o644)
	cfg, err := config.Load(config.Sources{DropIns: dir, Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	rep := doctor.Report{Time: time.Now(), Checks: []doctor.Check{{Name: "pcscd", Status: doctor.OK}}}
	d := newDoctorJSON(rep, cfg, nil)
	var back map[string]any
	if err := json.Unmarshal(d.marshal(), &back); err != nil {
		t.Fatal(err)
	}
	vals := back["config"].(map[string]any)["values"].(map[string]any)
	if pu := vals["portal_url"].(map[string]any); pu["source"] != drop || pu["value"] != "https://portail.si-samu.test" {
		t.Fatalf("portal_url in the report: %v", pu)
	}
	if back["version"].(map[string]any)["program"] != "cpx-agent" || back["checks"] == nil {
		t.Fatalf("report: %s", d.marshal())
	}
	zp := filepath.Join(dir, "support.zip")
	if err := writeBundle(zp, d); err != nil {
		t.Fatal(err)
	}
	z, err := zip.OpenReader(zp)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	got := map[string]string{}
	for _, f := range z.File {
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		got[f.Name] = string(b)
	}
	for _, n := range []string{"doctor.json", "doctor.txt", "version.txt", "logs/cpx-agent.log"} {
		if got[n] == "" {
			t.Errorf("bundle lacks %s (has %d files)", n, len(got))
		}
	}
	if !strings.Contains(got["logs/cpx-agent.log"], "cpx-agent started") {
		t.Errorf("log tail: %q", got["logs/cpx-agent.log"])
	}
}

// A configuration that fails to load is in the report, and the text says so first.
func TestDoctorJSONConfigError(t *testing.T) {
	d := newDoctorJSON(doctor.Report{Time: time.Now()}, config.Config{}, config.ErrInvalid)
	if d.Config.Error == "" || d.Config.Values != nil || !strings.Contains(d.Text(), "[warn] config") ||
		d.Failed() || !strings.Contains(d.Text(), "all checks passed, 1 warning(s)") {
		t.Fatalf("%+v\n%s", d.Config, d.Text())
	}
}
