package devbroker

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
	// PingSource time zones must not depend on the dev machine having
	// /usr/share/zoneinfo: embed the IANA database.
	_ "time/tzdata"

	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/google/uuid"
)

// PingEventType is the type of the events PingSources send.
const PingEventType = "dev.knative.sources.ping"

// Clock is the time PingSources fire by; tests substitute one they advance.
type Clock interface {
	Now() time.Time
	// After delivers the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// pingTarget is a PingSource with its sink resolved.
type pingTarget struct {
	source *PingSource
	sink   string
}

// NextFire returns the first time after `after` at which ps fires, in
// after's location; zero if the schedule is invalid or never fires.
func NextFire(ps PingSource, after time.Time) time.Time {
	sched := ps.schedule
	if sched == nil { // not from Load: compile it now
		var err error
		if sched, err = compileSchedule(ps.Schedule, ps.Timezone); err != nil {
			return time.Time{}
		}
	}
	next := sched.Next(after)
	if next.IsZero() {
		return next
	}
	return next.In(after.Location())
}

// RunPingSources fires every PingSource on its schedule until ctx ends.
func (b *Broker) RunPingSources(ctx context.Context) {
	var wg sync.WaitGroup
	for _, t := range b.pings {
		wg.Go(func() { b.runPingSource(ctx, t) })
	}
	wg.Wait()
}

func (b *Broker) runPingSource(ctx context.Context, t pingTarget) {
	ps := t.source
	log := b.log.With("pingsource", ps.Namespace+"/"+ps.Name, "schedule", ps.Schedule, "timezone", ps.Timezone)
	for {
		now := b.clock.Now()
		next := NextFire(*ps, now)
		if next.IsZero() {
			log.Error("pingsource never fires")
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-b.clock.After(next.Sub(now)):
		}
		if err := b.ping(ctx, t, next); err != nil {
			// Like Knative's adapter: one attempt per tick; the next tick
			// comes anyway.
			log.Error("pingsource event not delivered", "sink", t.sink, "error", err)
			continue
		}
		log.Debug("pingsource fired", "at", next)
	}
}

// ping sends the event a PingSource sends at `at`.
func (b *Broker) ping(ctx context.Context, t pingTarget, at time.Time) error {
	ps := t.source
	e := event.New()
	e.SetID(uuid.NewString())
	e.SetType(PingEventType)
	e.SetSource(fmt.Sprintf("/apis/v1/namespaces/%s/pingsources/%s", ps.Namespace, ps.Name))
	e.SetTime(at)
	if len(ps.Data) > 0 {
		if err := e.SetData(ps.ContentType, ps.Data); err != nil {
			return fmt.Errorf("set data: %w", err)
		}
	} else if ps.ContentType != "" {
		e.SetDataContentType(ps.ContentType)
	}
	for name, value := range ps.Extensions {
		e.SetExtension(name, value)
	}
	ctx, cancel := context.WithTimeout(ctx, b.defaultTimeout)
	defer cancel()
	req, err := cehttp.NewHTTPRequestFromEvent(ctx, t.sink, e)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxEventBytes))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("sink answered %s", resp.Status)
	}
	return nil
}
