// Command outbox-relay publishes the events that functions wrote to the
// outbox but could not publish after commit (the Broker was down, the
// process died). A PingSource wakes it every minute.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"github.com/ghiseu/ghiseu/shared/runtime"
)

// PingType is the type of the PingSource's events.
const PingType = "dev.knative.sources.ping"

// Relay is the part of events.Outbox the handler needs.
type Relay interface {
	Relay(ctx context.Context, limit int) (RelayResult, error)
	PurgeSent(ctx context.Context, before time.Time) (int64, error)
}

// Handler relays due events on each tick.
type Handler struct {
	Outbox Relay
	Log    *slog.Logger
	// Batch is how many events one claim takes.
	Batch int
	// KeepSent is how long sent events stay in the outbox, for inspection.
	KeepSent time.Duration
}

// Handle relays every due event, batch after batch, until none is left or
// a batch fails entirely (the Broker is still down: try again next tick).
func (h *Handler) Handle(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	if e.Type() != PingType {
		return nil, runtime.Permanent(fmt.Errorf("outbox-relay handles %s events, not %s", PingType, e.Type()))
	}
	var total RelayResult
	for ctx.Err() == nil {
		res, err := h.Outbox.Relay(ctx, h.Batch)
		if err != nil {
			return nil, fmt.Errorf("relay: %w", err)
		}
		total.Sent += res.Sent
		total.Failed += res.Failed
		if res.Sent == 0 {
			break
		}
	}
	purged, err := h.Outbox.PurgeSent(ctx, time.Now().Add(-h.KeepSent))
	if err != nil {
		return nil, err
	}
	if total.Sent+total.Failed+int(purged) > 0 {
		h.Log.Info("outbox relayed", "sent", total.Sent, "failed", total.Failed, "purged", purged)
	}
	return nil, nil
}
