package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Entity is a SAMU entity.
type Entity struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// User is an enrolled account.
type User struct {
	ID           string
	NationalID   string // "" for an account without a card
	Identifiant  string // prénom.nom
	GivenName    string
	FamilyName   string
	Email        string
	Mobile       string
	Habilitation bool // allowed to use the application
	Disabled     bool
	CreatedAt    time.Time
}

// DisplayName is "Given FAMILY".
func (u User) DisplayName() string { return u.GivenName + " " + u.FamilyName }

// Profile is a role of a user in an entity.
type Profile struct {
	ID         string
	UserID     string
	EntityID   string
	EntityName string
	Label      string
}

// Phone is a desk phone of an entity.
type Phone struct {
	EntityID string
	Number   string // numéro unique
	Label    string
	Location string
}

// AddEntity creates an entity (ErrConflict when the id exists).
func (s *Store) AddEntity(ctx context.Context, e Entity) error {
	_, err := s.exec(ctx, "INSERT INTO entities (id, name, created_at) VALUES (?, ?, ?)", e.ID, e.Name, ms(s.now()))
	if IsUnique(err) {
		return fmt.Errorf("entity %s: %w", e.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("add entity: %w", err)
	}
	return nil
}

// Entities lists the entities.
func (s *Store) Entities(ctx context.Context) ([]Entity, error) {
	rows, err := s.query(ctx, "SELECT id, name, created_at FROM entities ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list entities: %w", err)
	}
	defer rows.Close()
	var out []Entity
	for rows.Next() {
		var e Entity
		var at int64
		if err := rows.Scan(&e.ID, &e.Name, &at); err != nil {
			return nil, err
		}
		e.CreatedAt = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddUser enrolls a user with its profiles, all or nothing. u.ID is set when empty.
func (s *Store) AddUser(ctx context.Context, u *User, profiles []Profile) error {
	if u.ID == "" {
		u.ID = NewID()
	}
	return s.Tx(ctx, func(tx *Tx) error {
		var nid any
		if u.NationalID != "" {
			nid = u.NationalID
		}
		if err := userTaken(ctx, tx, u); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO users (id, national_id, identifiant, given_name, family_name,
			email, mobile, habilitation, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, nid, u.Identifiant, u.GivenName, u.FamilyName, u.Email, u.Mobile,
			b2i(u.Habilitation), b2i(u.Disabled), ms(s.now()))
		if IsUnique(err) {
			return fmt.Errorf("user %s: %w", u.Identifiant, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("add user: %w", err)
		}
		for i := range profiles {
			profiles[i].UserID = u.ID
			if err := addProfile(ctx, tx, &profiles[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddProfile gives a user a profile in an entity.
func (s *Store) AddProfile(ctx context.Context, p *Profile) error {
	return s.Tx(ctx, func(tx *Tx) error { return addProfile(ctx, tx, p) })
}

func addProfile(ctx context.Context, tx *Tx, p *Profile) error {
	if p.ID == "" {
		p.ID = NewID()
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM entities WHERE id = ?", p.EntityID).Scan(&n); err != nil {
		return fmt.Errorf("add profile: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("entity %s: %w", p.EntityID, ErrNotFound)
	}
	_, err := tx.Exec(ctx, "INSERT INTO profiles (id, user_id, entity_id, label) VALUES (?, ?, ?, ?)",
		p.ID, p.UserID, p.EntityID, p.Label)
	if IsUnique(err) {
		return fmt.Errorf("profile %s in %s: %w", p.Label, p.EntityID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("add profile: %w", err)
	}
	return nil
}

const userCols = `id, COALESCE(national_id, ''), identifiant, given_name, family_name, email, mobile,
	habilitation, disabled, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var hab, dis int
	var at int64
	err := row.Scan(&u.ID, &u.NationalID, &u.Identifiant, &u.GivenName, &u.FamilyName, &u.Email,
		&u.Mobile, &hab, &dis, &at)
	u.Habilitation, u.Disabled, u.CreatedAt = hab != 0, dis != 0, fromMS(at)
	return u, err
}

// UserByNationalID finds the account of a card holder (ErrNotFound).
func (s *Store) UserByNationalID(ctx context.Context, nid string) (User, error) {
	return s.userWhere(ctx, "national_id = ?", nid)
}

// UserByID finds an account by id (ErrNotFound).
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	return s.userWhere(ctx, "id = ?", id)
}

// UserByIdentifiant finds an account by identifiant or by id (ErrNotFound).
func (s *Store) UserByIdentifiant(ctx context.Context, ident string) (User, error) {
	u, err := s.userWhere(ctx, "identifiant = ?", ident)
	if errors.Is(err, ErrNotFound) {
		return s.userWhere(ctx, "id = ?", ident)
	}
	return u, err
}

func (s *Store) userWhere(ctx context.Context, cond string, arg any) (User, error) {
	u, err := scanUser(s.queryRow(ctx, "SELECT "+userCols+" FROM users WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("read user: %w", err)
	}
	return u, nil
}

// Users lists the accounts.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.query(ctx, "SELECT "+userCols+" FROM users ORDER BY identifiant")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetUserDisabled disables or enables an account and audits it; disabling ends its sessions
// (Tx.EndUserSessions).
func (s *Store) SetUserDisabled(ctx context.Context, userID string, disabled bool, audit AuditEntry) error {
	return s.Tx(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET disabled = ? WHERE id = ?", b2i(disabled), userID)
		if err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if disabled {
			if _, err := tx.EndUserSessions(ctx, userID, ""); err != nil {
				return err
			}
		}
		audit.UserID = userID
		return tx.Audit(ctx, audit)
	})
}

// Profiles lists a user's profiles with their entity's name.
func (s *Store) Profiles(ctx context.Context, userID string) ([]Profile, error) {
	rows, err := s.query(ctx, `SELECT p.id, p.user_id, p.entity_id, e.name, p.label FROM profiles p
		JOIN entities e ON e.id = p.entity_id WHERE p.user_id = ? ORDER BY e.name, p.label`, userID)
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	defer rows.Close()
	var out []Profile
	for rows.Next() {
		var p Profile
		if err := rows.Scan(&p.ID, &p.UserID, &p.EntityID, &p.EntityName, &p.Label); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// userTaken names the unique column a new account collides with (national id, identifiant).
func userTaken(ctx context.Context, tx *Tx, u *User) error {
	for _, c := range []struct{ col, field, v string }{
		{"national_id", "national id", u.NationalID}, {"identifiant", "identifiant", u.Identifiant}} {
		if c.v == "" {
			continue
		}
		var other string
		err := tx.QueryRow(ctx, "SELECT identifiant FROM users WHERE "+c.col+" = ?", c.v).Scan(&other)
		if err == nil {
			return fmt.Errorf("%s %s already belongs to %s: %w", c.field, c.v, other, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("add user: %w", err)
		}
	}
	return nil
}
