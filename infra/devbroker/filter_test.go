package devbroker

import (
	"strings"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"
	"sigs.k8s.io/yaml"
)

// compileSpec compiles the filter of a Trigger spec written in YAML.
func compileSpec(spec string) (filter, error) {
	var raw struct {
		Filter *struct {
			Attributes map[string]string `json:"attributes"`
		} `json:"filter"`
		Filters []rawFilter `json:"filters"`
	}
	if err := yaml.Unmarshal([]byte(spec), &raw); err != nil {
		return nil, err
	}
	var attrs map[string]string
	if raw.Filter != nil {
		attrs = raw.Filter.Attributes
	}
	return compileTriggerFilter(attrs, raw.Filters)
}

func TestFilterMatching(t *testing.T) {
	submitted := func() event.Event {
		e := newEvent("e1", "ro.ghiseu.request.submitted")
		e.SetSource("/functions/submit-request")
		e.SetExtension("institutionid", "b1")
		return e
	}
	noTenant := func() event.Event { return newEvent("e2", "ro.ghiseu.request.submitted") }

	tests := []struct {
		name  string
		spec  string
		event func() event.Event
		want  bool
	}{
		{"no filter matches everything", ``, submitted, true},
		{"attributes exact", `
filter: {attributes: {type: ro.ghiseu.request.submitted, source: /functions/submit-request}}`, submitted, true},
		{"attributes mismatch", `
filter: {attributes: {type: ro.ghiseu.document.registered}}`, submitted, false},
		{"attributes empty value is any: present extension", `
filter: {attributes: {institutionid: ""}}`, submitted, true},
		{"attributes empty value is any: absent extension", `
filter: {attributes: {institutionid: ""}}`, noTenant, false},
		{"attributes extension value", `
filter: {attributes: {institutionid: b1}}`, submitted, true},
		{"exact", `
filters: [{exact: {type: ro.ghiseu.request.submitted}}]`, submitted, true},
		{"exact mismatch", `
filters: [{exact: {type: ro.ghiseu.request}}]`, submitted, false},
		{"exact on absent extension", `
filters: [{exact: {institutionid: b1}}]`, noTenant, false},
		{"prefix", `
filters: [{prefix: {type: ro.ghiseu.request.}}]`, submitted, true},
		{"prefix mismatch", `
filters: [{prefix: {type: ro.ghiseu.document.}}]`, submitted, false},
		{"suffix", `
filters: [{suffix: {type: .submitted}}]`, submitted, true},
		{"suffix mismatch", `
filters: [{suffix: {type: .registered}}]`, submitted, false},
		{"all true", `
filters: [{all: [{prefix: {type: ro.ghiseu.}}, {exact: {institutionid: b1}}]}]`, submitted, true},
		{"all with one false", `
filters: [{all: [{prefix: {type: ro.ghiseu.}}, {exact: {institutionid: b2}}]}]`, submitted, false},
		{"any with one true", `
filters: [{any: [{exact: {type: nope}}, {suffix: {type: .submitted}}]}]`, submitted, true},
		{"any all false", `
filters: [{any: [{exact: {type: nope}}, {exact: {type: nope2}}]}]`, submitted, false},
		{"not", `
filters: [{not: {exact: {type: ro.ghiseu.document.registered}}}]`, submitted, true},
		{"not negates", `
filters: [{not: {prefix: {type: ro.ghiseu.}}}]`, submitted, false},
		{"several filters are ANDed", `
filters: [{prefix: {type: ro.ghiseu.}}, {exact: {source: /elsewhere}}]`, submitted, false},
		{"cesql true", `
filters: [{cesql: "type = 'ro.ghiseu.request.submitted' AND institutionid = 'b1'"}]`, submitted, true},
		{"cesql false", `
filters: [{cesql: "institutionid = 'b2'"}]`, submitted, false},
		{"cesql LIKE", `
filters: [{cesql: "type LIKE 'ro.ghiseu.%.submitted'"}]`, submitted, true},
		{"cesql on absent extension fails", `
filters: [{cesql: "institutionid = 'b1'"}]`, noTenant, false},
		{"cesql EXISTS", `
filters: [{cesql: "NOT EXISTS institutionid"}]`, noTenant, true},
		{"filters win over filter", `
filter: {attributes: {type: ro.ghiseu.document.registered}}
filters: [{exact: {type: ro.ghiseu.request.submitted}}]`, submitted, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := compileSpec(tt.spec)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			trigger := Trigger{filter: f}
			if got := trigger.Matches(tt.event()); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilterCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want string
	}{
		{"unknown dialect", `filters: [{regex: {type: "ro.*"}}]`, `spec.filters[0].regex: unsupported filter dialect`},
		{"two dialects in one filter", `filters: [{exact: {type: a}, prefix: {type: b}}]`, `exactly one of`},
		{"empty filter", `filters: [{}]`, `exactly one of`},
		{"empty any", `filters: [{any: []}]`, `spec.filters[0].any: at least one filter`},
		{"nested unknown dialect", `filters: [{not: {all: [{sql: "x"}]}}]`, `spec.filters[0].not.all[0].sql: unsupported filter dialect`},
		{"bad cesql", `filters: [{cesql: "type = "}]`, `spec.filters[0].cesql "type = "`},
		{"bad attribute name", `filters: [{exact: {Type: a}}]`, `not a valid CloudEvents attribute name`},
		{"bad legacy attribute name", `filter: {attributes: {ce-type: a}}`, `spec.filter.attributes "ce-type"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compileSpec(tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
