package devbroker

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when the test advances it.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock { return &fakeClock{now: now} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

// Advance moves time forward and fires every waiter that is due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

func (c *fakeClock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

func TestNextFire(t *testing.T) {
	utc := func(s string) time.Time {
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	tests := []struct {
		name     string
		schedule string
		timezone string
		after    string
		want     string
	}{
		{"Bucharest winter (EET, UTC+2)", "0 2 * * *", "Europe/Bucharest", "2026-01-15T12:00:00Z", "2026-01-16T00:00:00Z"},
		{"Bucharest summer (EEST, UTC+3): the previous day in UTC", "0 2 * * *", "Europe/Bucharest", "2026-07-15T12:00:00Z", "2026-07-15T23:00:00Z"},
		{"Bucharest spring-forward day: 02:00 still EET", "0 2 * * *", "Europe/Bucharest", "2026-03-28T23:00:00Z", "2026-03-29T00:00:00Z"},
		{"Bucharest day after spring-forward: EEST", "0 2 * * *", "Europe/Bucharest", "2026-03-29T01:00:00Z", "2026-03-29T23:00:00Z"},
		{"no timezone means UTC", "0 2 * * *", "", "2026-07-15T12:00:00Z", "2026-07-16T02:00:00Z"},
		{"every minute, strictly after", "* * * * *", "", "2026-07-15T12:00:00Z", "2026-07-15T12:01:00Z"},
		{"CRON_TZ prefix", "CRON_TZ=Europe/Bucharest 0 2 * * *", "", "2026-01-15T12:00:00Z", "2026-01-16T00:00:00Z"},
		{"descriptor", "@hourly", "Europe/Bucharest", "2026-01-15T12:30:00Z", "2026-01-15T13:00:00Z"},
		{"invalid schedule", "not a schedule", "", "2026-01-15T12:30:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextFire(PingSource{Schedule: tt.schedule, Timezone: tt.timezone}, utc(tt.after))
			if tt.want == "" {
				if !got.IsZero() {
					t.Fatalf("NextFire = %v, want zero", got)
				}
				return
			}
			if want := utc(tt.want); !got.Equal(want) {
				t.Errorf("NextFire = %v, want %v", got, want)
			}
			if got.Location() != time.UTC {
				t.Errorf("NextFire location = %v, want after's (UTC)", got.Location())
			}
		})
	}
}

func TestNextFireLoaded(t *testing.T) {
	m := writeManifests(t, brokerYAML+`---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata:
  name: nightly-backup
spec:
  schedule: "0 2 * * *"
  timezone: Europe/Bucharest
  sink:
    ref:
      apiVersion: eventing.knative.dev/v1
      kind: Broker
      name: default
`)
	after := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	if got, want := NextFire(m.PingSources[0], after), time.Date(2026, 7, 1, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("NextFire = %v, want %v", got, want)
	}
}

func TestPingSourceFiresThroughTheBroker(t *testing.T) {
	backup := newSubscriber(t, nil)
	manifests := brokerYAML + triggerYAML("nightly-backup", `
  filter:
    attributes:
      type: dev.knative.sources.ping
      source: /apis/v1/namespaces/ghiseu/pingsources/nightly-backup`) + `---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata:
  name: nightly-backup
spec:
  schedule: "0 2 * * *"
  timezone: Europe/Bucharest
  contentType: application/json
  data: '{"kind":"full"}'
  ceOverrides:
    extensions:
      institutionid: all
  sink:
    ref:
      apiVersion: eventing.knative.dev/v1
      kind: Broker
      name: default
`
	clock := newFakeClock(time.Date(2026, 1, 15, 23, 59, 30, 0, time.UTC))
	s := startBroker(t, manifests, map[string]*subscriber{"nightly-backup": backup}, func(o *Options) { o.Clock = clock })

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.broker.RunPingSources(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })

	// 02:00 in Bucharest in January is 00:00 UTC, 30s after the start.
	waitFor(t, "the PingSource to wait for its first tick", func() bool { return clock.pending() == 1 })
	clock.Advance(29 * time.Second)
	clock.Advance(time.Second)
	waitFor(t, "the first ping", func() bool { return backup.count() == 1 })
	// And the next one a day later.
	waitFor(t, "the PingSource to wait for its second tick", func() bool { return clock.pending() == 1 })
	clock.Advance(24 * time.Hour)
	waitFor(t, "the second ping", func() bool { return backup.count() == 2 })

	events := backup.received()
	first := events[0]
	if first.Type() != PingEventType || first.Source() != "/apis/v1/namespaces/ghiseu/pingsources/nightly-backup" {
		t.Errorf("got %s from %s", first.Type(), first.Source())
	}
	if want := time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC); !first.Time().Equal(want) {
		t.Errorf("time = %v, want %v", first.Time(), want)
	}
	if first.DataContentType() != "application/json" || string(first.Data()) != `{"kind":"full"}` {
		t.Errorf("data = %s %q", first.DataContentType(), first.Data())
	}
	if got := first.Extensions()["institutionid"]; got != "all" {
		t.Errorf("institutionid = %v, want all", got)
	}
	if first.ID() == "" || first.ID() == events[1].ID() {
		t.Errorf("ids %q and %q: want fresh ones", first.ID(), events[1].ID())
	}
}
