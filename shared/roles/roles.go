// Package roles assigns roles to the accounts of an institution and revokes
// them, under rules that keep authority from growing by itself: nobody
// grants what they do not hold, nobody changes their own roles, and an
// institution never loses its last administrator. The rules are in one
// place, Check, which the HTTP API and the requests that arrive as events
// both go through.
//
// All SQL of role_assignment is here, but for the query of a caller's grants,
// which access.LoadGrants keeps beside authentication.
package roles

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Administrator is the role that holds every permission; an institution
// always keeps one, for the whole institution.
const Administrator = "administrator"

// Assignment is one role held by an account in an institution.
type Assignment struct {
	ID          uuid.UUID
	Institution uuid.UUID
	Account     uuid.UUID
	Role        string
	// Department limits the role to one department; uuid.Nil means the
	// whole institution.
	Department uuid.UUID
	// ValidFrom and ValidUntil are calendar dates in the institution's time
	// zone, both included, held as midnight UTC. A nil ValidUntil never
	// ends; a zero ValidFrom given to Check or Assign means today.
	ValidFrom  time.Time
	ValidUntil *time.Time
	// GrantedBy is uuid.Nil for assignments nobody granted (seeded).
	GrantedBy uuid.UUID
	Reason    string
	CreatedAt time.Time
	// Revocation: a revoked assignment is kept, with who ended it and why.
	RevokedAt    *time.Time
	RevokedBy    uuid.UUID
	RevokeReason string
}

// Revoked reports whether a was revoked.
func (a Assignment) Revoked() bool { return a.RevokedAt != nil }

// ActiveOn reports whether a is in force on day (a date, midnight UTC).
func (a Assignment) ActiveOn(day time.Time) bool {
	return !a.Revoked() && !a.ValidFrom.After(day) && (a.ValidUntil == nil || !a.ValidUntil.Before(day))
}

const columns = `institution_id, id, account_id, role_code, department_id, valid_from, valid_until, granted_by, reason,
	created_at, revoked_at, revoked_by, revoke_reason`

