package devbroker

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
)

const brokerYAML = `
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
`

// triggerYAML is a Trigger on the default broker subscribing the Service
// named after it; spec holds more indented spec fields.
func triggerYAML(name, spec string) string {
	return fmt.Sprintf(`---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: %s
spec:
  broker: default
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: %s
%s
`, name, name, spec)
}

func TestBrokerDeliversToMatchingTriggers(t *testing.T) {
	subs := map[string]*subscriber{
		"register-document": newSubscriber(t, nil),
		"route-work":        newSubscriber(t, nil),
		"notify":            newSubscriber(t, nil),
	}
	manifests := brokerYAML +
		triggerYAML("register-document", `
  filter:
    attributes:
      type: ro.ghiseu.request.submitted`) +
		triggerYAML("route-work", `
  filters:
    - prefix:
        type: ro.ghiseu.request.`) +
		triggerYAML("notify", `
  filters:
    - exact:
        type: ro.ghiseu.document.registered`)
	s := startBroker(t, manifests, subs, nil)

	if got := send(t, s.brokerURL(), newEvent("e1", "ro.ghiseu.request.submitted")); got != http.StatusAccepted {
		t.Fatalf("ingress status = %d, want 202", got)
	}
	waitFor(t, "both matching subscribers", func() bool {
		return subs["register-document"].count() == 1 && subs["route-work"].count() == 1
	})
	s.closeBroker(t)

	want := map[string]int{"register-document": 1, "route-work": 1, "notify": 0}
	for name, n := range want {
		if got := subs[name].count(); got != n {
			t.Errorf("%s got %d events, want %d", name, got, n)
		}
	}
	for _, name := range []string{"register-document", "route-work"} {
		e := subs[name].received()[0]
		if e.ID() != "e1" || e.Type() != "ro.ghiseu.request.submitted" {
			t.Errorf("%s got %s/%s", name, e.ID(), e.Type())
		}
		if _, ok := e.Extensions()[ttlExtension]; ok {
			t.Errorf("%s got the broker's %s extension", name, ttlExtension)
		}
		h := subs[name].receivedHeaders()[0]
		if h.Get("Ce-Id") != "e1" || h.Get("Content-Type") != event.ApplicationJSON {
			t.Errorf("%s: not a binary-mode request: %v", name, h)
		}
	}
}

func TestBrokerRetriesAndDeadLetters(t *testing.T) {
	tests := []struct {
		name       string
		statuses   []int // answer to call n; the last one repeats
		retry      int
		wantCalls  int
		wantDLS    bool
		wantCode   string
		wantPolicy string
	}{
		{name: "503 twice then 200 is retried", statuses: []int{503, 503, 200}, retry: 3, wantCalls: 3, wantPolicy: "exponential"},
		{name: "404 408 409 429 are retried", statuses: []int{404, 408, 409, 429, 202}, retry: 4, wantCalls: 5, wantPolicy: "linear"},
		{name: "422 is not retried", statuses: []int{422}, retry: 3, wantCalls: 1, wantDLS: true, wantCode: "422", wantPolicy: "exponential"},
		{name: "400 is not retried", statuses: []int{400}, retry: 3, wantCalls: 1, wantDLS: true, wantCode: "400", wantPolicy: "linear"},
		{name: "always 500 ends in the dead-letter sink", statuses: []int{500}, retry: 2, wantCalls: 3, wantDLS: true, wantCode: "500", wantPolicy: "exponential"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			worker := newSubscriber(t, func(n int, _ event.Event) reply {
				status := tt.statuses[min(n, len(tt.statuses))-1]
				return reply{status: status, body: fmt.Sprintf(`{"code":"answer-%d"}`, n)}
			})
			dls := newSubscriber(t, nil)
			manifests := brokerYAML + triggerYAML("worker", fmt.Sprintf(`
  delivery:
    retry: %d
    backoffPolicy: %s
    backoffDelay: PT0.01S
    deadLetterSink:
      ref:
        apiVersion: serving.knative.dev/v1
        kind: Service
        name: dead-letter`, tt.retry, tt.wantPolicy))
			s := startBroker(t, manifests, map[string]*subscriber{"worker": worker, "dead-letter": dls}, nil)

			if got := send(t, s.brokerURL(), newEvent("e1", "ro.ghiseu.request.submitted")); got != http.StatusAccepted {
				t.Fatalf("ingress status = %d, want 202", got)
			}
			waitFor(t, "the last attempt", func() bool { return worker.count() >= tt.wantCalls })
			s.closeBroker(t)

			if got := worker.count(); got != tt.wantCalls {
				t.Errorf("subscriber called %d times, want %d", got, tt.wantCalls)
			}
			if !tt.wantDLS {
				if got := dls.count(); got != 0 {
					t.Errorf("dead-letter sink got %d events, want none", got)
				}
				return
			}
			if got := dls.count(); got != 1 {
				t.Fatalf("dead-letter sink got %d events, want 1", got)
			}
			dead := dls.received()[0]
			if dead.ID() != "e1" {
				t.Errorf("dead letter id = %q, want e1", dead.ID())
			}
			ext := dead.Extensions()
			wantData := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, `{"code":"answer-%d"}`, tt.wantCalls))
			for name, want := range map[string]string{
				errorDestExtension: worker.srv.URL,
				errorCodeExtension: tt.wantCode,
				errorDataExtension: wantData,
			} {
				if got := fmt.Sprint(ext[name]); got != want {
					t.Errorf("dead letter %s = %q, want %q", name, got, want)
				}
			}
		})
	}
}

