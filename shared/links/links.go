// Package links makes the one-time links the platform mails to account
// holders: to verify an address, to set or reset a password. A link carries
// a random token of which only the hash is stored (email_token); the mail
// itself is sent by notify, on the event written here in the caller's
// transaction, so the link exists exactly when the change that asked for it
// commits.
package links

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/weblinks"
)

// Purpose is what a link is for; the values are email_token.purpose's.
type Purpose string

// Purposes of links.
const (
	VerifyEmail   Purpose = "verify_email"
	ResetPassword Purpose = "reset_password"
	// Invitation sets a new staff account's first password: a password
	// reset link, in a mail that says what it is.
	Invitation Purpose = "invitation"
)

// Mailer writes links for one function.
type Mailer struct {
	Outbox *events.Outbox
	// PublicURL is where people reach the platform; links start with it.
	PublicURL string
	// Source is the CloudEvents source of the function that asks.
	Source string
	// Next, when set, is where the link's page sends the person once done
	// (a ReturnPath: a path of this site), carried as the link's "next".
	Next string
}

// ReturnPath reports whether next may be where a link or a sign-in sends
// someone back to: a path of this site only. It starts with one "/"; "//host"
// and "/\host" (which browsers read as another site), backslashes and
// control characters anywhere, and anything longer than 1000 bytes are not.
// The web app's sign-in applies the same rule (web/src/session.tsx).
func ReturnPath(next string) bool {
	if len(next) > 1000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return false
	}
	return !strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f })
}

// Mail creates a one-time token for purpose, valid for ttl, and adds to tx
// the event that has notify mail its link to account. institution is the
// tenant of the event (uuid.Nil for none). It returns the outbox row to
// publish once tx commits.
//
// Row-level security keeps email_token to platform scope (a token is looked
// up by its hash before anyone is known), so tx must be in that scope when
// this runs.
func (m Mailer) Mail(ctx context.Context, tx pgx.Tx, account, institution uuid.UUID, purpose Purpose, ttl time.Duration) (int64, error) {
	site := weblinks.New(m.PublicURL)
	eventType, page, stored := events.TypeAccountVerificationRequested, site.VerifyEmail, purpose
	switch purpose {
	case VerifyEmail:
	case ResetPassword:
		eventType, page = events.TypeAccountPasswordResetRequested, site.ResetPassword
	case Invitation:
		eventType, page, stored = events.TypeAccountInvited, site.ResetPassword, ResetPassword
	default:
		return 0, fmt.Errorf("mail link: unknown purpose %q", purpose)
	}
	if m.Next != "" && !ReturnPath(m.Next) {
		return 0, fmt.Errorf("mail link: return path %q is not a path of this site", m.Next)
	}
	token, hash := access.NewToken()
	expires := time.Now().Add(ttl).UTC().Truncate(time.Second)
	if _, err := tx.Exec(ctx, `INSERT INTO email_token (token_hash, account_id, purpose, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, account, string(stored), expires); err != nil {
		return 0, fmt.Errorf("mail link: email token: %w", err)
	}
	e, err := m.Outbox.Catalogue().New(eventType, m.Source, institution, map[string]string{
		"accountId": account.String(),
		"link":      page(token, m.Next),
		"expiresAt": expires.Format(time.RFC3339),
	})
	if err != nil {
		return 0, fmt.Errorf("mail link: %w", err)
	}
	id, err := m.Outbox.Add(ctx, tx, e)
	if err != nil {
		return 0, fmt.Errorf("mail link: %w", err)
	}
	return id, nil
}
