// Package institutions holds all SQL of the tenants: institutions, their
// organisation charts (departments), their staff accounts and their machine
// clients. Callers decide who may act; row-level security holds every
// statement here to the transaction's scope underneath.
//
// Creating is idempotent by a natural key (an institution's CIF, a
// department's code, a staff member's email, a machine client's name): a
// repeated request finds the row the first one made (Existed), and a
// different request for a key already taken is told so (Conflicted).
package institutions

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Refusals; callers turn them into answers.
var (
	ErrNotFound       = errors.New("not found")
	ErrParentNotFound = errors.New("the parent department does not exist in this institution")
	ErrCycle          = errors.New("a department cannot be moved under itself or one of its own sub-departments")
	ErrCodeTaken      = errors.New("another department of the institution has this code")
	ErrHasChildren    = errors.New("the department has sub-departments")
	ErrHasRoles       = errors.New("roles are (or were) assigned in the department")
	ErrInUse          = errors.New("the department is referred to by other records")
	ErrEmailTaken     = errors.New("the address belongs to another account")
	ErrClosed         = errors.New("the machine client is closed")
)

// Result says what a creating call found.
type Result int

// Results of creating.
const (
	// Created: the row is new.
	Created Result = iota + 1
	// Existed: a row with the same natural key and the same data was there,
	// so this was a repeat of the request that made it.
	Existed
	// Conflicted: the natural key is taken by a row with other data.
	Conflicted
)

// Institution is a tenant: the municipality or an institution under it.
type Institution struct {
	ID              uuid.UUID  `json:"id"`
	ParentID        *uuid.UUID `json:"parentId"`
	CIF             string     `json:"cif"`
	Name            string     `json:"name"`
	Address         string     `json:"address"`
	TimeZone        string     `json:"timeZone"`
	RequireStaffMFA bool       `json:"requireStaffMfa"`
	// RequireAdminMFA: staff holding an administrative permission here must
	// have a second factor (the default; access.SecondFactorRequired).
	RequireAdminMFA bool      `json:"requireAdminMfa"`
	CreatedAt       time.Time `json:"createdAt"`
	UpdatedAt       time.Time `json:"updatedAt"`
}

const institutionColumns = `id, parent_id, cif, name, address, time_zone, require_staff_mfa, require_admin_mfa, created_at, updated_at`

func scanInstitution(row pgx.Row) (Institution, error) {
	var i Institution
	err := row.Scan(&i.ID, &i.ParentID, &i.CIF, &i.Name, &i.Address, &i.TimeZone, &i.RequireStaffMFA, &i.RequireAdminMFA, &i.CreatedAt, &i.UpdatedAt)
	return i, err
}

// Page sizes of lists.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Cursor is a keyset position in a list sorted by name: the name and id of
// the last row of the previous page.
type Cursor struct {
	Name string
	ID   uuid.UUID
}

// String is the cursor as clients pass it back: opaque, URL-safe.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString(append(c.ID[:], c.Name...))
}

// ParseCursor reads what String wrote.
func ParseCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < len(uuid.UUID{}) {
		return Cursor{}, errors.New("not a cursor of this list")
	}
	var c Cursor
	copy(c.ID[:], b)
	c.Name = string(b[len(c.ID):])
	return c, nil
}

// Page selects one page of a list.
type Page struct {
	// After is the previous page's next cursor; nil for the first page.
	After *Cursor
	// Limit is the page size: DefaultLimit when not set, at most MaxLimit.
	Limit int
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return DefaultLimit
	}
	return min(p.Limit, MaxLimit)
}

// after is the cursor's parts as query arguments: NULLs for the first page.
func (p Page) after() (*string, *uuid.UUID) {
	if p.After == nil {
		return nil, nil
	}
	return &p.After.Name, &p.After.ID
}

// collectPage reads up to limit rows and, when there are more (the query
// asks for one row more than the page), the cursor of the next page.
func collectPage[T any](rows pgx.Rows, limit int, scan func(pgx.CollectableRow) (T, error), key func(T) Cursor) ([]T, *Cursor, error) {
	items, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, nil, err
	}
	if len(items) <= limit {
		return items, nil, nil
	}
	items = items[:limit]
	next := key(items[limit-1])
	return items, &next, nil
}