func scan(r pgx.CollectableRow) (Assignment, error) {
	var a Assignment
	var dept, grantedBy, revokedBy *uuid.UUID
	var revokeReason *string
	err := r.Scan(&a.Institution, &a.ID, &a.Account, &a.Role, &dept, &a.ValidFrom, &a.ValidUntil, &grantedBy, &a.Reason,
		&a.CreatedAt, &a.RevokedAt, &revokedBy, &revokeReason)
	a.Department, a.GrantedBy, a.RevokedBy = orNil(dept), orNil(grantedBy), orNil(revokedBy)
	if revokeReason != nil {
		a.RevokeReason = *revokeReason
	}
	return a, err
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func nullable(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Assign records a in tx and returns it as stored. It does not judge:
// call Check first, in the same transaction. A zero a.ID gets a new
// time-ordered one (so lists page in creation order); a zero a.ValidFrom
// is today in the institution's time zone.
func Assign(ctx context.Context, tx pgx.Tx, a Assignment) (Assignment, error) {
	if a.ID == uuid.Nil {
		id, err := uuid.NewV7()
		if err != nil {
			return Assignment{}, fmt.Errorf("assign role: %w", err)
		}
		a.ID = id
	}
	var from *time.Time
	if !a.ValidFrom.IsZero() {
		from = &a.ValidFrom
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO role_assignment (institution_id, id, account_id, role_code, department_id, valid_from, valid_until, granted_by, reason)
		SELECT i.id, $2::uuid, $3::uuid, $4::text, $5::uuid, coalesce($6::date, (now() AT TIME ZONE i.time_zone)::date),
		       $7::date, $8::uuid, $9::text
		FROM institution i WHERE i.id = $1
		RETURNING `+columns,
		a.Institution, a.ID, a.Account, a.Role, nullable(a.Department), from, a.ValidUntil, nullable(a.GrantedBy), a.Reason)
	if err != nil {
		return Assignment{}, fmt.Errorf("assign role %s to %s: %w", a.Role, a.Account, err)
	}
	stored, err := pgx.CollectExactlyOneRow(rows, scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return Assignment{}, fmt.Errorf("assign role %s to %s: no institution %s", a.Role, a.Account, a.Institution)
	}
	if err != nil {
		return Assignment{}, fmt.Errorf("assign role %s to %s: %w", a.Role, a.Account, err)
	}
	return stored, nil
}

// Revoke ends assignment id of institution now, recording by and reason,
// and returns it as stored. It does not judge: call Check first, in the same
// transaction. An assignment that does not exist or was already revoked is
// ErrAssignmentNotFound.
func Revoke(ctx context.Context, tx pgx.Tx, institution, id, by uuid.UUID, reason string) (Assignment, error) {
	rows, err := tx.Query(ctx, `
		UPDATE role_assignment SET revoked_at = now(), revoked_by = $3, revoke_reason = $4
		WHERE institution_id = $1 AND id = $2 AND revoked_at IS NULL
		RETURNING `+columns, institution, id, nullable(by), reason)
	if err != nil {
		return Assignment{}, fmt.Errorf("revoke role assignment %s: %w", id, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return Assignment{}, fmt.Errorf("revoke role assignment %s: %w", id, ErrAssignmentNotFound)
	}
	if err != nil {
		return Assignment{}, fmt.Errorf("revoke role assignment %s: %w", id, err)
	}
	return a, nil
}

// get reads one assignment; lock takes its row lock until tx ends.
func get(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, lock bool) (Assignment, error) {
	sql := `SELECT ` + columns + ` FROM role_assignment WHERE institution_id = $1 AND id = $2`
	if lock {
		sql += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, sql, institution, id)
	if err != nil {
		return Assignment{}, fmt.Errorf("role assignment %s: %w", id, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return Assignment{}, ErrAssignmentNotFound
	}
	if err != nil {
		return Assignment{}, fmt.Errorf("role assignment %s: %w", id, err)
	}
	return a, nil
}

// List page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Filter selects assignments of one institution.
type Filter struct {
	Institution uuid.UUID
	// Account, if set, keeps only that account's assignments.
	Account uuid.UUID
	// IncludeRevoked lists revoked assignments too; by default only those
	// not revoked (ended or future ones included).
	IncludeRevoked bool
	// After is the keyset cursor: the next value of the previous page.
	After uuid.UUID
	// Limit is the page size: DefaultLimit if not set, at most MaxLimit.
	Limit int
}

// List returns one page of f.Institution's assignments in id order (ids are
// time-ordered, so oldest first), and next, the cursor of the following
// page (uuid.Nil on the last one).
func List(ctx context.Context, tx pgx.Tx, f Filter) (page []Assignment, next uuid.UUID, err error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	// Only the filters in use go into the statement, so each combination
	// gets a plan of its own.
	where := []string{"institution_id = $1"}
	args := []any{f.Institution}
	if f.Account != uuid.Nil {
		args = append(args, f.Account)
		where = append(where, fmt.Sprintf("account_id = $%d", len(args)))
	}
	if !f.IncludeRevoked {
		where = append(where, "revoked_at IS NULL")
	}
	if f.After != uuid.Nil {
		args = append(args, f.After)
		where = append(where, fmt.Sprintf("id > $%d", len(args)))
	}
	// One row more than the page tells whether there is a next page.
	args = append(args, limit+1)
	rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT %s FROM role_assignment WHERE %s ORDER BY id LIMIT $%d`,
		columns, strings.Join(where, " AND "), len(args)), args...)
	if err != nil {
		return nil, uuid.Nil, fmt.Errorf("list role assignments of %s: %w", f.Institution, err)
	}
	page, err = pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, uuid.Nil, fmt.Errorf("list role assignments of %s: %w", f.Institution, err)
	}
	if len(page) > limit {
		page = page[:limit]
		next = page[limit-1].ID
	}
	return page, next, nil
}

// today is the date in institution's time zone: what "valid today" means
// there, as access.LoadGrants reads it.
func today(ctx context.Context, tx pgx.Tx, institution uuid.UUID) (time.Time, error) {
	var d time.Time
	err := tx.QueryRow(ctx, `SELECT (now() AT TIME ZONE time_zone)::date FROM institution WHERE id = $1`, institution).Scan(&d)
	if err != nil {
		return time.Time{}, fmt.Errorf("today in institution %s: %w", institution, err)
	}
	return d, nil
}

// lockAdministrators locks every whole-institution administrator
// assignment of institution that is not revoked, in id order, and returns
// them. Two revocations that could each remove the last administrator thus
// run one after the other, and the second sees the first's effect: a row
// it waited for is read again once the first commits, and left out if it
// was revoked meanwhile. Locking in one order means they never deadlock.
func lockAdministrators(ctx context.Context, tx pgx.Tx, institution uuid.UUID) ([]Assignment, error) {
	rows, err := tx.Query(ctx, `SELECT `+columns+` FROM role_assignment
		WHERE institution_id = $1 AND role_code = $2 AND department_id IS NULL AND revoked_at IS NULL
		ORDER BY id FOR UPDATE`, institution, Administrator)
	if err != nil {
		return nil, fmt.Errorf("lock administrators of %s: %w", institution, err)
	}
	admins, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("lock administrators of %s: %w", institution, err)
	}
	return admins, nil
}
