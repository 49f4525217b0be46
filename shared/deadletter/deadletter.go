// Package deadletter keeps the events that subscribers kept refusing, as the
// Broker hands them to its dead-letter sink, and replays them on an
// operator's word. All SQL of the dead_letter table is here.
package deadletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
)

// Knative's extension attributes on a dead-lettered event.
const (
	extErrorDest = "knativeerrordest"
	extErrorCode = "knativeerrorcode"
	extErrorData = "knativeerrordata"
	// extReplay counts replays, so a replayed event that fails again is
	// stored again rather than taken for a duplicate delivery.
	extReplay = "ghiseureplay"
)

// Letter is one stored dead-lettered event.
type Letter struct {
	ID          int64
	Institution uuid.UUID
	Event       cloudevents.Event
	ErrorDest   string
	ErrorCode   *int
	ErrorData   string
	ReceivedAt  time.Time
	ReplayCount int
	ReplayedAt  *time.Time
}

// Store records e, as received by the dead-letter sink, in tx. It returns
// the new letter's id, or 0 if this very delivery was stored before.
func Store(ctx context.Context, tx pgx.Tx, e cloudevents.Event) (int64, error) {
	dest := ErrorDest(e)
	// One event may fail at several subscribers, and again after a replay:
	// each of those is its own letter; a redelivery of one of them is not.
	key := e.ID() + "|" + dest + "|" + extString(e, extReplay)
	first, err := events.FirstDelivery(ctx, tx, "dead-letter", e.Source(), key)
	if err != nil || !first {
		return 0, err
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return 0, fmt.Errorf("dead letter %s: encode: %w", e.ID(), err)
	}
	var inst any
	if id := events.Institution(e); id != uuid.Nil {
		inst = id
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO dead_letter (institution_id, event_id, event_type, event_source, event, error_dest, error_code, error_data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		inst, e.ID(), e.Type(), e.Source(), raw, dest, ErrorCode(e), extString(e, extErrorData)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("dead letter %s: store: %w", e.ID(), err)
	}
	return id, nil
}

// Filter selects letters; the zero value selects those not yet replayed.
type Filter struct {
	IncludeReplayed bool
	// After is the keyset cursor: the last id of the previous page.
	After int64
	Limit int
}

// List returns letters in id order, one page at a time.
func List(ctx context.Context, pool *pgxpool.Pool, f Filter) ([]Letter, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var out []Letter
	err := db.PlatformTx(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT id, institution_id, event, error_dest, error_code, coalesce(error_data, ''), received_at, replay_count, replayed_at
			FROM dead_letter
			WHERE id > $1 AND ($2 OR replayed_at IS NULL)
			ORDER BY id LIMIT $3`, f.After, f.IncludeReplayed, f.Limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanLetter)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}

func scanLetter(r pgx.CollectableRow) (Letter, error) {
	var l Letter
	var inst *uuid.UUID
	var raw []byte
	if err := r.Scan(&l.ID, &inst, &raw, &l.ErrorDest, &l.ErrorCode, &l.ErrorData, &l.ReceivedAt, &l.ReplayCount, &l.ReplayedAt); err != nil {
		return l, err
	}
	if inst != nil {
		l.Institution = *inst
	}
	if err := json.Unmarshal(raw, &l.Event); err != nil {
		return l, fmt.Errorf("dead letter %d: decode event: %w", l.ID, err)
	}
	return l, nil
}

// ErrNotFound is returned for a letter id that does not exist.
var ErrNotFound = errors.New("dead letter not found")

// Replay sends the letter back to the Broker as it first arrived (same id
// and source, so consumers that did handle it skip it) and marks it replayed.
func Replay(ctx context.Context, pool *pgxpool.Pool, broker events.Sender, id int64) error {
	var l Letter
	err := db.PlatformTx(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT id, institution_id, event, error_dest, error_code, coalesce(error_data, ''), received_at, replay_count, replayed_at
			FROM dead_letter WHERE id = $1`, id)
		if err != nil {
			return err
		}
		l, err = pgx.CollectExactlyOneRow(rows, scanLetter)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("replay dead letter %d: %w", id, err)
	}
	e := l.Event.Clone()
	for name := range e.Extensions() {
		if strings.HasPrefix(name, "knativeerror") || name == "knativebrokerttl" {
			e.SetExtension(name, nil)
		}
	}
	e.SetExtension(extReplay, strconv.Itoa(l.ReplayCount+1))
	if err := broker.Send(ctx, e); err != nil {
		return fmt.Errorf("replay dead letter %d: %w", id, err)
	}
	err = db.PlatformTx(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE dead_letter SET replay_count = replay_count + 1, replayed_at = now() WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("replay dead letter %d: sent, but not marked replayed: %w", id, err)
	}
	return nil
}

// ErrorDest is the subscriber that refused e, as the Broker recorded it.
func ErrorDest(e cloudevents.Event) string { return extString(e, extErrorDest) }

// ErrorCode is the refusing subscriber's last HTTP status, if it answered.
func ErrorCode(e cloudevents.Event) *int {
	n, err := strconv.Atoi(extString(e, extErrorCode))
	if err != nil {
		return nil
	}
	return &n
}

func extString(e cloudevents.Event, name string) string {
	v, ok := e.Extensions()[name]
	if !ok {
		return ""
	}
	switch v := v.(type) {
	case string:
		return v
	case int32:
		return strconv.Itoa(int(v))
	default:
		return fmt.Sprint(v)
	}
}
