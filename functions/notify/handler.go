// Command notify tells people what the platform has to tell them: account
// holders their one-time links (to verify their address, to reset their
// password), citizens every step of their requests (registered, with the
// registration receipt attached; information asked for, extended,
// resolved, rejected, forwarded, filed away), and clerks the requests
// assigned to them and the deadlines coming up, and the platform's
// operators a backup or a fixity check gone wrong. By mail, by text message
// when the account has a phone and the template a text for it, and in the
// app for signed-in accounts.
//
// Events carry ids, never personal data: notify reads the address, the
// phone and what the notification says from the database, when it sends.
//
// Each event is turned, in one transaction, into queued messages (one per
// channel and recipient) and in-app notifications; the messages are then
// sent at once, and whatever could not be sent is retried from the queue
// with backoff by a PingSource tick. The message table's unique key (the
// event, the channel, the recipient) means a redelivered event never
// notifies twice. It also serves the in-app notifications of the signed-in
// account, and the institutions' templates and failed messages.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/runtime"
	"github.com/ghiseu/ghiseu/shared/sms"
	"github.com/ghiseu/ghiseu/shared/weblinks"
)

// Consumer is notify's name in the inbox.
const Consumer = "notify"

// PingType is the type of the PingSource's events: each tick sends every
// message that is due.
const PingType = "dev.knative.sources.ping"

// Channels of a message.
const (
	channelEmail = "email"
	channelSMS   = "sms"
)

// Options tunes notify; main reads them from the environment.
type Options struct {
	// PublicURL is where people reach the platform: links to the web
	// app's pages (shared/weblinks) start with it.
	PublicURL string
	// RetryBase is the wait after a message's first failed attempt; it
	// doubles with each attempt up to RetryMax (with jitter, so messages
	// that failed together are not retried together).
	RetryBase, RetryMax time.Duration
	// GiveUpAfter is how long a message is retried before it is marked
	// failed: a notification days late is worse than none, and an operator
	// sees the failure.
	GiveUpAfter time.Duration
	// Batch is how many due messages one claim takes.
	Batch int
	// TickBudget bounds the time one tick spends sending, below the
	// Knative Service's timeoutSeconds; the next tick goes on.
	TickBudget time.Duration
	// SendNowBudget bounds sending an event's messages before it is
	// answered; what is not sent by then waits for the tick.
	SendNowBudget time.Duration
}

// Handler queues, sends and retries notifications.
type Handler struct {
	pool      *pgxpool.Pool
	templates *mail.Templates
	mailer    mail.Sender
	texter    sms.Sender
	log       *slog.Logger
	opts      Options
	site      weblinks.Site
	kinds     map[string]kind
	cache     templateCache
	// operatorTemplates are the templates of the platform's own notices,
	// which no institution rewrites: they are always the built-in ones.
	operatorTemplates map[string]bool
}

// NewHandler returns a handler, or an error if an event type it handles has
// no template: better at start than at the first event.
func NewHandler(pool *pgxpool.Pool, templates *mail.Templates, mailer mail.Sender, texter sms.Sender, log *slog.Logger, opts Options) (*Handler, error) {
	ks := kinds()
	operatorTemplates := map[string]bool{}
	for eventType, k := range ks {
		if !templates.Has(k.template) {
			return nil, fmt.Errorf("no template %q for %s", k.template, eventType)
		}
		if k.to == operators {
			operatorTemplates[k.template] = true
		}
	}
	switch {
	case opts.RetryBase <= 0 || opts.RetryMax < opts.RetryBase:
		return nil, fmt.Errorf("config: NOTIFY_RETRY_BASE %s and NOTIFY_RETRY_MAX %s: want 0 < base <= max", opts.RetryBase, opts.RetryMax)
	case opts.GiveUpAfter <= 0:
		return nil, fmt.Errorf("config: NOTIFY_GIVE_UP_AFTER %s: want more than 0", opts.GiveUpAfter)
	case opts.Batch <= 0:
		return nil, fmt.Errorf("config: NOTIFY_BATCH %d: want more than 0", opts.Batch)
	}
	if opts.TickBudget <= 0 {
		opts.TickBudget = 20 * time.Second
	}
	if opts.SendNowBudget <= 0 {
		opts.SendNowBudget = 15 * time.Second
	}
	return &Handler{pool: pool, templates: templates, mailer: mailer, texter: texter, log: log, opts: opts,
		site: weblinks.New(opts.PublicURL), kinds: ks,
		operatorTemplates: operatorTemplates}, nil
}

