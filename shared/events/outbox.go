package events

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/db"
)

// Outbox writes events in the transaction of the state change they announce
// and publishes them after commit. Whatever is not published then (the Broker
// down, the process killed) stays due and the outbox-relay function publishes
// it later: an event is never lost and never sent before its change commits.
// Delivery is at least once.
type Outbox struct {
	pool      *pgxpool.Pool
	catalogue *Catalogue
	sender    Sender
	log       *slog.Logger
	// Lease is how long a claimed row is left alone by other publishers
	// while one is sending it; a publisher that dies frees it after this.
	Lease time.Duration
}

// NewOutbox returns an outbox publishing through sender.
func NewOutbox(pool *pgxpool.Pool, c *Catalogue, sender Sender, log *slog.Logger) *Outbox {
	return &Outbox{pool: pool, catalogue: c, sender: sender, log: log, Lease: time.Minute}
}

// NewPlatformOutbox is the outbox of a function: the platform's catalogue,
// publishing to the Broker named by cfg.
func NewPlatformOutbox(pool *pgxpool.Pool, cfg SinkConfig, log *slog.Logger) (*Outbox, error) {
	cat, err := Platform()
	if err != nil {
		return nil, err
	}
	sender, err := NewHTTPSender(cfg.Sink)
	if err != nil {
		return nil, err
	}
	return NewOutbox(pool, cat, sender, log), nil
}

// Catalogue is the catalogue the outbox validates events against.
func (o *Outbox) Catalogue() *Catalogue { return o.catalogue }

// Add validates e and writes it in tx. It returns the row id to pass to
// Publish after the transaction commits.
func (o *Outbox) Add(ctx context.Context, tx pgx.Tx, e cloudevents.Event) (int64, error) {
	if err := o.catalogue.Validate(e); err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return 0, fmt.Errorf("outbox: encode event %s: %w", e.ID(), err)
	}
	var inst any
	if id := Institution(e); id != [16]byte{} {
		inst = id
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO outbox (institution_id, event_id, event_type, event_source, event)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, inst, e.ID(), e.Type(), e.Source(), b).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("outbox: write event %s: %w", e.ID(), err)
	}
	return id, nil
}

// Publish sends the given rows now, after their transaction committed. A
// failure is logged, not returned: the change is committed and the relay will
// deliver the event, so the caller's request has succeeded.
func (o *Outbox) Publish(ctx context.Context, ids ...int64) {
	if len(ids) == 0 {
		return
	}
	if _, err := o.publish(ctx, ids, len(ids)); err != nil {
		o.log.Warn("outbox: publish after commit failed; the relay will retry", "error", err.Error())
	}
}

// RelayResult counts what one relay pass did.
type RelayResult struct {
	Sent, Failed int
}

// Relay publishes up to limit due events of every institution.
func (o *Outbox) Relay(ctx context.Context, limit int) (RelayResult, error) {
	return o.publish(ctx, nil, limit)
}

// PurgeSent deletes events sent before the cutoff, so the table stays small.
func (o *Outbox) PurgeSent(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.PlatformTx(ctx, o.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM outbox WHERE sent_at < $1`, before)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("outbox: purge: %w", err)
	}
	return n, nil
}

type claimed struct {
	id       int64
	attempts int
	event    cloudevents.Event
}

// publish claims due rows (only ids, if given), sends each outside any
// transaction, and records the outcome.
func (o *Outbox) publish(ctx context.Context, ids []int64, limit int) (RelayResult, error) {
	var res RelayResult
	rows, err := o.claim(ctx, ids, limit)
	if err != nil {
		return res, err
	}
	for _, c := range rows {
		sendErr := o.sender.Send(ctx, c.event)
		if err := o.record(ctx, c, sendErr); err != nil {
			return res, err
		}
		if sendErr != nil {
			res.Failed++
			o.log.Warn("outbox: event not delivered yet", "event_id", c.event.ID(), "event_type", c.event.Type(),
				"attempts", c.attempts, "error", sendErr.Error())
			continue
		}
		res.Sent++
	}
	return res, nil
}

// claim leases due rows with SKIP LOCKED, so concurrent publishers (a
// function's own after-commit publish and the relay) never send one row at
// the same time, and commits at once: no transaction stays open while sending.
func (o *Outbox) claim(ctx context.Context, ids []int64, limit int) ([]claimed, error) {
	var out []claimed
	err := db.PlatformTx(ctx, o.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + $3::interval
			WHERE id IN (
				SELECT id FROM outbox
				WHERE sent_at IS NULL AND next_attempt_at <= now() AND ($1::bigint[] IS NULL OR id = ANY($1))
				ORDER BY next_attempt_at, id
				LIMIT $2
				FOR UPDATE SKIP LOCKED)
			RETURNING id, attempts, event`, ids, limit, o.Lease)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimed, error) {
			var c claimed
			var raw []byte
			if err := r.Scan(&c.id, &c.attempts, &raw); err != nil {
				return c, err
			}
			if err := json.Unmarshal(raw, &c.event); err != nil {
				return c, fmt.Errorf("outbox row %d: decode event: %w", c.id, err)
			}
			return c, nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	return out, nil
}

func (o *Outbox) record(ctx context.Context, c claimed, sendErr error) error {
	return db.PlatformTx(ctx, o.pool, func(tx pgx.Tx) error {
		var err error
		if sendErr == nil {
			_, err = tx.Exec(ctx, `UPDATE outbox SET sent_at = now(), last_error = NULL WHERE id = $1`, c.id)
		} else {
			_, err = tx.Exec(ctx, `UPDATE outbox SET last_error = $2, next_attempt_at = now() + $3::interval WHERE id = $1`,
				c.id, sendErr.Error(), retryDelay(c.attempts))
		}
		if err != nil {
			return fmt.Errorf("outbox: record delivery of row %d: %w", c.id, err)
		}
		return nil
	})
}

// retryDelay backs off exponentially from 1 s to at most 5 minutes, so a
// Broker down for an hour is not hammered, and one back soon is used soon.
func retryDelay(attempts int) time.Duration {
	d := time.Second
	for i := 1; i < attempts && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}
