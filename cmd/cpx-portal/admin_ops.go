package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

func phoneImport(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	if err := want(a, 1); err != nil {
		return err
	}
	var r io.Reader = adminStdin
	if a[0] != "-" {
		f, err := os.Open(a[0])
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		r = os.Stdin
	}
	phones, err := store.ParsePhonesCSV(r)
	if err != nil {
		return err
	}
	if err := st.ImportPhoneLines(ctx, phones); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d phone(s) imported\n", len(phones))
	return noteShared(ctx, st, phones, out)
}

// noteShared tells which imported numbers other entities also have: allowed (a number is
// unique per entity, each switchboard numbers its own phones), but worth a look when the
// file was meant for one entity only.
func noteShared(ctx context.Context, st *store.Store, phones []store.PhoneLine, out io.Writer) error {
	all, err := st.Phones(ctx, "")
	if err != nil {
		return err
	}
	where := map[string][]string{}
	for _, p := range all {
		where[p.Number] = append(where[p.Number], p.EntityID)
	}
	for _, p := range phones {
		var others []string
		for _, e := range where[p.Number] {
			if e != p.EntityID {
				others = append(others, e)
			}
		}
		if len(others) > 0 {
			fmt.Fprintf(out, "note: line %d: number %s (entity %s) also exists in %s (allowed: a number is unique per entity)\n",
				p.Line, p.Number, p.EntityID, strings.Join(others, ", "))
		}
	}
	return nil
}

func phoneList(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	entity := ""
	if len(a) > 0 {
		entity = a[0]
	}
	ps, err := st.Phones(ctx, entity)
	if err != nil {
		return err
	}
	tw := table(out)
	fmt.Fprintln(tw, "ENTITY\tNUMBER\tLABEL\tLOCATION\tHELD BY")
	for _, p := range ps {
		held := ""
		if p.SessionID != "" {
			held = p.Holder + " (" + p.SessionID + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.EntityID, p.Number, p.Label, p.Location, held)
	}
	return tw.Flush()
}

func sessionList(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	fs := flags("session list")
	all := fs.Bool("all", false, "")
	n := fs.Int("n", 100, "")
	if err := fs.Parse(a); err != nil {
		return err
	}
	ss, err := st.Sessions(ctx, !*all, *n)
	if err != nil {
		return err
	}
	tw := table(out)
	fmt.Fprintln(tw, "ID\tUSER\tMETHOD\tWORKSTATION\tPHONE\tCREATED\tEXPIRES\tSTATE")
	now := st.Now()
	for _, s := range ss {
		u, _ := st.UserByIdentifiant(ctx, s.UserID)
		state := "open"
		switch {
		case !s.EndedAt.IsZero():
			state = s.EndReason
		case !s.Live(now):
			state = "expiring"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, u.Identifiant, s.Method, s.Workstation, s.Phone,
			s.CreatedAt.Local().Format(time.DateTime), s.ExpiresAt.Local().Format(time.DateTime), state)
	}
	return tw.Flush()
}

func sessionRevoke(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	if err := want(a, 1); err != nil {
		return err
	}
	s, err := st.SessionByID(ctx, a[0])
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	err = st.EndSession(ctx, s.ID, store.EndRevoked, store.AuditEntry{Event: store.AuditRevoke, UserID: s.UserID,
		Workstation: s.Workstation, Detail: "by admin command on " + host})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "session", s.ID, "revoked")
	return nil
}