// plan is who an event notifies, and what it is about.
type plan struct {
	institution uuid.UUID
	to          []uuid.UUID // none: nobody to tell
	request     *requests.EventData
	facts       requestFacts
}

// Handle queues the event's notifications once, however often the Broker
// delivers it, and tries to send them at once. It answers 2xx as soon as
// they are queued, whether or not sending worked: from then on the queue,
// not the Broker, retries them. A tick of the PingSource sends whatever is
// due.
func (h *Handler) Handle(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	if e.Type() == PingType {
		if err := h.tick(ctx); err != nil {
			return nil, fmt.Errorf("notify: retry tick: %w", err)
		}
		return nil, nil
	}
	k, ok := h.kinds[e.Type()]
	if !ok {
		return nil, runtime.Permanent(fmt.Errorf("notify does not handle events of type %s", e.Type()))
	}
	p, err := h.plan(ctx, e, k)
	if err != nil {
		// Wrapped with %w, a permanent error stays permanent.
		return nil, fmt.Errorf("notify: %w", err)
	}
	if len(p.to) == 0 {
		h.log.Debug("nobody to notify", "event_id", e.ID(), "event_type", e.Type())
		return nil, nil
	}
	ids, err := h.queue(ctx, e, k, p)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	if len(ids) == 0 {
		h.log.Info("event already handled: nothing queued", "event_id", e.ID(), "event_type", e.Type())
		return nil, nil
	}
	h.log.Info("notifications queued", "event_id", e.ID(), "event_type", e.Type(), "accounts", len(p.to),
		"messages", len(ids), "template", k.template)
	sctx, cancel := context.WithTimeout(ctx, h.opts.SendNowBudget)
	defer cancel()
	if _, err := h.send(sctx, ids, len(ids)); err != nil {
		// Queued and committed: the tick sends them.
		h.log.Warn("send after queueing failed; the retry tick will send", "event_id", e.ID(), "error", err.Error())
	}
	return nil, nil
}

// plan reads the event: who it notifies and, for a request, what the
// in-app notification says about it.
func (h *Handler) plan(ctx context.Context, e cloudevents.Event, k kind) (plan, error) {
	p := plan{institution: events.Institution(e)}
	if k.wanted != nil {
		wanted, err := k.wanted(e.Data())
		if err != nil {
			return plan{}, runtime.Permanent(fmt.Errorf("event data: %w", err))
		}
		if !wanted {
			return p, nil
		}
	}
	switch k.to {
	case accountHolder:
		var data accountLink
		if err := e.DataAs(&data); err != nil {
			return plan{}, runtime.Permanent(fmt.Errorf("event data: %w", err))
		}
		p.to = []uuid.UUID{data.AccountID}
		return p, nil
	case operators:
		err := db.PlatformTx(ctx, h.pool, func(tx pgx.Tx) (err error) {
			p.to, err = access.Operators(ctx, tx, k.permission)
			return err
		})
		if err == nil && len(p.to) == 0 {
			h.log.Error("nobody holds the permission to be told of this event", "event_id", e.ID(), "event_type", e.Type(),
				"permission", k.permission)
		}
		return p, err
	}
	var data requests.EventData
	if err := e.DataAs(&data); err != nil {
		return plan{}, runtime.Permanent(fmt.Errorf("event data: %w", err))
	}
	if p.institution == uuid.Nil {
		return plan{}, runtime.Permanent(fmt.Errorf("a request event without the %s extension", events.ExtInstitution))
	}
	p.request = &data
	switch {
	case k.to == applicant && data.Applicant != nil:
		p.to = []uuid.UUID{*data.Applicant}
	case k.to == assignee && data.Assignee != nil:
		p.to = []uuid.UUID{*data.Assignee}
	}
	if len(p.to) == 0 || !k.inApp {
		return p, nil
	}
	var err error
	p.facts, err = h.readRequest(ctx, p.institution, data, false)
	return p, err
}

