package institutions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/links"
)

// InvitationValidity is how long the link mailed to a new staff member
// stays usable: long enough to come back from a week's leave.
const InvitationValidity = 7 * 24 * time.Hour

// StaffMember is a staff account of an institution.
type StaffMember struct {
	ID            uuid.UUID   `json:"id"`
	InstitutionID uuid.UUID   `json:"institutionId"`
	Email         string      `json:"email"`
	DisplayName   string      `json:"displayName"`
	Phone         *string     `json:"phone"`
	Locale        string      `json:"locale"`
	Status        string      `json:"status"`
	EmailVerified bool        `json:"emailVerified"`
	MFAEnabled    bool        `json:"mfaEnabled"`
	Roles         []StaffRole `json:"roles"`
	CreatedAt     time.Time   `json:"createdAt"`
}

// StaffRole is a role a staff member holds (or will hold) in the
// institution: assignments neither revoked nor expired, on the institution's
// day (its time zone's, never the database server's).
type StaffRole struct {
	Role         string     `json:"role"`
	DepartmentID *uuid.UUID `json:"departmentId"`
	ValidFrom    string     `json:"validFrom"`
	ValidUntil   *string    `json:"validUntil"`
}

// staffSelect reads staff members with their current roles; the WHERE
// clause is appended.
const staffSelect = `
	SELECT a.id, a.institution_id, a.email, a.display_name, a.phone, a.locale, a.status,
	       a.email_verified_at IS NOT NULL, a.totp_enabled_at IS NOT NULL,
	       coalesce((SELECT json_agg(json_build_object('role', ra.role_code, 'departmentId', ra.department_id,
	                                                   'validFrom', ra.valid_from, 'validUntil', ra.valid_until)
	                                 ORDER BY ra.role_code, ra.department_id)
	                 FROM role_assignment ra
	                 WHERE ra.institution_id = a.institution_id AND ra.account_id = a.id AND ra.revoked_at IS NULL
	                   AND (ra.valid_until IS NULL OR ra.valid_until >= (SELECT (now() AT TIME ZONE i.time_zone)::date
	                                                                      FROM institution i WHERE i.id = a.institution_id))), '[]'),
	       a.created_at
	FROM account a
	WHERE a.kind = 'staff' AND a.institution_id = $1 `

func scanStaff(row pgx.Row) (StaffMember, error) {
	var s StaffMember
	err := row.Scan(&s.ID, &s.InstitutionID, &s.Email, &s.DisplayName, &s.Phone, &s.Locale, &s.Status,
		&s.EmailVerified, &s.MFAEnabled, &s.Roles, &s.CreatedAt)
	return s, err
}

// ListStaff returns one page of the institution's staff sorted by name, and
// the cursor of the next page (nil on the last one).
func ListStaff(ctx context.Context, tx pgx.Tx, institution uuid.UUID, page Page) ([]StaffMember, *Cursor, error) {
	afterName, afterID := page.after()
	rows, err := tx.Query(ctx, staffSelect+`
		  AND ($2::text IS NULL OR (a.display_name, a.id) > ($2, $3::uuid))
		ORDER BY a.display_name, a.id
		LIMIT $4`, institution, afterName, afterID, page.limit()+1)
	if err != nil {
		return nil, nil, fmt.Errorf("list staff of %s: %w", institution, err)
	}
	items, next, err := collectPage(rows, page.limit(),
		func(r pgx.CollectableRow) (StaffMember, error) { return scanStaff(r) },
		func(s StaffMember) Cursor { return Cursor{Name: s.DisplayName, ID: s.ID} })
	if err != nil {
		return nil, nil, fmt.Errorf("list staff of %s: %w", institution, err)
	}
	return items, next, nil
}

// GetStaff returns one staff member of the institution.
func GetStaff(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (StaffMember, error) {
	s, err := scanStaff(tx.QueryRow(ctx, staffSelect+`AND a.id = $2`, institution, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return StaffMember{}, ErrNotFound
	}
	if err != nil {
		return StaffMember{}, fmt.Errorf("get staff member %s: %w", id, err)
	}
	return s, nil
}

// NewStaff is a staff account to create.
type NewStaff struct {
	ID, Institution uuid.UUID
	// Email is lower case, as every address is stored.
	Email, DisplayName string
	Phone              string // empty: none
	Locale             string
	// PasswordHash and Verified are for the demo seed only: an invited
	// member has neither until following the invitation link, which sets
	// the password and proves the address at once.
	PasswordHash string
	Verified     bool
}

// CreateStaff makes the staff account unless an active account has the
// address. When one of the institution's staff has it, it returns that
// member, Existed if name, phone and language match, else Conflicted. When
// any other account has it, ErrEmailTaken (an institution does not see
// citizens' or other institutions' accounts, and is told no more).
func CreateStaff(ctx context.Context, tx pgx.Tx, n NewStaff) (StaffMember, Result, error) {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `
		INSERT INTO account (id, kind, institution_id, email, email_verified_at, phone, display_name, password_hash, locale)
		VALUES ($1, 'staff', $2, $3, CASE WHEN $4 THEN now() END, nullif($5, ''), $6, nullif($7, ''), $8)
		ON CONFLICT (lower(email)) WHERE status = 'active' DO NOTHING
		RETURNING id`, n.ID, n.Institution, n.Email, n.Verified, n.Phone, n.DisplayName, n.PasswordHash, n.Locale).Scan(&id)
	if err == nil {
		s, err := GetStaff(ctx, tx, n.Institution, id)
		return s, Created, err
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return StaffMember{}, 0, fmt.Errorf("create staff member: %w", err)
	}
	s, err := scanStaff(tx.QueryRow(ctx, staffSelect+`AND lower(a.email) = lower($2) AND a.status = 'active'`, n.Institution, n.Email))
	if errors.Is(err, pgx.ErrNoRows) {
		return StaffMember{}, 0, ErrEmailTaken
	}
	if err != nil {
		return StaffMember{}, 0, fmt.Errorf("find staff member: %w", err)
	}
	phone := ""
	if s.Phone != nil {
		phone = *s.Phone
	}
	if s.DisplayName == n.DisplayName && phone == n.Phone && s.Locale == n.Locale {
		return s, Existed, nil
	}
	return s, Conflicted, nil
}

// Invite mails a new staff member the link to set a password, in tx, and
// returns the outbox row to publish after commit. The link is a
// password-reset link, in a mail of its own that says it is an invitation:
// following it sets the password and proves the address, which is all an
// invitation has to do. Row-level security lets an
// institution create such a token for its own accounts only.
func Invite(ctx context.Context, tx pgx.Tx, mailer links.Mailer, institution, account uuid.UUID) (int64, error) {
	id, err := mailer.Mail(ctx, tx, account, institution, links.Invitation, InvitationValidity)
	if err != nil {
		return 0, fmt.Errorf("invite: %w", err)
	}
	return id, nil
}

// HashParams are the argon2id parameters of staff passwords and machine
// client secrets: auth's for passwords (OWASP's minimum: 19 MiB, 2 passes,
// 1 lane), since auth verifies both.
func HashParams() *argon2id.Params {
	return &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}
