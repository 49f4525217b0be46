package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/runtime"
	"github.com/ghiseu/ghiseu/shared/sms"
)

// claimLease is how long a claimed message is left alone by other senders
// while one sends it; a sender that dies frees it after this. It is well
// above everything one delivery does (reads, the receipt, a 10 s SMTP
// session), so a live sender never has its message taken from under it.
const claimLease = 2 * time.Minute

// maxErrorText bounds the reason kept on a message.
const maxErrorText = 1000

// queued is a message claimed for sending.
type queued struct {
	id          int64
	institution uuid.UUID
	eventSource string
	eventID     string
	eventType   string
	data        []byte
	channel     string
	account     uuid.UUID
	template    string
	locale      string
	version     int
	attempts    int // this one included
	createdAt   time.Time
}

// tick sends every due message, batch after batch, for at most the tick's
// budget; the next tick goes on from there.
func (h *Handler) tick(ctx context.Context) error {
	deadline := time.Now().Add(h.opts.TickBudget)
	total := 0
	for time.Now().Before(deadline) {
		n, err := h.sendUntil(ctx, nil, h.opts.Batch, deadline)
		if err != nil {
			return err
		}
		total += n
		if n < h.opts.Batch {
			break
		}
	}
	if total > 0 {
		h.log.Info("retry tick", "messages", total)
	}
	return nil
}

// send sends the given messages, if they are due, within ctx.
func (h *Handler) send(ctx context.Context, ids []int64, limit int) (int, error) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(h.opts.SendNowBudget)
	}
	return h.sendUntil(ctx, ids, limit, deadline)
}

// sendUntil claims up to limit due messages (only ids, if given), sends
// each and records the outcome, and returns how many it claimed. Those it
// has no time left for by deadline are released for the next sender.
//
// A message is sent outside any transaction: the claim commits first. A
// crash between the server's acceptance and the record leaves the message
// claimed; when the lease runs out it is sent again, with the same
// Message-ID (derived from the event and the address), which mail clients
// use to hide the copy. That second copy is accepted; a lost notification
// is not.
func (h *Handler) sendUntil(ctx context.Context, ids []int64, limit int, deadline time.Time) (int, error) {
	claimed, err := h.claim(ctx, ids, limit)
	if err != nil {
		return 0, err
	}
	for i, m := range claimed {
		if time.Now().After(deadline) || ctx.Err() != nil {
			h.release(ctx, claimed[i:])
			break
		}
		sendErr := h.deliver(ctx, m)
		if err := h.record(ctx, m, sendErr); err != nil {
			// The message stays claimed and is retried when the lease
			// runs out.
			h.log.Error("record a message's outcome", "message_id", m.id, "error", err.Error())
		}
	}
	return len(claimed), nil
}

// claim leases due messages with SKIP LOCKED, so that concurrent senders
// (an event's own send, the tick, other instances) never take the same
// one, counts the attempt, and commits at once: no transaction stays open
// while sending.
func (h *Handler) claim(ctx context.Context, ids []int64, limit int) ([]queued, error) {
	var out []queued
	err := db.PlatformTx(ctx, h.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			UPDATE message SET attempts = attempts + 1, next_attempt_at = now() + $3::interval
			WHERE id IN (
				SELECT id FROM message
				WHERE status = 'queued' AND next_attempt_at <= now() AND ($1::bigint[] IS NULL OR id = ANY($1))
				ORDER BY next_attempt_at, id
				LIMIT $2
				FOR UPDATE SKIP LOCKED)
			RETURNING id, institution_id, event_source, event_id, event_type, event_data, channel, account_id, template,
				locale, template_version, attempts, created_at`, ids, limit, claimLease)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (queued, error) {
			var q queued
			var inst *uuid.UUID
			err := r.Scan(&q.id, &inst, &q.eventSource, &q.eventID, &q.eventType, &q.data, &q.channel, &q.account,
				&q.template, &q.locale, &q.version, &q.attempts, &q.createdAt)
			if inst != nil {
				q.institution = *inst
			}
			return q, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", err)
	}
	return out, nil
}

// release gives back claimed messages that were not attempted.
func (h *Handler) release(ctx context.Context, ms []queued) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := db.PlatformTx(ctx, h.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE message SET attempts = attempts - 1, next_attempt_at = now()
			WHERE id = ANY($1) AND status = 'queued'`, ids)
		return err
	})
	if err != nil {
		h.log.Warn("release unsent messages; they wait for their lease", "messages", len(ids), "error", err.Error())
	}
}

