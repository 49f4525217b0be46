package events_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/events"
)

// sink is a real HTTP receiver that records the events it accepts.
type sink struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string]int // event id -> deliveries
}

func newSink(t *testing.T) *sink {
	s := &sink{seen: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.seen[e.ID()]++
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sink) deliveries(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[id]
}

func sender(t *testing.T, url string) events.Sender {
	s, err := events.NewHTTPSender(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// deadURL is an address where nothing listens: the Broker is down.
func deadURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

type outboxRow struct {
	attempts  int
	sent      bool
	lastError *string
}

func row(t *testing.T, d *dbtest.DB, eventID string) (r outboxRow, found bool) {
	t.Helper()
	err := d.Owner.QueryRow(context.Background(),
		`SELECT attempts, sent_at IS NOT NULL, last_error FROM outbox WHERE event_id = $1`, eventID).Scan(&r.attempts, &r.sent, &r.lastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return r, true
}

func newEvent(t *testing.T, c *events.Catalogue, inst uuid.UUID) cloudevents.Event {
	e, err := c.New(events.TypeEventDeadLettered, "/test", inst, deadLetteredData())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	cat := platform(t)
	inst := uuid.New()

	t.Run("rolled back change leaves no event", func(t *testing.T) {
		ob := events.NewOutbox(d.App, cat, sender(t, newSink(t).URL), quiet())
		e := newEvent(t, cat, inst)
		boom := errors.New("boom")
		err := db.TenantTx(ctx, d.App, inst, func(tx pgx.Tx) error {
			if _, err := ob.Add(ctx, tx, e); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if _, found := row(t, d, e.ID()); found {
			t.Fatal("event of a rolled-back transaction is in the outbox")
		}
	})

	t.Run("invalid event is refused", func(t *testing.T) {
		ob := events.NewOutbox(d.App, cat, sender(t, newSink(t).URL), quiet())
		e := newEvent(t, cat, inst)
		_ = e.SetData(cloudevents.ApplicationJSON, map[string]any{"nope": true})
		err := db.TenantTx(ctx, d.App, inst, func(tx pgx.Tx) error { _, err := ob.Add(ctx, tx, e); return err })
		if err == nil {
			t.Fatal("Add accepted an event whose data breaks its schema")
		}
	})

	t.Run("published after commit", func(t *testing.T) {
		s := newSink(t)
		ob := events.NewOutbox(d.App, cat, sender(t, s.URL), quiet())
		e := newEvent(t, cat, inst)
		var id int64
		err := db.TenantTx(ctx, d.App, inst, func(tx pgx.Tx) (err error) { id, err = ob.Add(ctx, tx, e); return err })
		if err != nil {
			t.Fatal(err)
		}
		ob.Publish(ctx, id)
		if n := s.deliveries(e.ID()); n != 1 {
			t.Fatalf("deliveries = %d, want 1", n)
		}
		if r, _ := row(t, d, e.ID()); !r.sent {
			t.Fatal("delivered event not marked sent")
		}
		// The relay does not send it again.
		if _, err := ob.Relay(ctx, 100); err != nil {
			t.Fatal(err)
		}
		if n := s.deliveries(e.ID()); n != 1 {
			t.Fatalf("deliveries after relay = %d, want 1", n)
		}
	})

	t.Run("broker down: event waits, relay delivers it later", func(t *testing.T) {
		down := events.NewOutbox(d.App, cat, sender(t, deadURL(t)), quiet())
		e := newEvent(t, cat, inst)
		var id int64
		err := db.TenantTx(ctx, d.App, inst, func(tx pgx.Tx) (err error) { id, err = down.Add(ctx, tx, e); return err })
		if err != nil {
			t.Fatalf("state change did not commit with the broker down: %v", err)
		}
		down.Publish(ctx, id)
		r, _ := row(t, d, e.ID())
		if r.sent || r.lastError == nil || r.attempts != 1 {
			t.Fatalf("after a failed publish: %+v, want pending with the error recorded", r)
		}
		// The broker is back. The failed row backs off; make it due now
		// rather than waiting for its retry time.
		if _, err := d.Owner.Exec(ctx, `UPDATE outbox SET next_attempt_at = now() WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		s := newSink(t)
		up := events.NewOutbox(d.App, cat, sender(t, s.URL), quiet())
		res, err := up.Relay(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sent < 1 || s.deliveries(e.ID()) != 1 {
			t.Fatalf("relay result %+v, deliveries %d; want the waiting event delivered once", res, s.deliveries(e.ID()))
		}
		if r, _ := row(t, d, e.ID()); !r.sent {
			t.Fatal("relayed event not marked sent")
		}
	})

	t.Run("concurrent relays send each event once", func(t *testing.T) {
		s := newSink(t)
		ob := events.NewOutbox(d.App, cat, sender(t, s.URL), quiet())
		var ids []string
		err := db.TenantTx(ctx, d.App, inst, func(tx pgx.Tx) error {
			for range 50 {
				e := newEvent(t, cat, inst)
				ids = append(ids, e.ID())
				if _, err := ob.Add(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					res, err := ob.Relay(ctx, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if res.Sent+res.Failed == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if n := s.deliveries(id); n != 1 {
				t.Fatalf("event %s delivered %d times, want 1", id, n)
			}
		}
	})

	t.Run("purge removes only old sent events", func(t *testing.T) {
		ob := events.NewOutbox(d.App, cat, sender(t, deadURL(t)), quiet())
		var pending int
		if err := d.Owner.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if _, err := ob.PurgeSent(ctx, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var left, leftPending int
		if err := d.Owner.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE sent_at IS NULL) FROM outbox`).Scan(&left, &leftPending); err != nil {
			t.Fatal(err)
		}
		if left != pending || leftPending != pending {
			t.Fatalf("after purge %d rows (%d pending), want only the %d pending", left, leftPending, pending)
		}
	})
}

func TestFirstDelivery(t *testing.T) {
	ctx := context.Background()
	d := dbtest.New(t)
	first := func(consumer, id string, commit bool) bool {
		t.Helper()
		var ok bool
		err := db.PlatformTx(ctx, d.App, func(tx pgx.Tx) (err error) {
			ok, err = events.FirstDelivery(ctx, tx, consumer, "/src", id)
			if err == nil && !commit {
				return errRollback
			}
			return err
		})
		if err != nil && !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		return ok
	}
	tests := []struct {
		name     string
		consumer string
		id       string
		commit   bool
		want     bool
	}{
		{"first delivery", "notify", "e1", true, true},
		{"duplicate", "notify", "e1", true, false},
		{"another consumer of the same event", "route-work", "e1", true, true},
		{"first try rolled back", "notify", "e2", false, true},
		{"retry after rollback is still first", "notify", "e2", true, true},
	}
	for _, tt := range tests {
		if got := first(tt.consumer, tt.id, tt.commit); got != tt.want {
			t.Errorf("%s: FirstDelivery = %v, want %v", tt.name, got, tt.want)
		}
	}
}

var errRollback = errors.New("roll back")
