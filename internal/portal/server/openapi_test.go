package server_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestOpenAPICoversRoutes: every route the server registers (s.Handle("METHOD "+v+"/path")
// in this package's sources) is in docs/openapi.yaml with that method.
func TestOpenAPICoversRoutes(t *testing.T) {
	b, err := os.ReadFile("../../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`s\.Handle\("([A-Z]+) "\+v\+"([^"]+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			n++
			path := "/v1" + m[2]
			if _, ok := doc.Paths[path][strings.ToLower(m[1])]; !ok {
				t.Errorf("%s %s (%s) is not in docs/openapi.yaml", m[1], path, f)
			}
		}
	}
	if n < 25 {
		t.Fatalf("found %d routes in the sources, want the 26 or more the server serves", n)
	}
}
