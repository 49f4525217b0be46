package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"github.com/ghiseu/ghiseu/shared/runtime"
)

// fakeOutbox hands out scripted relay results, one per call.
type fakeOutbox struct {
	results []RelayResult
	err     error
	calls   int
	purged  time.Time
}

func (f *fakeOutbox) Relay(context.Context, int) (RelayResult, error) {
	if f.err != nil {
		return RelayResult{}, f.err
	}
	f.calls++
	if f.calls > len(f.results) {
		return RelayResult{}, nil
	}
	return f.results[f.calls-1], nil
}

func (f *fakeOutbox) PurgeSent(_ context.Context, before time.Time) (int64, error) {
	f.purged = before
	return 0, nil
}

func ping() cloudevents.Event {
	e := cloudevents.NewEvent()
	e.SetID("1")
	e.SetType(PingType)
	e.SetSource("/apis/v1/namespaces/ghiseu/pingsources/outbox-relay-every-minute")
	return e
}

func TestHandle(t *testing.T) {
	dbDown := errors.New("db down")
	tests := []struct {
		name      string
		event     func() cloudevents.Event
		outbox    *fakeOutbox
		wantCalls int
		wantErr   error
		permanent bool
	}{
		{name: "nothing due", event: ping, outbox: &fakeOutbox{}, wantCalls: 1},
		{name: "relays batch after batch until none is left", event: ping,
			outbox: &fakeOutbox{results: []RelayResult{{Sent: 200}, {Sent: 200}, {Sent: 13}}}, wantCalls: 4},
		{name: "stops when the broker refuses a whole batch", event: ping,
			outbox: &fakeOutbox{results: []RelayResult{{Sent: 5, Failed: 1}, {Failed: 200}, {Sent: 9}}}, wantCalls: 2},
		{name: "database failure is retried by the broker", event: ping, outbox: &fakeOutbox{err: dbDown}, wantErr: dbDown},
		{name: "other event types are refused for good", event: func() cloudevents.Event {
			e := ping()
			e.SetType("ro.ghiseu.something")
			return e
		}, outbox: &fakeOutbox{}, permanent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &Handler{Outbox: tt.outbox, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Batch: 200, KeepSent: time.Hour}
			_, err := h.Handle(context.Background(), tt.event())
			var perm *runtime.PermanentError
			switch {
			case tt.permanent:
				if !errors.As(err, &perm) {
					t.Fatalf("err = %v, want a permanent error", err)
				}
				return
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) || errors.As(err, &perm) {
					t.Fatalf("err = %v, want retryable %v", err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if tt.outbox.calls != tt.wantCalls {
				t.Errorf("relay passes = %d, want %d", tt.outbox.calls, tt.wantCalls)
			}
			if age := time.Since(tt.outbox.purged); age < time.Hour || age > time.Hour+time.Minute {
				t.Errorf("purged events sent before %v, want about an hour ago", tt.outbox.purged)
			}
		})
	}
}