// A dead-letter sink that is briefly down (restarting) gets the Trigger's
// retries, so the refused event is not lost.
func TestBrokerRetriesTheDeadLetterSink(t *testing.T) {
	worker := newSubscriber(t, func(int, event.Event) reply { return reply{status: http.StatusUnprocessableEntity} })
	dls := newSubscriber(t, func(n int, _ event.Event) reply {
		if n == 1 {
			return reply{status: http.StatusServiceUnavailable}
		}
		return reply{status: http.StatusAccepted}
	})
	manifests := brokerYAML + triggerYAML("worker", `
  delivery:
    retry: 2
    backoffDelay: PT0.01S
    deadLetterSink:
      ref:
        apiVersion: serving.knative.dev/v1
        kind: Service
        name: dead-letter`)
	s := startBroker(t, manifests, map[string]*subscriber{"worker": worker, "dead-letter": dls}, nil)
	send(t, s.brokerURL(), newEvent("e1", "ro.ghiseu.request.submitted"))
	s.closeBroker(t)
	if w, d := worker.count(), dls.count(); w != 1 || d != 2 {
		t.Fatalf("subscriber called %d times, dead-letter sink %d; want 1 and 2 (one 503, then accepted)", w, d)
	}
}

func TestBrokerUsesBrokerDeliveryWhenTriggerHasNone(t *testing.T) {
	worker := newSubscriber(t, func(int, event.Event) reply { return reply{status: http.StatusInternalServerError} })
	dls := newSubscriber(t, nil)
	manifests := `
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
spec:
  delivery:
    retry: 1
    backoffDelay: PT0.01S
    deadLetterSink:
      ref:
        apiVersion: serving.knative.dev/v1
        kind: Service
        name: dead-letter
` + triggerYAML("worker", "")
	s := startBroker(t, manifests, map[string]*subscriber{"worker": worker, "dead-letter": dls}, nil)
	send(t, s.brokerURL(), newEvent("e1", "x"))
	waitFor(t, "the dead letter", func() bool { return dls.count() == 1 })
	s.closeBroker(t)
	if got := worker.count(); got != 2 {
		t.Errorf("subscriber called %d times, want 2", got)
	}
}