// Get returns the institution id.
func Get(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Institution, error) {
	i, err := scanInstitution(tx.QueryRow(ctx, `SELECT `+institutionColumns+` FROM institution WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Institution{}, ErrNotFound
	}
	if err != nil {
		return Institution{}, fmt.Errorf("get institution %s: %w", id, err)
	}
	return i, nil
}

// List returns one page of the directory sorted by name, only the
// institutions directly under parent unless parent is uuid.Nil, and the
// cursor of the next page (nil on the last one).
func List(ctx context.Context, tx pgx.Tx, parent uuid.UUID, page Page) ([]Institution, *Cursor, error) {
	var parentArg *uuid.UUID
	if parent != uuid.Nil {
		parentArg = &parent
	}
	afterName, afterID := page.after()
	rows, err := tx.Query(ctx, `
		SELECT `+institutionColumns+` FROM institution
		WHERE ($1::uuid IS NULL OR parent_id = $1)
		  AND ($2::text IS NULL OR (name, id) > ($2, $3::uuid))
		ORDER BY name, id
		LIMIT $4`, parentArg, afterName, afterID, page.limit()+1)
	if err != nil {
		return nil, nil, fmt.Errorf("list institutions: %w", err)
	}
	items, next, err := collectPage(rows, page.limit(),
		func(r pgx.CollectableRow) (Institution, error) { return scanInstitution(r) },
		func(i Institution) Cursor { return Cursor{Name: i.Name, ID: i.ID} })
	if err != nil {
		return nil, nil, fmt.Errorf("list institutions: %w", err)
	}
	return items, next, nil
}

// NewInstitution is an institution to create.
type NewInstitution struct {
	ID uuid.UUID
	// Parent is the institution it is under; uuid.Nil for a top-level one,
	// which only platform scope may create.
	Parent uuid.UUID
	// CIF is the digits of a valid fiscal code (nationalid.CUI.Digits).
	CIF             string
	Name            string
	Address         string
	TimeZone        string
	RequireStaffMFA bool
	// RelaxAdminMFA lets administrators work without a second factor; the
	// zero value keeps the default, which asks for one.
	RelaxAdminMFA bool
}

// Create makes the institution unless its CIF is taken. For a CIF already
// there it returns that institution, Existed if everything else matches
// too, else Conflicted.
func Create(ctx context.Context, tx pgx.Tx, n NewInstitution) (Institution, Result, error) {
	var parent *uuid.UUID
	if n.Parent != uuid.Nil {
		parent = &n.Parent
	}
	// ON CONFLICT waits for a concurrent insert of the same CIF to end, so
	// of two racing requests one creates and the other finds.
	i, err := scanInstitution(tx.QueryRow(ctx, `
		INSERT INTO institution (id, parent_id, cif, name, address, time_zone, require_staff_mfa, require_admin_mfa)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (cif) DO NOTHING
		RETURNING `+institutionColumns,
		n.ID, parent, n.CIF, n.Name, n.Address, n.TimeZone, n.RequireStaffMFA, !n.RelaxAdminMFA))
	if err == nil {
		return i, Created, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Institution{}, 0, fmt.Errorf("create institution %s: %w", n.CIF, err)
	}
	i, err = scanInstitution(tx.QueryRow(ctx, `SELECT `+institutionColumns+` FROM institution WHERE cif = $1`, n.CIF))
	if err != nil {
		return Institution{}, 0, fmt.Errorf("find institution %s: %w", n.CIF, err)
	}
	same := i.Name == n.Name && i.Address == n.Address && i.TimeZone == n.TimeZone &&
		i.RequireStaffMFA == n.RequireStaffMFA && i.RequireAdminMFA == !n.RelaxAdminMFA && orNil(i.ParentID) == n.Parent
	if same {
		return i, Existed, nil
	}
	return i, Conflicted, nil
}

// Lock reads the institution and locks its row until tx ends, so a change
// can be checked against what the caller last saw.
func Lock(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Institution, error) {
	i, err := scanInstitution(tx.QueryRow(ctx, `SELECT `+institutionColumns+` FROM institution WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Institution{}, ErrNotFound
	}
	if err != nil {
		return Institution{}, fmt.Errorf("lock institution %s: %w", id, err)
	}
	return i, nil
}

// Changes to an institution; nil fields stay as they are.
type Changes struct {
	Name, Address, TimeZone *string
	RequireStaffMFA         *bool
	RequireAdminMFA         *bool
}

// Update changes the institution. updated_at is its version (the ETag), so
// it always moves forward, even when the clock does not.
func Update(ctx context.Context, tx pgx.Tx, id uuid.UUID, c Changes) (Institution, error) {
	i, err := scanInstitution(tx.QueryRow(ctx, `
		UPDATE institution SET
			name = coalesce($2, name),
			address = coalesce($3, address),
			time_zone = coalesce($4, time_zone),
			require_staff_mfa = coalesce($5, require_staff_mfa),
			require_admin_mfa = coalesce($6, require_admin_mfa),
			updated_at = greatest(clock_timestamp(), updated_at + interval '1 microsecond')
		WHERE id = $1
		RETURNING `+institutionColumns, id, c.Name, c.Address, c.TimeZone, c.RequireStaffMFA, c.RequireAdminMFA))
	if errors.Is(err, pgx.ErrNoRows) {
		return Institution{}, ErrNotFound
	}
	if err != nil {
		return Institution{}, fmt.Errorf("update institution %s: %w", id, err)
	}
	return i, nil
}

// TimeZoneKnown reports whether PostgreSQL knows the zone: access checks
// role validity with `now() AT TIME ZONE institution.time_zone`, so a zone
// only Go knows would break every sign-in at the institution.
func TimeZoneKnown(ctx context.Context, tx pgx.Tx, name string) (bool, error) {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_timezone_names WHERE name = $1)`, name).Scan(&ok); err != nil {
		return false, fmt.Errorf("check time zone: %w", err)
	}
	return ok, nil
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func equalIDs(a, b *uuid.UUID) bool { return orNil(a) == orNil(b) }
