package devbroker

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadValid(t *testing.T) {
	m, err := Load("testdata/valid")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(m.Brokers) != 1 || len(m.Triggers) != 2 || len(m.PingSources) != 1 || len(m.HTTPRoutes) != 1 {
		t.Fatalf("got %d brokers, %d triggers, %d pingsources, %d routes; want 1, 2, 1, 1",
			len(m.Brokers), len(m.Triggers), len(m.PingSources), len(m.HTTPRoutes))
	}

	broker := m.Brokers[0]
	wantBroker := BrokerManifest{
		File: filepath.Join("testdata", "valid", "broker.yaml"), Namespace: "ghiseu", Name: "default",
		Delivery: &Delivery{
			Retry: 3, BackoffPolicy: BackoffExponential, BackoffDelay: 500 * time.Millisecond,
			DeadLetterSink: &Destination{Ref: &Ref{APIVersion: "serving.knative.dev/v1", Kind: "Service", Name: "dead-letter", Namespace: "ghiseu"}},
		},
	}
	if !reflect.DeepEqual(broker, wantBroker) {
		t.Errorf("broker = %+v\nwant      %+v", broker, wantBroker)
	}

	register, notify := m.Triggers[0], m.Triggers[1]
	if register.Name != "register-document" || register.Broker != "default" {
		t.Errorf("first trigger = %s on %s", register.Name, register.Broker)
	}
	wantDelivery := &Delivery{
		Retry: 5, BackoffPolicy: BackoffLinear, BackoffDelay: time.Second, Timeout: 10 * time.Second,
		DeadLetterSink: &Destination{URI: "http://dead-letter.example/events"},
	}
	if !reflect.DeepEqual(register.Delivery, wantDelivery) {
		t.Errorf("register-document delivery = %+v, want %+v", register.Delivery, wantDelivery)
	}
	if notify.Broker != "default" || notify.Namespace != "ghiseu" || notify.Delivery != nil {
		t.Errorf("notify: broker %q (want the default), namespace %q, delivery %+v (want none)", notify.Broker, notify.Namespace, notify.Delivery)
	}
	wantSub := Destination{Ref: &Ref{APIVersion: "serving.knative.dev/v1", Kind: "Service", Name: "notify", Namespace: "ghiseu"}, URI: "/events"}
	if !reflect.DeepEqual(notify.Subscriber, wantSub) {
		t.Errorf("notify subscriber = %+v, want %+v", notify.Subscriber, wantSub)
	}
	registered := newEvent("e1", "ro.ghiseu.document.registered")
	registered.SetExtension("institutionid", "b1")
	if !notify.Matches(registered) || register.Matches(registered) {
		t.Errorf("filters: notify matches %v (want true), register-document matches %v (want false)",
			notify.Matches(registered), register.Matches(registered))
	}

	ps := m.PingSources[0]
	if ps.File != filepath.Join("testdata", "valid", "sources", "nightly-backup.yml") || ps.Schedule != "0 2 * * *" ||
		ps.Timezone != "Europe/Bucharest" || ps.ContentType != "application/json" || string(ps.Data) != `{"kind":"full"}` ||
		ps.Extensions["institutionid"] != "all" || ps.Sink.Ref == nil || ps.Sink.Ref.Kind != "Broker" {
		t.Errorf("pingsource = %+v", ps)
	}

	wantRules := []RouteRule{
		{
			Matches:  []RouteMatch{{PathType: PathPrefix, Path: "/api/requests", Method: "POST"}, {PathType: PathExact, Path: "/api/requests/search"}},
			Backends: []Ref{{APIVersion: "serving.knative.dev/v1", Kind: "Service", Name: "submit-request", Namespace: "ghiseu"}},
		},
		{
			Matches:  []RouteMatch{{PathType: PathPrefix, Path: "/"}},
			Backends: []Ref{{APIVersion: "serving.knative.dev/v1", Kind: "Service", Name: "web", Namespace: "ghiseu"}},
		},
	}
	if !reflect.DeepEqual(m.HTTPRoutes[0].Rules, wantRules) {
		t.Errorf("route rules = %+v\nwant %+v", m.HTTPRoutes[0].Rules, wantRules)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		dir  string
		want []string
	}{
		{"bad-cron", []string{`pingsource.yaml: PingSource "nightly-backup": spec.schedule "0 25 * * *": `}},
		{"bad-timezone", []string{`pingsource.yaml: PingSource "nightly-backup": spec.timezone "Europe/Atlantis": unknown time zone`}},
		{"bad-backoff", []string{`testdata/invalid/bad-backoff/trigger.yaml: Trigger "foo": spec.delivery.backoffDelay "5s": not an ISO-8601 duration`}},
		{"unknown-broker", []string{`trigger.yaml: Trigger "route-work": spec.broker "missing": no such Broker in namespace "ghiseu"`}},
		{"unsupported-filter", []string{`trigger.yaml: Trigger "route-work": spec.filters[0].regex: unsupported filter dialect`}},
		{"bad-apiversion", []string{`Trigger "route-work": apiVersion "eventing.knative.dev/v1beta1": only eventing.knative.dev/v1 is supported`}},
		{"ping-data-both", []string{`PingSource "nightly-backup": spec.data and spec.dataBase64 are mutually exclusive`}},
		{"route-filters", []string{`route.yaml: HTTPRoute "api": spec.rules[0].filters: not supported`}},
		{"route-bad-regex", []string{`route.yaml: HTTPRoute "api": spec.rules[0].matches[0].path.value`, "missing closing ]"}},
		{"duplicate", []string{`b.yaml: Broker "default": also defined in testdata/invalid/duplicate/a.yaml`}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", "invalid", tt.dir))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), filepath.FromSlash(want)) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestLoadReportsEveryError(t *testing.T) {
	_, err := Load("testdata/invalid/bad-cron", "testdata/invalid/bad-backoff")
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	for _, want := range []string{`spec.schedule "0 25 * * *"`, `spec.delivery.backoffDelay "5s"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestLoadMissingDir(t *testing.T) {
	if _, err := Load("testdata/nope"); err == nil || !strings.Contains(err.Error(), "testdata/nope") {
		t.Fatalf("error = %v, want one naming the directory", err)
	}
}
