// Command dead-letter is the Broker's dead-letter sink: it stores every event
// that a subscriber kept refusing, for an operator to inspect and replay
// (infra/cmd/deadletters), and announces it with ro.ghiseu.event.deadlettered.
package main

import (
	"context"
	"fmt"
	"log/slog"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/deadletter"
	"github.com/ghiseu/ghiseu/shared/events"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/dead-letter"

// Handler stores dead-lettered events.
type Handler struct {
	Pool   *pgxpool.Pool
	Outbox *events.Outbox
	Log    *slog.Logger
}

// Handle stores e once, however often the Broker delivers it.
func (h *Handler) Handle(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	var letterID, outboxID int64
	err := db.PlatformTx(ctx, h.Pool, func(tx pgx.Tx) (err error) {
		letterID, err = deadletter.Store(ctx, tx, e)
		if err != nil || letterID == 0 {
			return err
		}
		// Announcing a dead-lettered announcement could loop forever.
		if e.Type() == events.TypeEventDeadLettered {
			return nil
		}
		data := map[string]any{"deadLetterId": letterID, "eventId": e.ID(), "eventType": e.Type(), "eventSource": e.Source(),
			"errorDestination": deadletter.ErrorDest(e)}
		if code := deadletter.ErrorCode(e); code != nil {
			data["errorCode"] = *code
		}
		ev, err := h.Outbox.Catalogue().New(events.TypeEventDeadLettered, Source, events.Institution(e), data)
		if err != nil {
			return err
		}
		outboxID, err = h.Outbox.Add(ctx, tx, ev)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store dead letter %s: %w", e.ID(), err)
	}
	if letterID == 0 {
		return nil, nil // a redelivery of a letter already stored
	}
	h.Log.Error("event dead-lettered: a subscriber kept refusing it; inspect and replay with `make deadletters`",
		"dead_letter_id", letterID, "event_id", e.ID(), "event_type", e.Type(), "event_source", e.Source(),
		"error_dest", deadletter.ErrorDest(e), "error_code", deadletter.ErrorCode(e))
	if outboxID != 0 {
		h.Outbox.Publish(ctx, outboxID)
	}
	return nil, nil
}
