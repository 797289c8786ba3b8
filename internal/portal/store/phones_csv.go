package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPhonesCSV bounds a phones file (a few thousand lines are a few hundred KiB).
const maxPhonesCSV = 8 << 20

// PhoneLine is a phone read from a CSV file with its line number.
type PhoneLine struct {
	Phone
	Line int
}

// ParsePhonesCSV reads desk phones, one a line: entity,number[,label[,location]]. It accepts
// what spreadsheets write: a UTF-8 byte-order mark, ";" as the separator (Excel in French;
// detected on the first line), CRLF line ends, quoted fields. A first line whose first field
// is "entity" (or "entité") is a header. Errors name the line. A number is unique within its
// entity: the same entity and number twice in one file is an error; the same number in two
// entities is allowed (each entity's switchboard has its own numbering).
func ParsePhonesCSV(r io.Reader) ([]PhoneLine, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPhonesCSV+1))
	if err != nil {
		return nil, fmt.Errorf("phones csv: %w", err)
	}
	if len(b) > maxPhonesCSV {
		return nil, fmt.Errorf("phones csv: larger than %d MiB", maxPhonesCSV>>20)
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if !utf8.Valid(b) {
		return nil, errors.New("phones csv: not UTF-8 text (save it as « CSV UTF-8 »)")
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comma = separator(b)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []PhoneLine
	seen := map[[2]string]int{}
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("phones csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first && isHeader(rec[0]) {
			continue
		}
		p, err := phoneOf(rec, cr.Comma)
		if err != nil {
			return nil, fmt.Errorf("phones csv line %d: %w", line, err)
		}
		key := [2]string{p.EntityID, p.Number}
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("phones csv line %d: number %s of entity %s is already on line %d", line, p.Number, p.EntityID, prev)
		}
		seen[key] = line
		out = append(out, PhoneLine{Phone: p, Line: line})
	}
	return out, nil
}

// separator is ";" when the first line has more semicolons than commas, else ",".
func separator(b []byte) rune {
	first, _, _ := bytes.Cut(b, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

func isHeader(f string) bool {
	f = strings.ToLower(strings.TrimSpace(f))
	return f == "entity" || f == "entité" || f == "entite"
}

func phoneOf(rec []string, sep rune) (Phone, error) {
	if len(rec) < 2 || len(rec) > 4 {
		return Phone{}, fmt.Errorf("%d field(s), want entity%cnumber[%clabel[%clocation]]", len(rec), sep, sep, sep)
	}
	for len(rec) < 4 {
		rec = append(rec, "")
	}
	p := Phone{EntityID: strings.TrimSpace(rec[0]), Number: strings.TrimSpace(rec[1]),
		Label: strings.TrimSpace(rec[2]), Location: strings.TrimSpace(rec[3])}
	switch {
	case p.EntityID == "" || p.Number == "":
		return p, errors.New("entity and number are required")
	case len(p.Number) > 32 || strings.IndexFunc(p.Number, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0:
		return p, fmt.Errorf("number %q: want up to 32 characters without spaces", p.Number)
	case !printable(p.Label, maxName) || !printable(p.Location, maxName):
		return p, fmt.Errorf("label and location: want printable text of at most %d characters", maxName)
	}
	return p, nil
}

func printable(s string, max int) bool {
	return utf8.RuneCountInString(s) <= max && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// ImportPhones reads a phones CSV (ParsePhonesCSV) and upserts it, all or nothing. It
// returns how many phones it read.
func (s *Store) ImportPhones(ctx context.Context, r io.Reader) (int, error) {
	phones, err := ParsePhonesCSV(r)
	if err != nil {
		return 0, err
	}
	return len(phones), s.ImportPhoneLines(ctx, phones)
}

// ImportPhoneLines upserts parsed phones in one transaction (a known entity and number gets
// the new label and location); an error names the line.
func (s *Store) ImportPhoneLines(ctx context.Context, phones []PhoneLine) error {
	return s.Tx(ctx, func(tx *Tx) error {
		for _, p := range phones {
			if err := upsertPhone(ctx, tx, p.Phone); err != nil {
				return fmt.Errorf("phones csv line %d: %w", p.Line, err)
			}
		}
		return nil
	})
}
