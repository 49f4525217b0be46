package main

import (
	"context"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

// PingType is the type of the PingSource's events.
const PingType = "dev.knative.sources.ping"

// watchConsumer names the deadline watch in the inbox, where each
// reminder (a request, a day) is recorded once.
const watchConsumer = "handle-request.deadline-watch"

// watchDeadlines is the daily deadline watch: for every open request
// whose deadline is one of s.reminderDays away, and every open request for
// public information whose term for a reasoned refusal is one of
// s.refusalReminderDays away, it announces
// ro.ghiseu.request.deadline.approaching with the term (notify tells the
// clerk). A second tick the same day, or a redelivered one, announces
// nothing new.
func (s *server) watchDeadlines(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	if e.Type() != PingType {
		return nil, runtime.Permanent(fmt.Errorf("handle-request takes %s events, not %s", PingType, e.Type()))
	}
	now := time.Now()
	today := deadlines.DateOf(now)
	var ids []int64
	err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		for _, w := range []struct {
			term string
			// key prefixes the request's id in the inbox: each term is
			// reminded of once a day, apart from the other.
			key  string
			days []int
			due  func(context.Context, pgx.Tx, deadlines.Date, []int) ([]requests.Request, []int64, error)
		}{
			{requests.TermAnswer, "request:", s.reminderDays, requests.Due},
			{requests.TermRefusal, "request-refusal:", s.refusalReminderDays, requests.DueForRefusal},
		} {
			if len(w.days) == 0 {
				continue
			}
			due, last, err := w.due(ctx, tx, today, w.days)
			if err != nil {
				return err
			}
			for i, r := range due {
				data, ok := requests.Reminder(r, w.term, last[i], now)
				if !ok {
					continue
				}
				first, err := events.FirstDelivery(ctx, tx, watchConsumer, w.key+r.ID.String(), today.String())
				if err != nil {
					return err
				}
				if !first {
					continue
				}
				ev, err := s.outbox.Catalogue().New(events.TypeRequestDeadlineApproaching, Source, r.Institution, data)
				if err != nil {
					return err
				}
				id, err := s.outbox.Add(ctx, tx, ev)
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("deadline watch: %w", err)
	}
	s.outbox.Publish(ctx, ids...)
	if len(ids) > 0 {
		s.log.Info("deadline reminders", "count", len(ids), "day", today.String())
	}
	return nil, nil
}
