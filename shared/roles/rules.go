package roles

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
)

// PermAssign is the permission to assign and revoke roles.
const PermAssign = "roles.assign"

// Refusal is a change the rules do not allow. Code is stable, for programs
// (problem responses, refused events); Field names the input at fault, if
// one is; Message (Romanian) and MessageEn say why, to people.
type Refusal struct {
	Code      string
	Field     string
	Message   string
	MessageEn string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.MessageEn }

// Is matches refusals by code, so errors.Is(err, ErrLastAdministrator)
// holds whatever detail the message of err adds.
func (r *Refusal) Is(target error) bool {
	t, ok := target.(*Refusal)
	return ok && t.Code == r.Code
}

// with returns a copy of r with details appended to its messages.
func (r *Refusal) with(ro, en string) *Refusal {
	c := *r
	c.Message += " " + ro
	c.MessageEn += " " + en
	return &c
}

// The refusals. Compare with errors.Is; errors.As gives the *Refusal with
// its code and messages.
var (
	// ErrForbidden: the grantor does not hold roles.assign in the institution.
	ErrForbidden = &Refusal{Code: "forbidden",
		Message:   "Nu aveți dreptul să atribuiți sau să revocați roluri în această instituție.",
		MessageEn: "You may not assign or revoke roles in this institution."}
	// ErrActorNotAllowed: the account named as the sender of a request is
	// not an active machine client of the institution.
	ErrActorNotAllowed = &Refusal{Code: "actor_not_allowed",
		Message:   "Expeditorul cererii nu este un sistem activ al instituției.",
		MessageEn: "The sender of the request is not an active machine client of the institution."}
	// ErrGrantExceedsOwnPermissions: the role holds a permission the
	// grantor does not (rule 1).
	ErrGrantExceedsOwnPermissions = &Refusal{Code: "grant_exceeds_own_permissions",
		Message:   "Nu puteți acorda sau retrage un rol cu drepturi pe care nu le aveți.",
		MessageEn: "You cannot grant or revoke a role with permissions you do not hold."}
	// ErrOwnRoles: the grantor's own account (rule 2).
	ErrOwnRoles = &Refusal{Code: "own_roles",
		Message:   "Nu vă puteți modifica propriile roluri.",
		MessageEn: "You cannot change your own roles."}
	// ErrLastAdministrator: the institution's last administrator (rule 3).
	ErrLastAdministrator = &Refusal{Code: "last_administrator",
		Message:   "Este ultimul administrator al instituției: numiți întâi altul.",
		MessageEn: "This is the institution's last administrator: appoint another first."}
	// ErrAccountNotFound: no active staff or machine account of the
	// institution has that id (rule 4). Citizens and other institutions'
	// accounts are not found: row-level security hides them.
	ErrAccountNotFound = &Refusal{Code: "account_not_found",
		Message:   "Instituția nu are un cont activ de angajat sau de sistem cu acest identificator.",
		MessageEn: "The institution has no active staff or machine account with this id."}
	// ErrDepartmentNotFound: not a department of the institution (rule 4).
	ErrDepartmentNotFound = &Refusal{Code: "department_not_found", Field: "departmentId",
		Message:   "Compartimentul nu aparține instituției.",
		MessageEn: "The department is not one of the institution's."}
	// ErrRoleNotFound: no such role (rule 4).
	ErrRoleNotFound = &Refusal{Code: "role_not_found", Field: "role",
		Message:   "Rolul nu există.",
		MessageEn: "There is no such role."}
	// ErrInvalidPeriod: validUntil is before validFrom (rule 4).
	ErrInvalidPeriod = &Refusal{Code: "invalid_period", Field: "validUntil",
		Message:   "Data de sfârșit nu poate fi înaintea datei de început.",
		MessageEn: "The end date cannot be before the start date."}
	// ErrEndsInPast: validUntil is before today in the institution's time
	// zone, so the assignment would never be in force (rule 4).
	ErrEndsInPast = &Refusal{Code: "ends_in_past", Field: "validUntil",
		Message:   "Data de sfârșit nu poate fi în trecut: rolul nu ar fi valabil nicio zi.",
		MessageEn: "The end date cannot be in the past: the role would never be in force."}
	// ErrReasonTooShort and ErrReasonTooLong: every change says why.
	ErrReasonTooShort = &Refusal{Code: "reason_too_short", Field: "reason",
		Message:   "Motivul trebuie să aibă cel puțin 5 caractere.",
		MessageEn: "The reason must be at least 5 characters long."}
	ErrReasonTooLong = &Refusal{Code: "reason_too_long", Field: "reason",
		Message:   "Motivul poate avea cel mult 1000 de caractere.",
		MessageEn: "The reason may be at most 1000 characters long."}
	// ErrAssignmentNotFound: no such assignment in the institution (or not
	// of the account and role the request names).
	ErrAssignmentNotFound = &Refusal{Code: "assignment_not_found",
		Message:   "Atribuirea de rol nu există.",
		MessageEn: "There is no such role assignment."}
	// ErrAlreadyRevoked: the assignment was revoked before.
	ErrAlreadyRevoked = &Refusal{Code: "already_revoked",
		Message:   "Atribuirea de rol a fost deja revocată.",
		MessageEn: "The role assignment was already revoked."}
)