func TestBrokerReplyIsDeliveredToMatchingTrigger(t *testing.T) {
	for _, structured := range []bool{false, true} {
		t.Run(fmt.Sprintf("structured=%v", structured), func(t *testing.T) {
			submitter := newSubscriber(t, func(_ int, e event.Event) reply {
				r := newEvent("reply-to-"+e.ID(), "ro.ghiseu.document.registered")
				return reply{status: http.StatusOK, event: &r, structured: structured}
			})
			registrar := newSubscriber(t, nil)
			manifests := brokerYAML +
				triggerYAML("submitter", `
  filter:
    attributes:
      type: ro.ghiseu.request.submitted`) +
				triggerYAML("registrar", `
  filter:
    attributes:
      type: ro.ghiseu.document.registered`)
			s := startBroker(t, manifests, map[string]*subscriber{"submitter": submitter, "registrar": registrar}, nil)

			send(t, s.brokerURL(), newEvent("e1", "ro.ghiseu.request.submitted"))
			waitFor(t, "the reply", func() bool { return registrar.count() == 1 })
			s.closeBroker(t)

			if got := registrar.received()[0].ID(); got != "reply-to-e1" {
				t.Errorf("registrar got %q, want reply-to-e1", got)
			}
			if got := submitter.count(); got != 1 {
				t.Errorf("submitter called %d times, want 1", got)
			}
		})
	}
}

func TestBrokerInvalidReplyFailsTheAttempt(t *testing.T) {
	// A reply that claims to be a CloudEvent (ce-specversion) but has no id:
	// Knative's broker answers 502, so the delivery is retried.
	broken := newSubscriber(t, func(int, event.Event) reply {
		return reply{status: http.StatusOK, header: map[string]string{"Ce-Specversion": "1.0", "Ce-Type": "x", "Ce-Source": "/x"}}
	})
	dls := newSubscriber(t, nil)
	s := startBroker(t, brokerYAML+triggerYAML("broken", `
  delivery:
    retry: 1
    backoffDelay: PT0.01S
    deadLetterSink:
      ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: dead-letter}`),
		map[string]*subscriber{"broken": broken, "dead-letter": dls}, nil)
	send(t, s.brokerURL(), newEvent("e1", "x"))
	waitFor(t, "the dead letter", func() bool { return dls.count() == 1 })
	s.closeBroker(t)
	if got := broken.count(); got != 2 {
		t.Errorf("subscriber called %d times, want 2", got)
	}
	if got := dls.received()[0].Extensions()[errorCodeExtension]; got != "502" {
		t.Errorf("%s = %v, want 502", errorCodeExtension, got)
	}
}

func TestBrokerTTLStopsReplyLoops(t *testing.T) {
	// The subscriber answers every event with another of the same type,
	// so only the TTL ends the loop: 3 → 2 → 1 → dropped.
	echo := newSubscriber(t, func(n int, e event.Event) reply {
		r := newEvent(fmt.Sprintf("echo-%d", n), e.Type())
		return reply{status: http.StatusOK, event: &r}
	})
	s := startBroker(t, brokerYAML+triggerYAML("echo", ""), map[string]*subscriber{"echo": echo}, nil)
	e := newEvent("e1", "loop")
	e.SetExtension(ttlExtension, 3)
	send(t, s.brokerURL(), e)
	waitFor(t, "three hops", func() bool { return echo.count() >= 3 })
	s.closeBroker(t)
	if got := echo.count(); got != 3 {
		t.Errorf("subscriber called %d times, want 3", got)
	}
}

