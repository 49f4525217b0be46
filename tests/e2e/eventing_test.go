package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// trigger renders a Trigger that sends events of type typ to url, with the
// platform's dead-letter function as its dead-letter sink.
func trigger(name, filter, url string, retry int) string {
	return fmt.Sprintf(`---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: {name: %s, namespace: ghiseu}
spec:
  broker: default
  filters:
    - %s
  subscriber: {uri: "%s"}
  delivery:
    retry: %d
    backoffPolicy: exponential
    backoffDelay: PT0.05S
    deadLetterSink:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: dead-letter}
`, name, filter, url, retry)
}

type deadLetterRow struct {
	id        int64
	code      *int
	dest      string
	replayed  bool
	replayCnt int
}

// deadLetters returns the stored letters of event id, oldest first.
func (p *platform) deadLetters(eventID string) []deadLetterRow {
	p.t.Helper()
	rows, err := p.db.Owner.Query(context.Background(),
		`SELECT id, error_code, error_dest, replayed_at IS NOT NULL, replay_count FROM dead_letter WHERE event_id = $1 ORDER BY id`, eventID)
	if err != nil {
		p.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (d deadLetterRow, err error) {
		err = r.Scan(&d.id, &d.code, &d.dest, &d.replayed, &d.replayCnt)
		return d, err
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return out
}

func TestBrokerDelivery(t *testing.T) {
	exactA := newSubscriber(t, always(http.StatusAccepted))
	prefixB := newSubscriber(t, always(http.StatusOK))
	otherC := newSubscriber(t, always(http.StatusAccepted))
	flaky := newSubscriber(t, func(attempt int) int {
		if attempt <= 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusAccepted
	})
	rejecting := newSubscriber(t, always(http.StatusUnprocessableEntity))
	badRequest := newSubscriber(t, always(http.StatusBadRequest))
	broken := newSubscriber(t, always(http.StatusInternalServerError))
	announcements := newSubscriber(t, always(http.StatusAccepted))

	p := startPlatform(t, strings.Join([]string{
		trigger("exact-a", "exact: {type: ro.ghiseu.routing.registered}", exactA.URL, 0),
		trigger("prefix-b", "prefix: {type: ro.ghiseu.routing.}", prefixB.URL, 0),
		trigger("other-c", `all: [{exact: {type: ro.ghiseu.routing.registered}}, {exact: {source: /elsewhere}}]`, otherC.URL, 0),
		trigger("flaky", "exact: {type: ro.ghiseu.test.flaky}", flaky.URL, 3),
		trigger("rejecting", "exact: {type: ro.ghiseu.test.rejected}", rejecting.URL, 3),
		trigger("bad-request", "exact: {type: ro.ghiseu.test.badrequest}", badRequest.URL, 3),
		trigger("broken", "exact: {type: ro.ghiseu.test.broken}", broken.URL, 2),
		trigger("announcements", "exact: {type: ro.ghiseu.event.deadlettered}", announcements.URL, 3),
	}, ""), nil)

	t.Run("event reaches exactly the matching subscribers", func(t *testing.T) {
		e := newEvent("ro.ghiseu.routing.registered")
		if status := p.send(t, e); status != http.StatusAccepted {
			t.Fatalf("broker answered %d", status)
		}
		p.stopBroker() // drains: every delivery has happened
		defer p.startBroker()
		if a, b, c := exactA.count(e.ID()), prefixB.count(e.ID()), otherC.count(e.ID()); a != 1 || b != 1 || c != 0 {
			t.Fatalf("deliveries exact=%d prefix=%d non-matching=%d, want 1, 1, 0", a, b, c)
		}
	})

	t.Run("5xx is retried and then succeeds", func(t *testing.T) {
		e := newEvent("ro.ghiseu.test.flaky")
		p.send(t, e)
		p.stopBroker()
		defer p.startBroker()
		if n := flaky.count(e.ID()); n != 3 {
			t.Fatalf("attempts = %d, want 3 (two 503s, then success)", n)
		}
		if dl := p.deadLetters(e.ID()); len(dl) != 0 {
			t.Fatalf("a delivered event was dead-lettered: %+v", dl)
		}
	})

	for _, tc := range []struct {
		typ  string
		sub  *subscriber
		code int
	}{
		{"ro.ghiseu.test.rejected", rejecting, http.StatusUnprocessableEntity},
		{"ro.ghiseu.test.badrequest", badRequest, http.StatusBadRequest},
	} {
		t.Run(fmt.Sprintf("%d is not retried", tc.code), func(t *testing.T) {
			e := newEvent(tc.typ)
			p.send(t, e)
			p.stopBroker()
			defer p.startBroker()
			if n := tc.sub.count(e.ID()); n != 1 {
				t.Fatalf("attempts = %d, want 1", n)
			}
			dl := p.deadLetters(e.ID())
			if len(dl) != 1 || dl[0].code == nil || *dl[0].code != tc.code || dl[0].dest != tc.sub.URL {
				t.Fatalf("dead letters %+v, want one with code %d from %s", dl, tc.code, tc.sub.URL)
			}
		})
	}

	t.Run("always failing ends in the dead-letter store and replays", func(t *testing.T) {
		e := newEvent("ro.ghiseu.test.broken")
		p.send(t, e)
		poll.Until(t, 30*time.Second, "the dead letter", func() bool { return len(p.deadLetters(e.ID())) == 1 })
		if n := broken.count(e.ID()); n != 3 {
			t.Fatalf("attempts = %d, want 1 + 2 retries", n)
		}
		letter := p.deadLetters(e.ID())[0]
		if letter.code == nil || *letter.code != http.StatusInternalServerError {
			t.Fatalf("dead letter %+v, want code 500", letter)
		}
		// Operators are told: the dead-letter function announces it.
		var announced string
		if err := p.db.Owner.QueryRow(context.Background(),
			`SELECT event_id FROM outbox WHERE event_type = $1 AND event->'data'->>'eventId' = $2`,
			events.TypeEventDeadLettered, e.ID()).Scan(&announced); err != nil {
			t.Fatalf("no announcement in the outbox: %v", err)
		}
		poll.Until(t, 30*time.Second, "the announcement", func() bool { return announcements.count(announced) == 1 })

		out := deadletters(t, p, "list")
		if !strings.Contains(out, e.ID()) || !strings.Contains(out, strconv.FormatInt(letter.id, 10)) {
			t.Fatalf("deadletters list does not show the letter:\n%s", out)
		}
		broken.setRespond(always(http.StatusAccepted)) // the subscriber is fixed
		deadletters(t, p, "replay", strconv.FormatInt(letter.id, 10))
		poll.Until(t, 30*time.Second, "the replayed delivery", func() bool { return broken.count(e.ID()) == 4 })
		if dl := p.deadLetters(e.ID()); len(dl) != 1 || !dl[0].replayed || dl[0].replayCnt != 1 {
			t.Fatalf("after replay: %+v, want the one letter marked replayed once", dl)
		}
		if out := deadletters(t, p, "list"); strings.Contains(out, e.ID()) {
			t.Fatalf("a replayed letter is still listed as pending:\n%s", out)
		}
	})

	t.Run("an event delivered twice has its effect once", func(t *testing.T) {
		e := newEvent("ro.ghiseu.test.redelivered")
		e.SetExtension("knativeerrordest", "http://subscriber.example/")
		e.SetExtension("knativeerrorcode", "500")
		for range 2 {
			if status := postEvent(t, p.functions["dead-letter"], e); status != http.StatusAccepted {
				t.Fatalf("dead-letter answered %d", status)
			}
		}
		if dl := p.deadLetters(e.ID()); len(dl) != 1 {
			t.Fatalf("%d dead letters after two deliveries of one event, want 1", len(dl))
		}
	})

	t.Run("a malformed CloudEvent gets 400", func(t *testing.T) {
		for name, url := range map[string]string{"broker": p.brokerURL, "function": p.functions["dead-letter"]} {
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"hello":"Lugoj"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Ce-Specversion", "1.0")
			req.Header.Set("Ce-Type", "ro.ghiseu.test.malformed")
			req.Header.Set("Ce-Source", "/e2e") // no Ce-Id
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var problem map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&problem)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s answered %d %s, want 400 problem+json", name, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if detail, _ := problem["detail"].(string); !strings.Contains(detail, "id") {
				t.Errorf("%s: problem %v does not name the missing id", name, problem)
			}
		}
	})
}