// deliver writes message m for its recipient as the account is now, and
// sends it.
func (h *Handler) deliver(ctx context.Context, m queued) error {
	k, ok := h.kinds[m.eventType]
	if !ok {
		return runtime.Permanent(fmt.Errorf("notify no longer handles %s", m.eventType))
	}
	var to recipient
	var set *mail.Set
	err := db.PlatformTx(ctx, h.pool, func(tx pgx.Tx) (err error) {
		if to, err = readRecipient(ctx, tx, m.account); err != nil {
			return err
		}
		set, err = h.templateSet(ctx, tx, templateKey{institution: m.institution, name: m.template, locale: m.locale, version: m.version})
		return err
	})
	if err != nil {
		return err
	}
	if !to.active {
		return runtime.Permanent(errors.New("the account is closed"))
	}
	var data mail.Data
	var attachments []mail.Attachment
	switch {
	case k.to == operators:
		if data, err = h.operatorData(m.data, m.createdAt, to); err != nil {
			return err
		}
	case k.aboutRequest():
		var d requests.EventData
		if err := decodeData(m, &d); err != nil {
			return err
		}
		f, err := h.readRequest(ctx, m.institution, d, k.receipt && m.channel == channelEmail)
		if err != nil {
			return err
		}
		if data, err = h.requestData(k, m.institution, d, f, to, time.Now()); err != nil {
			return err
		}
		if f.receipt != nil {
			attachments = append(attachments, *f.receipt)
		}
	default:
		var d accountLink
		if err := decodeData(m, &d); err != nil {
			return err
		}
		if time.Now().After(d.ExpiresAt) {
			return runtime.Permanent(errors.New("the link expired before it could be sent"))
		}
		data = mail.Data{Name: to.name, Link: d.Link, ExpiresAt: d.ExpiresAt}
	}
	c, err := set.Render(data)
	if err != nil {
		// The same data renders the same way on every attempt.
		return runtime.Permanent(fmt.Errorf("template %s/%s version %d: %w", m.template, m.locale, m.version, err))
	}
	switch m.channel {
	case channelEmail:
		return h.mailer.Send(ctx, mail.Message{To: to.email, Name: to.name, EventID: m.eventID, Content: c, Attachments: attachments})
	case channelSMS:
		if c.SMS == "" {
			return runtime.Permanent(fmt.Errorf("template %s/%s version %d has no SMS text", m.template, m.locale, m.version))
		}
		if to.phone == "" {
			return runtime.Permanent(errors.New("the account has no phone number any more"))
		}
		number, err := sms.Normalize(to.phone)
		if err != nil {
			return err
		}
		return h.texter.Send(ctx, sms.Message{To: number, Text: sms.Plain(c.SMS), Key: fmt.Sprintf("ghiseu-message-%d", m.id)})
	}
	return runtime.Permanent(fmt.Errorf("unknown channel %q", m.channel))
}

func decodeData(m queued, v any) error {
	if len(m.data) == 0 {
		return runtime.Permanent(errors.New("the message's event data is gone"))
	}
	if err := json.Unmarshal(m.data, v); err != nil {
		return runtime.Permanent(fmt.Errorf("event data: %w", err))
	}
	return nil
}

// permanent reports whether sendErr can never pass: retrying is pointless.
func permanent(sendErr error) bool {
	var p *runtime.PermanentError
	return errors.As(sendErr, &p) || mail.IsPermanent(sendErr) || sms.IsPermanent(sendErr)
}

// record writes the outcome of an attempt: sent; failed for good (and
// surfaced: logged at error level and listed to the institution); or
// retried after a backoff. It runs even when ctx is cancelled, so an
// attempt that was made is never forgotten.
//
// Once a message is sent or failed, its event data is cleared: for an
// account's link it is a credential, and nothing needs it any more.
func (h *Handler) record(ctx context.Context, m queued, sendErr error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	logArgs := []any{"message_id", m.id, "event_id", m.eventID, "event_type", m.eventType, "channel", m.channel,
		"account_id", m.account.String(), "template", m.template, "template_version", m.version, "attempts", m.attempts}
	var sql string
	var args []any
	switch {
	case sendErr == nil:
		sql = `UPDATE message SET status = 'sent', sent_at = now(), last_error = NULL, event_data = NULL
			WHERE id = $1 AND status = 'queued'`
		args = []any{m.id}
		h.log.Info("notification sent", logArgs...)
	case permanent(sendErr) || time.Since(m.createdAt) >= h.opts.GiveUpAfter:
		reason := sendErr.Error()
		if !permanent(sendErr) {
			reason = fmt.Sprintf("gave up after %d attempts in %s: %s", m.attempts, time.Since(m.createdAt).Round(time.Minute), reason)
		}
		sql = `UPDATE message SET status = 'failed', failed_at = now(), last_error = $2, event_data = NULL
			WHERE id = $1 AND status = 'queued'`
		args = []any{m.id, truncate(reason)}
		h.log.Error("notification failed for good", append(logArgs, "reason", reason)...)
	default:
		delay := h.backoff(m.attempts)
		sql = `UPDATE message SET last_error = $2, next_attempt_at = now() + $3::interval WHERE id = $1 AND status = 'queued'`
		args = []any{m.id, truncate(sendErr.Error()), delay}
		h.log.Warn("notification not sent yet; it will be retried", append(logArgs, "error", sendErr.Error(),
			"retry_in", delay.Round(time.Millisecond).String())...)
	}
	return db.PlatformTx(ctx, h.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, sql, args...); err != nil {
			return fmt.Errorf("record message %d: %w", m.id, err)
		}
		return nil
	})
}

// backoff is the wait after a message's attempts-th failed attempt:
// RetryBase doubled with each attempt, at most RetryMax, of which the
// second half is random ("equal jitter"), so that the messages of a mail
// server's outage do not all come back in the same second.
func (h *Handler) backoff(attempts int) time.Duration {
	d := h.opts.RetryBase
	for i := 1; i < attempts && d < h.opts.RetryMax; i++ {
		d *= 2
	}
	d = min(d, h.opts.RetryMax)
	return d/2 + rand.N(d/2+1)
}

func truncate(s string) string {
	r := []rune(s)
	if len(r) <= maxErrorText {
		return s
	}
	return string(r[:maxErrorText]) + "…"
}
