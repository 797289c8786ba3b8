package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/cpx-agent/cpx-agent/internal/portal/otp"
	"github.com/cpx-agent/cpx-agent/internal/portal/store"
)

// adminCmd is one "admin AREA VERB" action.
type adminCmd struct {
	usage string
	run   adminFunc
}

type adminFunc func(ctx context.Context, st *store.Store, args []string, out io.Writer) error

// adminCmds is every admin action (`cpx-portal admin` lists them, sorted).
var adminCmds = map[string]adminCmd{
	"entity add":   {"entity add ID NAME", entityAdd},
	"entity list":  {"entity list", entityList},
	"user add":     {"user add --national-id N --identifiant prenom.nom --given G --family F [--email E] [--mobile M] [--entity ID --profile LABEL] [--no-habilitation]", userAdd},
	"user list":    {"user list", userList},
	"user disable": {"user disable IDENTIFIANT   (ends the user's sessions)", userDisable(true)},
	"user enable":  {"user enable IDENTIFIANT", userDisable(false)},
	"user enrol": {"user enrol --given G --family F --email E [--entity ID --profile LABEL] [--show]   " +
		"(IT enrolment: identifiant generated, provisional password e-mailed through the portal's queue, or shown once with --show)", userEnrol},
	"user unlock":       {"user unlock IDENTIFIANT   (clears a password lockout)", userUnlock},
	"user habilitation": {"user habilitation IDENTIFIANT on|off   (off ends the user's sessions)", userHabilitation},
	"profile add":       {"profile add IDENTIFIANT ENTITY LABEL", profileAdd},
	"profile list":      {"profile list IDENTIFIANT", profileList},
	"phone import":      {"phone import FILE.csv   (entity,number,label,location; \"-\" reads stdin)", phoneImport},
	"phone list":        {"phone list [ENTITY]", phoneList},
	"session list":      {"session list [--all] [-n 100]", sessionList},
	"session revoke":    {"session revoke SESSION_ID", sessionRevoke},
	"audit tail":        {"audit tail [-n 50] [--ids] [--json]   (time, who, workstation, address, action, result)", auditTail},
	"outbox list":       {"outbox list [--to ADDRESS] [-n 20]   (dev outbox: messages kept instead of sent)", outboxList},
}

var adminStdin io.Reader

// adminPhone is how enrolment reads mobiles (auth.foreign_phones), set by admin.
var adminPhone otp.PhoneOptions

func admin(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c, rest, err := loadConfig(fs, args)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-portal admin:", err)
		return 2
	}
	if len(rest) < 2 {
		adminUsage(stderr)
		return 2
	}
	cmd, ok := adminCmds[rest[0]+" "+rest[1]]
	if !ok {
		fmt.Fprintf(stderr, "cpx-portal admin: unknown action %q\n", strings.Join(rest[:2], " "))
		adminUsage(stderr)
		return 2
	}
	adminPhone = otp.PhoneOptions{AllowForeign: c.Auth.ForeignPhone}
	ctx := context.Background()
	st, err := openExistingStore(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, "cpx-portal admin:", err)
		return 1
	}
	defer st.Close()
	if err := cmd.run(ctx, st, rest[2:], stdout); err != nil {
		fmt.Fprintf(stderr, "cpx-portal admin %s: %v\nusage: cpx-portal admin %s\n", strings.Join(rest[:2], " "), err, cmd.usage)
		return 1
	}
	return 0
}

func adminUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: cpx-portal admin [--config FILE] AREA VERB …")
	keys := make([]string, 0, len(adminCmds))
	for k := range adminCmds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintln(w, "  "+adminCmds[k].usage)
	}
}

func want(args []string, n int) error {
	if len(args) != n {
		return fmt.Errorf("want %d argument(s), got %d", n, len(args))
	}
	return nil
}

// argUser checks the argument count and finds the user named by the first argument.
func argUser(ctx context.Context, st *store.Store, args []string, n int) (store.User, error) {
	if err := want(args, n); err != nil {
		return store.User{}, err
	}
	return st.UserByIdentifiant(ctx, args[0])
}

// flags is a flag set for an action's options (errors are returned, never printed).
func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func table(out io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(out, 2, 4, 2, ' ', 0) }

func entityAdd(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	if err := want(a, 2); err != nil {
		return err
	}
	if err := store.ValidateEntity(store.Entity{ID: a[0], Name: a[1]}); err != nil {
		return err
	}
	if err := st.AddEntity(ctx, store.Entity{ID: a[0], Name: a[1]}); err != nil {
		return err
	}
	fmt.Fprintln(out, "entity", a[0], "added")
	return nil
}