// With the broker down a state change still commits; its event waits in the
// outbox, and the relay, woken by the PingSource's tick through the real
// Trigger of k8s/base, delivers it once the broker is back.
func TestOutboxSurvivesBrokerOutage(t *testing.T) {
	announcements := newSubscriber(t, always(http.StatusAccepted))
	p := startPlatform(t, trigger("announcements", "exact: {type: ro.ghiseu.event.deadlettered}", announcements.URL, 3), nil)
	ctx := context.Background()

	p.stopBroker()
	e := newEvent("ro.ghiseu.test.refused")
	e.SetExtension("knativeerrordest", "http://subscriber.example/")
	if status := postEvent(t, p.functions["dead-letter"], e); status != http.StatusAccepted {
		t.Fatalf("with the broker down, the state change was refused: %d", status)
	}
	if len(p.deadLetters(e.ID())) != 1 {
		t.Fatal("the state change did not commit")
	}
	var announced string
	var lastError *string
	err := p.db.Owner.QueryRow(ctx, `SELECT event_id, last_error FROM outbox WHERE event->'data'->>'eventId' = $1 AND sent_at IS NULL`,
		e.ID()).Scan(&announced, &lastError)
	if err != nil || lastError == nil {
		t.Fatalf("the event is not waiting in the outbox with the failure recorded: %v %v", err, lastError)
	}

	p.startBroker()
	ping := cloudevents.NewEvent()
	ping.SetType("dev.knative.sources.ping")
	ping.SetSource("/apis/v1/namespaces/ghiseu/pingsources/outbox-relay-every-minute")
	_ = ping.SetData(cloudevents.ApplicationJSON, map[string]string{"task": "outbox-relay"})
	// The failed attempt backs off for a second; tick until the relay has
	// delivered it, as the PingSource does every minute.
	lastTick := time.Time{}
	poll.Until(t, 60*time.Second, "the relayed event", func() bool {
		if time.Since(lastTick) > 300*time.Millisecond {
			ping.SetID(fmt.Sprintf("tick-%d", time.Now().UnixNano()))
			p.send(t, ping)
			lastTick = time.Now()
		}
		return announcements.count(announced) > 0
	})
	p.stopBroker()
	if n := announcements.count(announced); n != 1 {
		t.Fatalf("the waiting event was delivered %d times, want 1", n)
	}
	var sent bool
	if err := p.db.Owner.QueryRow(ctx, `SELECT sent_at IS NOT NULL FROM outbox WHERE event_id = $1`, announced).Scan(&sent); err != nil || !sent {
		t.Fatalf("relayed event not marked sent: %v", err)
	}
}