// Reason length bounds, in characters.
const (
	MinReason = 5
	MaxReason = 1000
)

// Action is what a request does.
type Action string

// Actions.
const (
	ActionAssign Action = "assign"
	ActionRevoke Action = "revoke"
)

// Request is a change a grantor asks for in an institution.
type Request struct {
	Action      Action
	Institution uuid.UUID
	// To assign: the role, to whom, where and when. To revoke, Account and
	// Role may be set too, and must then be those of the assignment: a
	// sender that names them cannot end another assignment by mistake.
	Account    uuid.UUID
	Role       string
	Department uuid.UUID  // uuid.Nil: the whole institution
	ValidFrom  time.Time  // a date; zero: today in the institution's time zone
	ValidUntil *time.Time // a date; nil: no end
	// To revoke: the assignment.
	Assignment uuid.UUID
	// Reason is why, for both.
	Reason string
}

// Check applies the rules to req made by grantor (nil: nobody signed in),
// in tx, the transaction that then makes the change. It returns the
// assignment to pass to Assign (defaults filled in, granted by grantor),
// or the one to revoke as it is now, locked until tx ends. A refusal is a
// *Refusal; any other error is a failure to find out.
//
// The rules:
//  1. nobody grants a permission they do not hold: the grantor holds, in
//     the institution, every permission of the role assigned or revoked;
//  2. nobody changes their own roles;
//  3. an institution keeps an administrator: the last active
//     whole-institution administrator assignment cannot be revoked;
//  4. the account is an active staff member or machine client of the
//     institution, the department one of its departments, the role exists,
//     the period does not end before it starts nor before today (in the
//     institution's time zone), and a reason is given.
//
// The grantor must also hold roles.assign there: HTTP routes check it
// before, requests that arrive as events are checked only here.
func Check(ctx context.Context, tx pgx.Tx, grantor *access.Principal, req Request) (Assignment, error) {
	if grantor == nil || !grantor.Can(PermAssign, req.Institution) {
		return Assignment{}, ErrForbidden
	}
	if err := checkReason(req.Reason); err != nil {
		return Assignment{}, err
	}
	switch req.Action {
	case ActionAssign:
		return checkAssign(ctx, tx, grantor, req)
	case ActionRevoke:
		return checkRevoke(ctx, tx, grantor, req)
	}
	return Assignment{}, fmt.Errorf("check role request: unknown action %q", req.Action)
}

func checkReason(reason string) error {
	n := utf8.RuneCountInString(strings.TrimSpace(reason))
	switch {
	case n < MinReason:
		return ErrReasonTooShort
	case n > MaxReason:
		return ErrReasonTooLong
	}
	return nil
}

