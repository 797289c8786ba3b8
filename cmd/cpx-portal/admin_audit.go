package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// auditJSON is one line of `audit tail --json` (ids kept, names added).
type auditJSON struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	Who         string    `json:"who"`
	Identifiant string    `json:"identifiant,omitempty"`
	NationalID  string    `json:"national_id,omitempty"`
	Subject     string    `json:"subject,omitempty"`
	UserID      string    `json:"user_id,omitempty"`
	SessionID   string    `json:"session_id,omitempty"`
	Workstation string    `json:"workstation,omitempty"`
	Remote      string    `json:"remote,omitempty"`
	Event       string    `json:"event"`
	Action      string    `json:"action"`
	Result      string    `json:"result"`
	Code        string    `json:"code,omitempty"`
}

// auditTail prints the last audit lines for IT staff: time, who (identifiant, else national
// id, else the name presented), workstation, client address, action, result (the refusal
// code). --ids adds the user and session ids; --json prints an array with every field.
func auditTail(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	fs := flags("audit tail")
	n := fs.Int("n", 50, "")
	asJSON := fs.Bool("json", false, "")
	ids := fs.Bool("ids", false, "")
	if err := fs.Parse(a); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("-n %d: want 1 or more", *n)
	}
	ls, err := st.AuditTailNamed(ctx, *n)
	if err != nil {
		return err
	}
	if *asJSON {
		js := make([]auditJSON, 0, len(ls))
		for _, l := range ls {
			js = append(js, auditJSON{ID: l.ID, At: l.At, Who: who(l), Identifiant: l.Identifiant, NationalID: l.NationalID,
				Subject: l.Subject, UserID: l.UserID, SessionID: l.SessionID, Workstation: l.Workstation, Remote: l.Remote,
				Event: l.Event, Action: action(l), Result: l.Result, Code: l.Code})
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(js)
	}
	tw := table(out)
	head := "TIME\tWHO\tWORKSTATION\tADDRESS\tACTION\tRESULT"
	if *ids {
		head += "\tUSER ID\tSESSION"
	}
	fmt.Fprintln(tw, head)
	for _, l := range ls {
		res := l.Result
		if l.Code != "" {
			res += " (" + l.Code + ")"
		}
		row := strings.Join([]string{l.At.Local().Format(time.DateTime), dash(who(l)), dash(l.Workstation),
			dash(host(l.Remote)), action(l), res}, "\t")
		if *ids {
			row += "\t" + dash(l.UserID) + "\t" + dash(l.SessionID)
		}
		fmt.Fprintln(tw, row)
	}
	return tw.Flush()
}

// who is the identifiant, else the national id, else the name presented at sign-in.
func who(l store.AuditLine) string {
	switch {
	case l.Identifiant != "" && l.NationalID != "" && l.Identifiant != l.NationalID:
		return l.Identifiant + " (" + l.NationalID + ")"
	case l.Identifiant != "":
		return l.Identifiant
	case l.NationalID != "":
		return l.NationalID
	}
	return l.Subject
}

// action is the event with its detail (a profile id shown as "label — entity").
func action(l store.AuditLine) string {
	d := l.Detail
	if l.Profile != "" {
		d = l.Profile
	}
	if d == "" {
		return l.Event
	}
	return l.Event + ": " + d
}

func host(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
