package roles

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
)

// LoadActor returns the principal of account, a machine client of
// institution that sent a request as an event rather than through a
// session: its grants are read with the query that authenticates sessions,
// so both ways of asking are judged alike. Anything but an active machine
// account of institution is ErrActorNotAllowed.
//
// Row-level security must let tx see the account and its assignments: a
// transaction scoped to the institution and acting for the account does.
func LoadActor(ctx context.Context, tx pgx.Tx, institution, account uuid.UUID) (*access.Principal, error) {
	var kind string
	var inst *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT kind, institution_id FROM account WHERE id = $1 AND status = 'active'`, account).Scan(&kind, &inst)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrActorNotAllowed
	}
	if err != nil {
		return nil, fmt.Errorf("load actor %s: %w", account, err)
	}
	if access.Kind(kind) != access.Machine || inst == nil || *inst != institution {
		return nil, ErrActorNotAllowed
	}
	grants, err := access.LoadGrants(ctx, tx, account)
	if err != nil {
		return nil, fmt.Errorf("load actor %s: %w", account, err)
	}
	return &access.Principal{Account: account, Kind: access.Machine, Institution: institution, Grants: grants}, nil
}