func TestMissingConfigStopsFunctionsAtStart(t *testing.T) {
	base := []string{"PATH=" + os.Getenv("PATH")}
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"nothing set", nil, "DATABASE_URL"},
		{"no broker sink", []string{"DATABASE_URL=postgres://u:p@127.0.0.1:1/x"}, "K_SINK"},
		{"malformed port", []string{"DATABASE_URL=postgres://u:p@127.0.0.1:1/x", "K_SINK=http://127.0.0.1:1/", "PORT=eighty"}, "PORT"},
		{"malformed log level", []string{"DATABASE_URL=postgres://u:p@127.0.0.1:1/x", "K_SINK=http://127.0.0.1:1/", "LOG_LEVEL=loud"}, "LOG_LEVEL"},
	}
	for _, fn := range []string{"dead-letter", "outbox-relay"} {
		for _, tt := range tests {
			t.Run(fn+"/"+tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, filepath.Join(binDir, fn))
				cmd.Env = append(base, tt.env...)
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 2 {
					t.Fatalf("exit = %v, want status 2; output:\n%s", err, out)
				}
				if !strings.Contains(string(out), tt.want) {
					t.Fatalf("output does not name %s:\n%s", tt.want, out)
				}
			})
		}
	}
}

// deadletters runs the operator command against the platform.
func deadletters(t *testing.T, p *platform, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "deadletters"), args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+p.db.AppURL, "K_SINK="+p.brokerURL, "GHISEU_DATA="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("deadletters %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
