package events_test

import (
	"os"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"sigs.k8s.io/yaml"

	"github.com/ghiseu/ghiseu/shared/events"
)

func platform(t *testing.T) *events.Catalogue {
	t.Helper()
	c, err := events.Platform()
	if err != nil {
		t.Fatalf("platform catalogue: %v", err)
	}
	return c
}

func deadLetteredData() map[string]any {
	return map[string]any{"deadLetterId": 1, "eventId": "e1", "eventType": "t", "eventSource": "/s", "errorDestination": "http://x"}
}

func TestNewEventIsValidAndComplete(t *testing.T) {
	c := platform(t)
	inst := uuid.New()
	e, err := c.New(events.TypeEventDeadLettered, "/ghiseu/functions/dead-letter", inst, deadLetteredData())
	if err != nil {
		t.Fatal(err)
	}
	if e.ID() == "" || e.Time().IsZero() || e.DataContentType() != cloudevents.ApplicationJSON {
		t.Errorf("event lacks id, time or content type: %v", e)
	}
	if want, _ := c.DataSchema(events.TypeEventDeadLettered); e.DataSchema() != want || !strings.HasSuffix(want, ".v1.json") {
		t.Errorf("dataschema = %q, want %q", e.DataSchema(), want)
	}
	if events.Institution(e) != inst {
		t.Errorf("institution extension = %v, want %v", events.Institution(e), inst)
	}
	if _, err := c.New("ro.ghiseu.no.such.type", "/s", uuid.Nil, map[string]any{}); err == nil {
		t.Error("New accepted a type that is not in the catalogue")
	}
}

func TestValidate(t *testing.T) {
	c := platform(t)
	good, err := c.New(events.TypeEventDeadLettered, "/s", uuid.Nil, deadLetteredData())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		mutate  func(e *cloudevents.Event)
		wantErr string
	}{
		{name: "valid", mutate: func(*cloudevents.Event) {}},
		{name: "missing required field", mutate: func(e *cloudevents.Event) {
			d := deadLetteredData()
			delete(d, "eventId")
			_ = e.SetData(cloudevents.ApplicationJSON, d)
		}, wantErr: "eventId"},
		{name: "unknown field", mutate: func(e *cloudevents.Event) {
			d := deadLetteredData()
			d["cnp"] = "1920822296090"
			_ = e.SetData(cloudevents.ApplicationJSON, d)
		}, wantErr: "cnp"},
		{name: "wrong type of field", mutate: func(e *cloudevents.Event) {
			d := deadLetteredData()
			d["deadLetterId"] = "one"
			_ = e.SetData(cloudevents.ApplicationJSON, d)
		}, wantErr: "deadLetterId"},
		{name: "foreign dataschema", mutate: func(e *cloudevents.Event) { e.SetDataSchema("https://example.org/x.json") }, wantErr: "dataschema"},
		{name: "no dataschema uses the newest", mutate: func(e *cloudevents.Event) { e.SetDataSchema("") }},
		{name: "institution not a uuid", mutate: func(e *cloudevents.Event) { e.SetExtension(events.ExtInstitution, "lugoj") }, wantErr: "institutionid"},
		{name: "missing id", mutate: func(e *cloudevents.Event) { e.SetID("") }, wantErr: "id"},
		{name: "type outside the catalogue is not judged", mutate: func(e *cloudevents.Event) {
			e.SetType("dev.knative.sources.ping")
			e.SetDataSchema("")
			_ = e.SetData(cloudevents.ApplicationJSON, map[string]any{"task": "outbox-relay"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good.Clone()
			tt.mutate(&e)
			err := c.Validate(e)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadCatalogueRejectsBadSchemas(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"bad file name":  {"deadlettered.json": {Data: []byte(`{"$id":"https://x/y.json"}`)}},
		"no $id":         {"ro.ghiseu.x.v1.json": {Data: []byte(`{"type":"object"}`)}},
		"not json":       {"ro.ghiseu.x.v1.json": {Data: []byte(`{`)}},
		"invalid schema": {"ro.ghiseu.x.v1.json": {Data: []byte(`{"$id":"https://x/y.json","type":"thing"}`)}},
	}
	for name, fsys := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := events.LoadCatalogue(fsys); err == nil {
				t.Fatal("LoadCatalogue accepted it")
			}
		})
	}
}

// The AsyncAPI document names exactly the catalogue's event types.
func TestAsyncAPIMatchesCatalogue(t *testing.T) {
	b, err := os.ReadFile("asyncapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Messages map[string]struct {
				Name    string `json:"name"`
				Payload struct {
					Ref string `json:"$ref"`
				} `json:"payload"`
			} `json:"messages"`
		} `json:"components"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range doc.Components.Messages {
		documented = append(documented, m.Name)
		if _, err := os.Stat(m.Payload.Ref); err != nil {
			t.Errorf("message %s: payload %s: %v", m.Name, m.Payload.Ref, err)
		}
	}
	sort.Strings(documented)
	if got, want := strings.Join(documented, ","), strings.Join(platform(t).Types(), ","); got != want {
		t.Fatalf("AsyncAPI documents %s; catalogue has %s", got, want)
	}
}
