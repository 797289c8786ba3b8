package store_test

import (
	"strings"
	"testing"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// TestParsePhonesCSVSpreadsheet: Excel exports (BOM, ";", CRLF, quotes) read like plain CSV.
func TestParsePhonesCSVSpreadsheet(t *testing.T) {
	for name, in := range map[string]string{
		"bom comma crlf":  "\ufeffentity,number,label,location\r\nsamu13,2009,Poste,Salle\r\nsamu13,2010,\"Poste, 2\",\r\n",
		"bom semicolon":   "\ufeffentité;numéro;libellé;emplacement\r\nsamu13;2009;Poste;Salle\r\nsamu13;2010;Poste, 2;\r\n",
		"no header, ';'":  "samu13;2009;Poste;Salle\nsamu13;2010;\"Poste, 2\"\n",
		"blank lines lf":  "entity,number\n\nsamu13,2009,Poste,Salle\n\nsamu13,2010,\"Poste, 2\"\n",
		"short lines ';'": "samu13;2009;Poste;Salle\r\nsamu13;2010;Poste, 2\r\n",
	} {
		ps, err := store.ParsePhonesCSV(strings.NewReader(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(ps) != 2 || ps[0].EntityID != "samu13" || ps[0].Number != "2009" || ps[0].Location != "Salle" ||
			ps[1].Number != "2010" || ps[1].Label != "Poste, 2" {
			t.Errorf("%s: %+v", name, ps)
		}
	}
}

// TestParsePhonesCSVErrors: a bad line is named by its line in the file (blank lines
// counted); a number twice in one entity is refused, in two entities accepted.
func TestParsePhonesCSVErrors(t *testing.T) {
	for in, want := range map[string]string{
		"entity,number\r\nsamu13,2009\r\n\r\nsamu13\r\n":          "line 4:",
		"samu13;2009\nsamu13;2010;a;b;c\n":                        "line 2: 5 field(s), want entity;number",
		"samu13,2009\nsamu13,20 09\n":                             "line 2: number",
		"samu13,2009,Poste\nsamu14,2009\n\nsamu13,2009,Doublon\n": "line 4: number 2009 of entity samu13 is already on line 1",
		"samu13,\"2009\n":                                         "line 1",
		"samu13,2009,\xff\n":                                      "not UTF-8",
	} {
		_, err := store.ParsePhonesCSV(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
	ps, err := store.ParsePhonesCSV(strings.NewReader("samu13,1001\nsamu99,1001\n"))
	if err != nil || len(ps) != 2 {
		t.Fatalf("same number in two entities: %v", err)
	}
}