func entityList(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	es, err := st.Entities(ctx)
	if err != nil {
		return err
	}
	tw := table(out)
	fmt.Fprintln(tw, "ID\tNAME")
	for _, e := range es {
		fmt.Fprintf(tw, "%s\t%s\n", e.ID, e.Name)
	}
	return tw.Flush()
}

// userForm is what user add and user enrol share: names, e-mail and the first profile.
type userForm struct {
	u             store.User
	entity, label string
}

func (f *userForm) flags(name string) *flag.FlagSet {
	fs := flags(name)
	fs.StringVar(&f.u.GivenName, "given", "", "")
	fs.StringVar(&f.u.FamilyName, "family", "", "")
	fs.StringVar(&f.u.Email, "email", "", "")
	fs.StringVar(&f.entity, "entity", "", "")
	fs.StringVar(&f.label, "profile", "", "")
	return fs
}

// add validates the user and its profile, then adds them.
func (f *userForm) add(ctx context.Context, st *store.Store) error {
	if err := store.ValidateUser(&f.u, adminPhone); err != nil {
		return err
	}
	var ps []store.Profile
	if f.entity != "" {
		if err := store.ValidateProfileLabel(f.label); err != nil {
			return err
		}
		ps = append(ps, store.Profile{EntityID: f.entity, Label: f.label})
	}
	return st.AddUser(ctx, &f.u, ps)
}

func userAdd(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	var f userForm
	fs := f.flags("user add")
	fs.StringVar(&f.u.NationalID, "national-id", "", "")
	fs.StringVar(&f.u.Identifiant, "identifiant", "", "")
	fs.StringVar(&f.u.Mobile, "mobile", "", "")
	noHab := fs.Bool("no-habilitation", false, "")
	if err := fs.Parse(a); err != nil {
		return err
	}
	if f.u.Identifiant == "" || f.u.GivenName == "" || f.u.FamilyName == "" {
		return fmt.Errorf("--identifiant, --given and --family are required")
	}
	if (f.entity == "") != (f.label == "") {
		return fmt.Errorf("--entity and --profile go together")
	}
	f.u.Habilitation = !*noHab
	if err := f.add(ctx, st); err != nil {
		return err
	}
	fmt.Fprintln(out, "user", f.u.Identifiant, "added, id", f.u.ID)
	return nil
}

func userList(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	us, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tw := table(out)
	fmt.Fprintln(tw, "IDENTIFIANT\tNATIONAL ID\tNAME\tE-MAIL\tMOBILE\tHABILITATION\tDISABLED")
	for _, u := range us {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%v\t%v\n", u.Identifiant, u.NationalID, u.DisplayName(), u.Email, u.Mobile, u.Habilitation, u.Disabled)
	}
	return tw.Flush()
}

func userDisable(disable bool) adminFunc {
	return func(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
		u, err := argUser(ctx, st, a, 1)
		if err != nil {
			return err
		}
		state := map[bool]string{true: "disabled", false: "enabled"}[disable]
		if err := st.SetUserDisabled(ctx, u.ID, disable, store.AuditEntry{Event: store.AuditAccount,
			Subject: u.Identifiant, Detail: state}); err != nil {
			return err
		}
		fmt.Fprintln(out, "user", u.Identifiant, state)
		return nil
	}
}

func profileAdd(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	u, err := argUser(ctx, st, a, 3)
	if err != nil {
		return err
	}
	if err := store.ValidateProfileLabel(a[2]); err != nil {
		return err
	}
	p := store.Profile{UserID: u.ID, EntityID: a[1], Label: a[2]}
	if err := st.AddProfile(ctx, &p); err != nil {
		return err
	}
	fmt.Fprintln(out, "profile", p.ID, "added")
	return nil
}

func profileList(ctx context.Context, st *store.Store, a []string, out io.Writer) error {
	u, err := argUser(ctx, st, a, 1)
	if err != nil {
		return err
	}
	ps, err := st.Profiles(ctx, u.ID)
	if err != nil {
		return err
	}
	tw := table(out)
	fmt.Fprintln(tw, "ID\tENTITY\tLABEL")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s (%s)\t%s\n", p.ID, p.EntityName, p.EntityID, p.Label)
	}
	return tw.Flush()
}
