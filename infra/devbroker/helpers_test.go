package devbroker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// waitFor polls cond until it holds, failing the test after a generous
// deadline: tests wait for conditions, never for amounts of time.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// writeManifests writes YAML into a fresh directory and loads it.
func writeManifests(t *testing.T, manifests string) *Manifests {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "manifests.yaml"), []byte(manifests), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m
}

// reply is what a test subscriber answers to its n-th call (1-based).
type reply struct {
	status int
	body   string
	header map[string]string
	event  *event.Event // a reply event, in binary mode unless structured
	// structured sends the reply event in structured mode.
	structured bool
}

// subscriber is a function stand-in that records the events it gets.
type subscriber struct {
	srv     *httptest.Server
	mu      sync.Mutex
	events  []event.Event
	headers []http.Header
	respond func(n int, e event.Event) reply
}

func newSubscriber(t *testing.T, respond func(n int, e event.Event) reply) *subscriber {
	t.Helper()
	if respond == nil {
		respond = func(int, event.Event) reply { return reply{status: http.StatusOK} }
	}
	s := &subscriber{respond: respond}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil {
			t.Errorf("subscriber got a request that is not a CloudEvent: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.events = append(s.events, *e)
		s.headers = append(s.headers, r.Header.Clone())
		n := len(s.events)
		s.mu.Unlock()

		rep := s.respond(n, *e)
		switch {
		case rep.event != nil && rep.structured:
			body, err := json.Marshal(rep.event)
			if err != nil {
				t.Error(err)
			}
			w.Header().Set("Content-Type", event.ApplicationCloudEventsJSON)
			w.WriteHeader(rep.status)
			_, _ = w.Write(body)
		case rep.event != nil:
			if err := cehttp.WriteResponseWriter(r.Context(), binding.ToMessage(rep.event), rep.status, w); err != nil {
				t.Error(err)
			}
		default:
			for k, v := range rep.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(rep.status)
			_, _ = w.Write([]byte(rep.body))
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *subscriber) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

func (s *subscriber) received() []event.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]event.Event(nil), s.events...)
}

func (s *subscriber) receivedHeaders() []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.headers...)
}

// stack is a running Broker behind a real HTTP ingress.
type stack struct {
	broker  *Broker
	ingress string // base URL of the ingress server
}

// brokerURL is the ingress address of the ghiseu/default broker.
func (s *stack) brokerURL() string { return s.ingress + "/ghiseu/default" }

// startBroker loads manifests and runs a Broker whose resolver maps Knative
// Services to the given subscribers and Brokers to its own ingress.
func startBroker(t *testing.T, manifests string, services map[string]*subscriber, tweak func(*Options)) *stack {
	t.Helper()
	m := writeManifests(t, manifests)
	// The listener exists before the server starts, so the resolver knows
	// the ingress address before the broker it serves is built.
	srv := httptest.NewUnstartedServer(nil)
	ingress := "http://" + srv.Listener.Addr().String()
	opts := Options{
		Logger: testLogger(t),
		Resolver: func(ref Ref) (string, error) {
			switch ref.Kind {
			case "Broker":
				return ingress + "/" + ref.Namespace + "/" + ref.Name, nil
			case "Service":
				if s, ok := services[ref.Name]; ok {
					return s.srv.URL, nil
				}
			}
			return "", fmt.Errorf("no local address for %s", ref)
		},
	}
	if tweak != nil {
		tweak(&opts)
	}
	b, err := NewBroker(m, opts)
	if err != nil {
		t.Fatalf("NewBroker: %v", err)
	}
	srv.Config.Handler = b
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		srv.Close()
	})
	return &stack{broker: b, ingress: ingress}
}

// closeBroker waits for every delivery in flight, so that what has not
// arrived by then never will.
func (s *stack) closeBroker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.broker.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func newEvent(id, typ string) event.Event {
	e := event.New()
	e.SetID(id)
	e.SetType(typ)
	e.SetSource("/test")
	_ = e.SetData(event.ApplicationJSON, map[string]string{"hello": "world"})
	return e
}

// post sends e to url in binary mode.
func post(t *testing.T, url string, e event.Event) *http.Response {
	t.Helper()
	req, err := cehttp.NewHTTPRequestFromEvent(context.Background(), url, e)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

// send posts e to url in binary mode and returns the status.
func send(t *testing.T, url string, e event.Event) int {
	t.Helper()
	return post(t, url, e).StatusCode
}

func do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// decodeProblem checks r is an RFC 9457 problem and returns it.
func decodeProblem(t *testing.T, r *http.Response) problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	var body bytes.Buffer
	if _, err := body.ReadFrom(r.Body); err != nil {
		t.Fatal(err)
	}
	var p problem
	if err := json.Unmarshal(body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", body.String(), err)
	}
	if p.Status != r.StatusCode || p.Type == "" || p.Title == "" || p.Code == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, r.StatusCode)
	}
	return p
}