// queue records the event in the inbox and queues its messages and in-app
// notification, in one transaction, and returns the messages queued: none
// for an event already handled.
//
// The inbox row and the message table's unique key both stop a second
// delivery: the inbox is what every consumer keeps (and may purge after a
// while), the unique key is what holds for as long as the messages are
// kept. A concurrent duplicate waits on the inbox row's lock until this
// transaction ends, and then finds it.
func (h *Handler) queue(ctx context.Context, e cloudevents.Event, k kind, p plan) ([]int64, error) {
	var ids []int64
	err := db.PlatformTx(ctx, h.pool, func(tx pgx.Tx) error {
		ids = nil
		first, err := events.FirstDelivery(ctx, tx, Consumer, e.Source(), e.ID())
		if err != nil || !first {
			return err
		}
		for _, account := range p.to {
			queued, err := h.queueFor(ctx, tx, e, k, p, account)
			if err != nil {
				return err
			}
			ids = append(ids, queued...)
		}
		return nil
	})
	return ids, err
}

// queueFor queues the event's messages and in-app notification for one
// account, in its language.
func (h *Handler) queueFor(ctx context.Context, tx pgx.Tx, e cloudevents.Event, k kind, p plan, account uuid.UUID) ([]int64, error) {
	to, err := readRecipient(ctx, tx, account)
	if err != nil {
		return nil, err
	}
	version, err := newestVersion(ctx, tx, p.institution, k.template, to.locale)
	if err != nil {
		return nil, err
	}
	set, err := h.templateSet(ctx, tx, templateKey{institution: p.institution, name: k.template, locale: to.locale, version: version})
	if err != nil {
		return nil, err
	}
	channels := []string{channelEmail}
	if k.sms && to.phone != "" && set.HasSMS() {
		channels = append(channels, channelSMS)
	}
	var inst *uuid.UUID
	if p.institution != uuid.Nil {
		inst = &p.institution
	}
	var ids []int64
	for _, ch := range channels {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO message (institution_id, event_source, event_id, event_type, event_data,
				channel, account_id, template, locale, template_version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (event_source, event_id, channel, account_id) DO NOTHING RETURNING id`,
			inst, e.Source(), e.ID(), e.Type(), json.RawMessage(e.Data()), ch, to.id, k.template, to.locale, version).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // queued by an earlier delivery whose inbox row is gone
		}
		if err != nil {
			return nil, fmt.Errorf("queue %s message of event %s: %w", ch, e.ID(), err)
		}
		ids = append(ids, id)
	}
	// A closed account is not signed in any more: its messages are
	// queued (and fail, surfaced), it gets nothing in the app.
	if !k.inApp || !to.active {
		return ids, nil
	}
	var data mail.Data
	if k.to == operators {
		data, err = h.operatorData(e.Data(), e.Time(), to)
	} else {
		data, err = h.requestData(k, p.institution, *p.request, p.facts, to, time.Now())
	}
	if err != nil {
		return nil, err
	}
	c, err := set.Render(data)
	if err != nil {
		return nil, fmt.Errorf("in-app notification of event %s: %w", e.ID(), err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO notification (id, account_id, institution_id, event_source, event_id, kind, title, body, link)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_source, event_id, account_id) DO NOTHING`,
		uuid.Must(uuid.NewV7()), to.id, inst, e.Source(), e.ID(), notificationKind(e.Type()), c.Subject, c.Notice, data.Link)
	if err != nil {
		return nil, fmt.Errorf("in-app notification of event %s: %w", e.ID(), err)
	}
	return ids, nil
}
