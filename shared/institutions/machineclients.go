package institutions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// MachineClient is an institution system's account and the public half of
// its credentials. Secrets are never read back: only their hashes are kept.
type MachineClient struct {
	ID            uuid.UUID `json:"id"`
	InstitutionID uuid.UUID `json:"institutionId"`
	ClientID      string    `json:"clientId"`
	Name          string    `json:"name"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"createdAt"`
	RotatedAt     time.Time `json:"rotatedAt"`
	// PreviousSecretValidUntil is set while the secret replaced by the last
	// rotation is still accepted.
	PreviousSecretValidUntil *time.Time `json:"previousSecretValidUntil"`
	ClosedAt                 *time.Time `json:"closedAt"`
}

const machineClientSelect = `
	SELECT a.id, a.institution_id, c.client_id, a.display_name, a.status, a.created_at, c.rotated_at,
	       CASE WHEN c.previous_valid_until > now() THEN c.previous_valid_until END, a.closed_at
	FROM account a JOIN machine_credential c ON c.account_id = a.id
	WHERE a.kind = 'machine' AND a.institution_id = $1 `

func scanMachineClient(row pgx.Row) (MachineClient, error) {
	var m MachineClient
	err := row.Scan(&m.ID, &m.InstitutionID, &m.ClientID, &m.Name, &m.Status, &m.CreatedAt, &m.RotatedAt,
		&m.PreviousSecretValidUntil, &m.ClosedAt)
	return m, err
}

// ListMachineClients returns one page of the institution's machine clients
// (closed ones too) sorted by name, and the cursor of the next page.
func ListMachineClients(ctx context.Context, tx pgx.Tx, institution uuid.UUID, page Page) ([]MachineClient, *Cursor, error) {
	afterName, afterID := page.after()
	rows, err := tx.Query(ctx, machineClientSelect+`
		  AND ($2::text IS NULL OR (a.display_name, a.id) > ($2, $3::uuid))
		ORDER BY a.display_name, a.id
		LIMIT $4`, institution, afterName, afterID, page.limit()+1)
	if err != nil {
		return nil, nil, fmt.Errorf("list machine clients of %s: %w", institution, err)
	}
	items, next, err := collectPage(rows, page.limit(),
		func(r pgx.CollectableRow) (MachineClient, error) { return scanMachineClient(r) },
		func(m MachineClient) Cursor { return Cursor{Name: m.Name, ID: m.ID} })
	if err != nil {
		return nil, nil, fmt.Errorf("list machine clients of %s: %w", institution, err)
	}
	return items, next, nil
}

// GetMachineClient returns one machine client of the institution.
func GetMachineClient(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (MachineClient, error) {
	m, err := scanMachineClient(tx.QueryRow(ctx, machineClientSelect+`AND a.id = $2`, institution, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return MachineClient{}, ErrNotFound
	}
	if err != nil {
		return MachineClient{}, fmt.Errorf("get machine client %s: %w", id, err)
	}
	return m, nil
}

// NewMachineClient is a machine client to create.
type NewMachineClient struct {
	ID, Institution uuid.UUID
	Name            string
	// ClientID is public and unique; SecretHash is the argon2id hash of the
	// secret, which is shown to the caller once and never stored.
	ClientID, SecretHash string
}

// CreateMachineClient makes the machine client unless an active one of the
// institution has the name (in any case); then it returns that one, Existed.
// Its secret cannot be shown again: a caller who lost it rotates it.
func CreateMachineClient(ctx context.Context, tx pgx.Tx, n NewMachineClient) (MachineClient, Result, error) {
	// No constraint makes names unique, so creations of one name in one
	// institution are serialised until the transaction ends.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('machine-client:' || $1::text || ':' || lower($2), 0))`,
		n.Institution, n.Name); err != nil {
		return MachineClient{}, 0, fmt.Errorf("create machine client: lock name: %w", err)
	}
	m, err := scanMachineClient(tx.QueryRow(ctx, machineClientSelect+`AND lower(a.display_name) = lower($2) AND a.status = 'active'`,
		n.Institution, n.Name))
	if err == nil {
		return m, Existed, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return MachineClient{}, 0, fmt.Errorf("find machine client %q: %w", n.Name, err)
	}
	// account.email is required and unique, and a system has no mailbox: it
	// gets an address under .invalid (RFC 2606), which no mail can reach.
	if _, err := tx.Exec(ctx, `INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'machine', $2, $3, $4)`,
		n.ID, n.Institution, n.ClientID+"@machine-clients.invalid", n.Name); err != nil {
		return MachineClient{}, 0, fmt.Errorf("create machine client account: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO machine_credential (account_id, institution_id, client_id, secret_hash) VALUES ($1, $2, $3, $4)`,
		n.ID, n.Institution, n.ClientID, n.SecretHash); err != nil {
		return MachineClient{}, 0, fmt.Errorf("create machine credential: %w", err)
	}
	m, err = GetMachineClient(ctx, tx, n.Institution, n.ID)
	return m, Created, err
}

// RotateMachineClient replaces the secret's hash and keeps accepting the
// previous secret for keep, so the system can switch over without an
// outage. A rotation within keep of the last one ends the older secret.
func RotateMachineClient(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, secretHash string, keep time.Duration) (MachineClient, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE machine_credential c SET
			previous_secret_hash = c.secret_hash, previous_valid_until = now() + $4::interval,
			secret_hash = $3, rotated_at = now()
		FROM account a
		WHERE a.id = c.account_id AND c.institution_id = $1 AND c.account_id = $2 AND a.status = 'active'`,
		institution, id, secretHash, keep)
	if err != nil {
		return MachineClient{}, fmt.Errorf("rotate machine client %s: %w", id, err)
	}
	m, err := GetMachineClient(ctx, tx, institution, id)
	if err != nil {
		return MachineClient{}, err
	}
	if tag.RowsAffected() == 0 {
		return m, ErrClosed
	}
	return m, nil
}

// CloseMachineClient disables the machine client and reports whether it was
// active. Its tokens stop working at once: access authenticates only
// sessions of active accounts, and auth issues tokens only to them.
func CloseMachineClient(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (MachineClient, bool, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE account SET status = 'closed', closed_at = now(), updated_at = now()
		WHERE institution_id = $1 AND id = $2 AND kind = 'machine' AND status = 'active'`, institution, id)
	if err != nil {
		return MachineClient{}, false, fmt.Errorf("close machine client %s: %w", id, err)
	}
	m, err := GetMachineClient(ctx, tx, institution, id)
	return m, tag.RowsAffected() == 1, err
}