func TestIngressRejects(t *testing.T) {
	s := startBroker(t, brokerYAML+triggerYAML("worker", ""), map[string]*subscriber{"worker": newSubscriber(t, nil)}, nil)
	binary := func(drop string) func() *http.Request {
		return func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, s.brokerURL(), strings.NewReader(`{}`))
			h := map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "e1", "Ce-Type": "x", "Ce-Source": "/test", "Content-Type": "application/json"}
			delete(h, drop)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			return req
		}
	}
	structured := func(body string) func() *http.Request {
		return func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, s.brokerURL(), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/cloudevents+json")
			return req
		}
	}
	tests := []struct {
		name     string
		req      func() *http.Request
		wantCode int
		wantProb string
	}{
		{name: "binary without ce-id", req: binary("Ce-Id"), wantCode: 400, wantProb: codeInvalidEvent},
		{name: "binary without ce-source", req: binary("Ce-Source"), wantCode: 400, wantProb: codeInvalidEvent},
		{name: "structured bad JSON", req: structured(`{"specversion":"1.0",`), wantCode: 400, wantProb: codeInvalidEvent},
		{name: "structured without type", req: structured(`{"specversion":"1.0","id":"e1","source":"/test"}`), wantCode: 400, wantProb: codeInvalidEvent},
		{name: "not a CloudEvent at all", req: func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, s.brokerURL(), strings.NewReader(`hello`))
			req.Header.Set("Content-Type", "text/plain")
			return req
		}, wantCode: 400, wantProb: codeInvalidEvent},
		{name: "unknown broker", req: func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, s.ingress+"/ghiseu/nope", nil)
			return req
		}, wantCode: 404, wantProb: codeUnknownBroker},
		{name: "GET", req: func() *http.Request {
			req, _ := http.NewRequest(http.MethodGet, s.brokerURL(), nil)
			return req
		}, wantCode: 405, wantProb: codeMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, tt.req())
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantCode)
			}
			p := decodeProblem(t, resp)
			if p.Code != tt.wantProb || p.Detail == "" {
				t.Errorf("problem = %+v, want code %q with a detail", p, tt.wantProb)
			}
		})
	}
}

func TestIngressAnswers503WhenQueueIsFull(t *testing.T) {
	release := make(chan struct{})
	slow := newSubscriber(t, func(int, event.Event) reply {
		<-release
		return reply{status: http.StatusOK}
	})
	s := startBroker(t, brokerYAML+triggerYAML("slow", ""), map[string]*subscriber{"slow": slow}, func(o *Options) {
		o.Workers = 1
		o.QueueSize = 1
	})
	defer close(release)

	if got := send(t, s.brokerURL(), newEvent("e1", "x")); got != http.StatusAccepted {
		t.Fatalf("first event: status %d, want 202", got)
	}
	waitFor(t, "the only worker to be busy", func() bool { return slow.count() == 1 })
	if got := send(t, s.brokerURL(), newEvent("e2", "x")); got != http.StatusAccepted {
		t.Fatalf("second event (queued): status %d, want 202", got)
	}
	resp := post(t, s.brokerURL(), newEvent("e3", "x"))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("third event: status %d, want 503", resp.StatusCode)
	}
	if p := decodeProblem(t, resp); p.Code != codeQueueFull {
		t.Errorf("problem code = %q, want %q", p.Code, codeQueueFull)
	}
}

func TestCloseGivesUpAtDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	stuck := newSubscriber(t, func(int, event.Event) reply {
		<-release
		return reply{status: http.StatusOK}
	})
	s := startBroker(t, brokerYAML+triggerYAML("stuck", ""), map[string]*subscriber{"stuck": stuck}, nil)
	send(t, s.brokerURL(), newEvent("e1", "x"))
	waitFor(t, "the delivery to start", func() bool { return stuck.count() == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.broker.Close(ctx); err == nil {
		t.Fatal("Close returned nil with a delivery in flight and an expired context")
	}
	if got := send(t, s.brokerURL(), newEvent("e2", "x")); got != http.StatusServiceUnavailable {
		t.Errorf("after Close: status %d, want 503", got)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		policy BackoffPolicy
		retry  int
		want   time.Duration
	}{
		{BackoffExponential, 1, 200 * time.Millisecond},
		{BackoffExponential, 2, 400 * time.Millisecond},
		{BackoffExponential, 3, 800 * time.Millisecond},
		{BackoffLinear, 1, 100 * time.Millisecond},
		{BackoffLinear, 3, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		d := Delivery{BackoffPolicy: tt.policy, BackoffDelay: 100 * time.Millisecond}
		if got := d.backoff(tt.retry); got != tt.want {
			t.Errorf("%s backoff before retry %d = %v, want %v", tt.policy, tt.retry, got, tt.want)
		}
	}
}
