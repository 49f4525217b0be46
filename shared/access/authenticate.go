package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/db"
)

// ErrNoSession means the token names no live session: unknown, expired,
// revoked, or its account closed.
var ErrNoSession = errors.New("no such session")

// Authenticator loads the principal behind a session token. It reads the
// database on every request, so a revoked session or role is refused at once
// by every function.
type Authenticator struct {
	Pool *pgxpool.Pool
}

// Authenticate returns the principal of token.
func (a *Authenticator) Authenticate(ctx context.Context, token string) (*Principal, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	p := &Principal{}
	// Platform scope: who the caller is has to be known before any scope is.
	err := db.PlatformTx(ctx, a.Pool, func(tx pgx.Tx) error {
		var inst *uuid.UUID
		var requireMFA, hasTOTP bool
		err := tx.QueryRow(ctx, `
			SELECT s.id, s.kind, s.mfa_pending, a.id, a.kind, a.institution_id,
			       coalesce(i.require_staff_mfa, false), a.totp_enabled_at IS NOT NULL
			FROM session s
			JOIN account a ON a.id = s.account_id
			LEFT JOIN institution i ON i.id = a.institution_id
			WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND a.status = 'active'`,
			HashToken(token)).Scan(&p.Session, &p.SessionKind, &p.MFAPending, &p.Account, &p.Kind, &inst, &requireMFA, &hasTOTP)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoSession
		}
		if err != nil {
			return err
		}
		if inst != nil {
			p.Institution = *inst
		}
		if p.Grants, err = LoadGrants(ctx, tx, p.Account); err != nil {
			return err
		}
		// Read on every request, like the grants: a role with an
		// administrative permission granted while signed in asks for the
		// second factor from the next request on.
		if p.Kind == Staff && !hasTOTP {
			if p.MFAMissing = requireMFA; !p.MFAMissing {
				if p.MFAMissing, err = administersWithoutRelief(ctx, tx, p.Account); err != nil {
					return err
				}
			}
		}
		// A session in use stays alive; writing at most once a minute keeps
		// reads cheap.
		_, err = tx.Exec(ctx, `UPDATE session SET last_seen_at = now() WHERE id = $1 AND last_seen_at < now() - interval '1 minute'`, p.Session)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNoSession) {
			return nil, err
		}
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return p, nil
}

// SecondFactorRequired reports whether staff account must have set up a
// second factor before it may do anything but set one up: its institution
// asks it of all staff, or it holds an administrative permission
// (permission.administrative, migration 013) in an institution that did
// not relax require_admin_mfa. Whether it has set one up is not looked at.
// tx must be in platform scope.
func SecondFactorRequired(ctx context.Context, tx pgx.Tx, account uuid.UUID) (bool, error) {
	var all bool
	err := tx.QueryRow(ctx, `SELECT coalesce(i.require_staff_mfa, false) FROM account a
		LEFT JOIN institution i ON i.id = a.institution_id WHERE a.id = $1 AND a.kind = 'staff'`, account).Scan(&all)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("second factor of %s: %w", account, err)
	}
	if all {
		return true, nil
	}
	return administersWithoutRelief(ctx, tx, account)
}

// administersWithoutRelief reports whether account holds, today, an
// administrative permission in an institution that requires a second
// factor for it. The same validity as LoadGrants.
func administersWithoutRelief(ctx context.Context, tx pgx.Tx, account uuid.UUID) (bool, error) {
	var required bool
	err := tx.QueryRow(ctx, `
		SELECT EXISTS (
			SELECT FROM role_assignment ra
			JOIN institution i ON i.id = ra.institution_id AND i.require_admin_mfa
			JOIN role_permission rp ON rp.role_code = ra.role_code
			JOIN permission pm ON pm.code = rp.permission_code AND pm.administrative
			WHERE ra.account_id = $1 AND ra.revoked_at IS NULL
			  AND ra.valid_from <= (now() AT TIME ZONE i.time_zone)::date
			  AND (ra.valid_until IS NULL OR ra.valid_until >= (now() AT TIME ZONE i.time_zone)::date))`, account).Scan(&required)
	if err != nil {
		return false, fmt.Errorf("administrative grants of %s: %w", account, err)
	}
	return required, nil
}

// Operators returns the active accounts that hold permission today
// through a whole-institution role in a top-level institution (as
// Principal.CanOperate checks it): the people who run the
// platform, told of what belongs to no institution (its backups). The
// same validity as LoadGrants. tx must be in platform scope.
func Operators(ctx context.Context, tx pgx.Tx, permission string) ([]uuid.UUID, error) {
	rows, err := tx.Query(ctx, `
		SELECT DISTINCT a.id
		FROM role_assignment ra
		JOIN role_permission rp ON rp.role_code = ra.role_code AND rp.permission_code = $1
		JOIN institution i ON i.id = ra.institution_id AND i.parent_id IS NULL
		JOIN account a ON a.id = ra.account_id AND a.status = 'active'
		WHERE ra.revoked_at IS NULL AND ra.department_id IS NULL
		  AND ra.valid_from <= (now() AT TIME ZONE i.time_zone)::date
		  AND (ra.valid_until IS NULL OR ra.valid_until >= (now() AT TIME ZONE i.time_zone)::date)
		ORDER BY a.id`, permission)
	if err != nil {
		return nil, fmt.Errorf("holders of %s: %w", permission, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("holders of %s: %w", permission, err)
	}
	return ids, nil
}

// LoadGrants returns the roles account holds today, in each institution's
// own time zone, with their permissions. It is the one query of grants:
// sessions (Authenticate) and requests that arrive as events (whose sender
// names its account) see the same. Row-level security must let tx see the
// account's assignments: platform scope, or a scope acting for the account.
func LoadGrants(ctx context.Context, tx pgx.Tx, account uuid.UUID) ([]Grant, error) {
	rows, err := tx.Query(ctx, `
		SELECT ra.institution_id, ra.department_id, ra.role_code,
		       array(SELECT permission_code FROM role_permission rp WHERE rp.role_code = ra.role_code ORDER BY 1),
		       i.parent_id IS NULL
		FROM role_assignment ra
		JOIN institution i ON i.id = ra.institution_id
		WHERE ra.account_id = $1 AND ra.revoked_at IS NULL
		  AND ra.valid_from <= (now() AT TIME ZONE i.time_zone)::date
		  AND (ra.valid_until IS NULL OR ra.valid_until >= (now() AT TIME ZONE i.time_zone)::date)
		ORDER BY ra.institution_id, ra.role_code`, account)
	if err != nil {
		return nil, fmt.Errorf("grants of %s: %w", account, err)
	}
	grants, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Grant, error) {
		var g Grant
		var dept *uuid.UUID
		err := r.Scan(&g.Institution, &dept, &g.Role, &g.Permissions, &g.TopLevel)
		if dept != nil {
			g.Department = *dept
		}
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("grants of %s: %w", account, err)
	}
	return grants, nil
}
