// Command notify mails people what the platform has to tell them. For now it
// mails account holders their one-time links: to verify their address and to
// reset their password. Events carry the account's id, never its address:
// notify reads the address from the account, so no personal data travels
// through the Broker.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

// Consumer is notify's name in the inbox.
const Consumer = "notify"

// mailTemplates names the mail (shared/mail/templates/<name>) of each event
// type notify handles. Adding an event type is a line here, its templates,
// and its Trigger in k8s/base/functions/notify/triggers.yaml.
func mailTemplates() map[string]string {
	return map[string]string{
		events.TypeAccountVerificationRequested:  "account-verification",
		events.TypeAccountPasswordResetRequested: "password-reset",
	}
}

// accountLink is the data of the events notify handles: a one-time link for
// an account (see their schemas in shared/events/schemas).
type accountLink struct {
	AccountID uuid.UUID `json:"accountId"`
	Link      string    `json:"link"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Handler mails the account holder named by each event.
type Handler struct {
	pool      *pgxpool.Pool
	templates *mail.Templates
	sender    mail.Sender
	log       *slog.Logger
	mails     map[string]string // event type -> template name
}

// NewHandler returns a handler, or an error if an event type it handles has
// no template: better at start than at the first event.
func NewHandler(pool *pgxpool.Pool, templates *mail.Templates, sender mail.Sender, log *slog.Logger) (*Handler, error) {
	mails := mailTemplates()
	for eventType, name := range mails {
		if !templates.Has(name) {
			return nil, fmt.Errorf("no mail template %q for %s", name, eventType)
		}
	}
	return &Handler{pool: pool, templates: templates, sender: sender, log: log, mails: mails}, nil
}

type account struct {
	email, displayName, locale, status string
}

// Handle mails the event's account holder once, however often the Broker
// delivers the event.
//
// The mail is sent inside the transaction that records the event in the
// inbox, before it commits: when sending fails, the inbox row rolls back, the
// event is answered 500 and the Broker delivers it again. Committing first and
// sending after would lose the mail whenever sending failed. What remains is
// the commit failing after the server accepted the mail: the redelivered event
// is mailed a second time. That is rare and acceptable (the same text with the
// same Message-ID, which mail clients use to hide the copy), where a lost
// verification link is not. A concurrent duplicate delivery waits on the inbox
// row's lock until this transaction ends, so it never mails in parallel.
// The transaction holds a pooled connection for at most the SMTP timeout.
func (h *Handler) Handle(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	name, ok := h.mails[e.Type()]
	if !ok {
		return nil, runtime.Permanent(fmt.Errorf("notify does not handle events of type %s", e.Type()))
	}
	var data accountLink
	if err := e.DataAs(&data); err != nil {
		return nil, runtime.Permanent(fmt.Errorf("event data: %w", err))
	}
	sent := false
	err := db.PlatformTx(ctx, h.pool, func(tx pgx.Tx) error {
		first, err := events.FirstDelivery(ctx, tx, Consumer, e.Source(), e.ID())
		if err != nil || !first {
			return err
		}
		acc, err := readAccount(ctx, tx, data.AccountID)
		if err != nil {
			return err
		}
		content, err := h.templates.Render(name, acc.locale, mail.Data{Name: acc.displayName, Link: data.Link, ExpiresAt: data.ExpiresAt})
		if err != nil {
			return err
		}
		err = h.sender.Send(ctx, mail.Message{To: acc.email, Name: acc.displayName, EventID: e.ID(), Content: content})
		if errors.Is(err, mail.ErrInvalidRecipient) {
			return runtime.Permanent(fmt.Errorf("account %s: %w", data.AccountID, err))
		}
		if err != nil {
			return fmt.Errorf("send mail to account %s: %w", data.AccountID, err)
		}
		sent = true
		return nil
	})
	if err != nil {
		// Wrapped with %w, a permanent error stays permanent.
		return nil, fmt.Errorf("notify: %w", err)
	}
	// The address and the link (a credential) are never logged: the
	// account and the event identify the mail.
	if sent {
		h.log.Info("mail sent", "event_id", e.ID(), "event_type", e.Type(), "account_id", data.AccountID.String(), "mail", name)
	} else {
		h.log.Info("event already handled: nothing mailed", "event_id", e.ID(), "event_type", e.Type())
	}
	return nil, nil
}

// readAccount reads who to mail. An account that does not exist or is closed
// will never be mailed, so the event is refused for good.
func readAccount(ctx context.Context, tx pgx.Tx, id uuid.UUID) (account, error) {
	var a account
	err := tx.QueryRow(ctx, `SELECT email, display_name, locale, status FROM account WHERE id = $1`, id).
		Scan(&a.email, &a.displayName, &a.locale, &a.status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return account{}, runtime.Permanent(fmt.Errorf("account %s does not exist", id))
	case err != nil:
		return account{}, fmt.Errorf("read account %s: %w", id, err)
	case a.status != "active":
		return account{}, runtime.Permanent(fmt.Errorf("account %s is %s", id, a.status))
	}
	return a, nil
}