func checkAssign(ctx context.Context, tx pgx.Tx, grantor *access.Principal, req Request) (Assignment, error) {
	if req.Account == grantor.Account {
		return Assignment{}, ErrOwnRoles
	}
	a := Assignment{Institution: req.Institution, Account: req.Account, Role: req.Role, Department: req.Department,
		ValidFrom: req.ValidFrom, ValidUntil: req.ValidUntil, GrantedBy: grantor.Account, Reason: strings.TrimSpace(req.Reason)}
	day, err := today(ctx, tx, req.Institution)
	if err != nil {
		return Assignment{}, err
	}
	if a.ValidFrom.IsZero() {
		a.ValidFrom = day
	}
	if a.ValidUntil != nil && a.ValidUntil.Before(a.ValidFrom) {
		return Assignment{}, ErrInvalidPeriod
	}
	// An assignment valid only in the past grants nothing and would read,
	// in the list, as if it had been in force then.
	if a.ValidUntil != nil && a.ValidUntil.Before(day) {
		return Assignment{}, ErrEndsInPast
	}
	if err := checkPermissions(ctx, tx, grantor, req.Institution, req.Role); err != nil {
		return Assignment{}, err
	}
	// Row-level security shows a tenant transaction only its own
	// institution's staff and machine clients; the conditions are spelled
	// out all the same, so the rule does not rest on the scope alone.
	var found bool
	err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM account
		WHERE id = $1 AND institution_id = $2 AND kind IN ('staff', 'machine') AND status = 'active')`,
		req.Account, req.Institution).Scan(&found)
	if err != nil {
		return Assignment{}, fmt.Errorf("check account %s: %w", req.Account, err)
	}
	if !found {
		return Assignment{}, ErrAccountNotFound
	}
	if req.Department != uuid.Nil {
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM department WHERE institution_id = $1 AND id = $2)`,
			req.Institution, req.Department).Scan(&found)
		if err != nil {
			return Assignment{}, fmt.Errorf("check department %s: %w", req.Department, err)
		}
		if !found {
			return Assignment{}, ErrDepartmentNotFound
		}
	}
	return a, nil
}

// checkPermissions applies rule 1 to role.
func checkPermissions(ctx context.Context, tx pgx.Tx, grantor *access.Principal, institution uuid.UUID, role string) error {
	var perms []string
	err := tx.QueryRow(ctx, `SELECT array(SELECT permission_code FROM role_permission WHERE role_code = r.code ORDER BY 1)
		FROM role r WHERE r.code = $1`, role).Scan(&perms)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrRoleNotFound
	}
	if err != nil {
		return fmt.Errorf("permissions of role %s: %w", role, err)
	}
	missing := slices.DeleteFunc(perms, func(p string) bool { return grantor.Can(p, institution) })
	if len(missing) > 0 {
		list := strings.Join(missing, ", ")
		return ErrGrantExceedsOwnPermissions.with("Vă lipsesc: "+list+".", "You lack: "+list+".")
	}
	return nil
}

func checkRevoke(ctx context.Context, tx pgx.Tx, grantor *access.Principal, req Request) (Assignment, error) {
	a, err := get(ctx, tx, req.Institution, req.Assignment, false)
	if err != nil {
		return Assignment{}, err
	}
	if (req.Account != uuid.Nil && req.Account != a.Account) || (req.Role != "" && req.Role != a.Role) {
		return Assignment{}, ErrAssignmentNotFound
	}
	if a.Account == grantor.Account {
		return Assignment{}, ErrOwnRoles
	}
	if err := checkPermissions(ctx, tx, grantor, req.Institution, a.Role); err != nil {
		return Assignment{}, err
	}
	// Lock before judging, and judge what is there once locked. The
	// administrators are locked as a set, before the row itself, so that
	// every revocation of an administrator locks in the same order.
	wholeAdmin := a.Role == Administrator && a.Department == uuid.Nil
	var admins []Assignment
	if wholeAdmin {
		if admins, err = lockAdministrators(ctx, tx, req.Institution); err != nil {
			return Assignment{}, err
		}
	}
	if a, err = get(ctx, tx, req.Institution, req.Assignment, true); err != nil {
		return Assignment{}, err
	}
	if a.Revoked() {
		return Assignment{}, ErrAlreadyRevoked
	}
	if wholeAdmin {
		day, err := today(ctx, tx, req.Institution)
		if err != nil {
			return Assignment{}, err
		}
		// Only removing an administrator in force now can leave the
		// institution without one; a future or ended one can go.
		others := slices.ContainsFunc(admins, func(o Assignment) bool { return o.ID != a.ID && o.ActiveOn(day) })
		if a.ActiveOn(day) && !others {
			return Assignment{}, ErrLastAdministrator
		}
	}
	return a, nil
}
