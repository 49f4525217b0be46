package access

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// sessionTTL is how long a session of kind lives: a browser's a working
// day, an API client's a month, a machine token a quarter of an hour.
func sessionTTL(kind string) (time.Duration, bool) {
	switch kind {
	case "browser":
		return 12 * time.Hour, true
	case "api":
		return 30 * 24 * time.Hour, true
	case "machine":
		return 15 * time.Minute, true
	}
	return 0, false
}

// NewSession is a session to open for an account.
type NewSession struct {
	Account    uuid.UUID
	Kind       string // browser, api, machine
	MFAPending bool
	IP         string
	UserAgent  string
}

// OpenSession creates a session in tx and returns its token, which is shown
// once and never stored.
func OpenSession(ctx context.Context, tx pgx.Tx, s NewSession) (token string, expires time.Time, err error) {
	ttl, ok := sessionTTL(s.Kind)
	if !ok {
		return "", time.Time{}, fmt.Errorf("open session: unknown kind %q", s.Kind)
	}
	token, hash := NewToken()
	expires = time.Now().Add(ttl).UTC().Truncate(time.Second)
	var ip *netip.Addr
	if a, err := netip.ParseAddr(s.IP); err == nil {
		ip = &a
	}
	_, err = tx.Exec(ctx, `INSERT INTO session (id, token_hash, account_id, kind, mfa_pending, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		uuid.New(), hash, s.Account, s.Kind, s.MFAPending, expires, ip, truncate(s.UserAgent, 300))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("open session: %w", err)
	}
	return token, expires, nil
}

// SessionInfo describes a session to its owner.
type SessionInfo struct {
	ID         uuid.UUID  `json:"id"`
	Kind       string     `json:"kind"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastSeenAt time.Time  `json:"lastSeenAt"`
	ExpiresAt  time.Time  `json:"expiresAt"`
	IP         *string    `json:"ip"`
	UserAgent  string     `json:"userAgent"`
	Current    bool       `json:"current"`
	RevokedAt  *time.Time `json:"-"`
}

// ListSessions returns the live sessions of the scope's account, newest
// first (row-level security limits them to the caller's own).
func ListSessions(ctx context.Context, tx pgx.Tx, current uuid.UUID) ([]SessionInfo, error) {
	rows, err := tx.Query(ctx, `
		SELECT id, kind, created_at, last_seen_at, expires_at, host(ip), user_agent
		FROM session WHERE account_id = current_account() AND revoked_at IS NULL AND expires_at > now()
		ORDER BY created_at DESC LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SessionInfo, error) {
		var s SessionInfo
		err := r.Scan(&s.ID, &s.Kind, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.IP, &s.UserAgent)
		s.Current = s.ID == current
		return s, err
	})
}

// RevokeSession ends one session of the scope's account; it reports
// whether there was such a live session.
func RevokeSession(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE session SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("revoke session: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// RevokeOtherSessions ends every session of account but keep (uuid.Nil: all).
func RevokeOtherSessions(ctx context.Context, tx pgx.Tx, account, keep uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE session SET revoked_at = now() WHERE account_id = $1 AND id <> $2 AND revoked_at IS NULL`, account, keep)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// CompleteSecondFactor marks a session as fully signed in.
func CompleteSecondFactor(ctx context.Context, tx pgx.Tx, session uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE session SET mfa_pending = false WHERE id = $1`, session)
	if err != nil {
		return fmt.Errorf("complete second factor: %w", err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
