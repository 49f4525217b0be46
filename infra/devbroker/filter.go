package devbroker

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	cesql "github.com/cloudevents/sdk-go/sql/v2"
	cesqlparser "github.com/cloudevents/sdk-go/sql/v2/parser"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"
)

// filter decides whether a Trigger gets an event. The semantics are
// Knative's (pkg/eventfilter): the legacy attributes filter and the
// Subscriptions API dialects of spec.filters.
type filter interface {
	match(e event.Event) bool
}

// validAttributeName is what Knative accepts as an attribute name in a filter.
var validAttributeName = regexp.MustCompile(`^[a-z0-9]+$`)

// Matches reports whether the Trigger's filter lets e through.
func (t *Trigger) Matches(e event.Event) bool {
	if t.filter == nil {
		return true
	}
	return t.filter.match(e)
}

// rawFilter is one element of spec.filters: exactly one dialect key.
type rawFilter map[string]json.RawMessage

// compileTriggerFilter builds a Trigger's filter. As in Knative, a non-empty
// spec.filters wins and spec.filter is then ignored.
func compileTriggerFilter(attributes map[string]string, filters []rawFilter) (filter, error) {
	if len(filters) > 0 {
		fs, err := compileFilters("spec.filters", filters)
		if err != nil {
			return nil, err
		}
		return allFilter(fs), nil
	}
	for name := range attributes {
		if !validAttributeName.MatchString(name) {
			return nil, fmt.Errorf("spec.filter.attributes %q: not a valid CloudEvents attribute name", name)
		}
	}
	if len(attributes) == 0 {
		return nil, nil
	}
	return attributesFilter(attributes), nil
}

func compileFilters(field string, raws []rawFilter) ([]filter, error) {
	fs := make([]filter, 0, len(raws))
	for i, raw := range raws {
		f, err := compileFilter(fmt.Sprintf("%s[%d]", field, i), raw)
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return fs, nil
}

func compileFilter(field string, raw rawFilter) (filter, error) {
	if len(raw) != 1 {
		keys := make([]string, 0, len(raw))
		for k := range raw {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("%s: exactly one of exact, prefix, suffix, all, any, not, cesql is required, got [%s]", field, strings.Join(keys, ", "))
	}
	for dialect, value := range raw {
		field := field + "." + dialect
		switch dialect {
		case "exact", "prefix", "suffix":
			var attrs map[string]string
			if err := json.Unmarshal(value, &attrs); err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			if len(attrs) == 0 {
				return nil, fmt.Errorf("%s: at least one attribute is required", field)
			}
			for name := range attrs {
				if !validAttributeName.MatchString(name) {
					return nil, fmt.Errorf("%s %q: not a valid CloudEvents attribute name", field, name)
				}
			}
			return attributeFilter{dialect: dialect, attrs: attrs}, nil
		case "all", "any":
			var nested []rawFilter
			if err := json.Unmarshal(value, &nested); err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			if len(nested) == 0 {
				return nil, fmt.Errorf("%s: at least one filter is required", field)
			}
			fs, err := compileFilters(field, nested)
			if err != nil {
				return nil, err
			}
			if dialect == "all" {
				return allFilter(fs), nil
			}
			return anyFilter(fs), nil
		case "not":
			var nested rawFilter
			if err := json.Unmarshal(value, &nested); err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			f, err := compileFilter(field, nested)
			if err != nil {
				return nil, err
			}
			return notFilter{f}, nil
		case "cesql":
			var expr string
			if err := json.Unmarshal(value, &expr); err != nil {
				return nil, fmt.Errorf("%s: %w", field, err)
			}
			parsed, err := parseCESQL(expr)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", field, expr, err)
			}
			return cesqlFilter{parsed}, nil
		default:
			return nil, fmt.Errorf("%s: unsupported filter dialect (supported: exact, prefix, suffix, all, any, not, cesql)", field)
		}
	}
	return nil, errors.New("unreachable")
}

// attributesFilter is the legacy spec.filter.attributes: every listed
// attribute must be present and equal, where an empty value means "any".
type attributesFilter map[string]string

func (f attributesFilter) match(e event.Event) bool {
	for name, want := range f {
		got, ok := attribute(e, name)
		if !ok || (want != "" && got != want) {
			return false
		}
	}
	return true
}

// attributeFilter is the exact, prefix and suffix dialects: every listed
// attribute must be present and match.
type attributeFilter struct {
	dialect string
	attrs   map[string]string
}

func (f attributeFilter) match(e event.Event) bool {
	for name, want := range f.attrs {
		got, ok := attribute(e, name)
		if !ok {
			return false
		}
		var matched bool
		switch f.dialect {
		case "exact":
			matched = got == want
		case "prefix":
			matched = strings.HasPrefix(got, want)
		case "suffix":
			matched = strings.HasSuffix(got, want)
		}
		if !matched {
			return false
		}
	}
	return true
}

type allFilter []filter

func (f allFilter) match(e event.Event) bool {
	for _, sub := range f {
		if !sub.match(e) {
			return false
		}
	}
	return true
}

type anyFilter []filter

func (f anyFilter) match(e event.Event) bool {
	for _, sub := range f {
		if sub.match(e) {
			return true
		}
	}
	return false
}

type notFilter struct{ f filter }

func (f notFilter) match(e event.Event) bool { return !f.f.match(e) }

// cesqlFilter passes when the expression evaluates to true; an evaluation
// error (a missing attribute, a type mismatch) fails it, as in Knative.
type cesqlFilter struct{ expr cesql.Expression }

// parseCESQL parses a CESQL expression. The sdk-go parser panics on some
// malformed input ("type = "); that is a bad manifest, not a crash.
func parseCESQL(expr string) (parsed cesql.Expression, err error) {
	defer func() {
		if p := recover(); p != nil {
			parsed, err = nil, fmt.Errorf("malformed expression: %v", p)
		}
	}()
	return cesqlparser.Parse(expr)
}

func (f cesqlFilter) match(e event.Event) (matched bool) {
	defer func() {
		// Same parser: an expression that panics on an event filters it out
		// rather than killing the broker.
		if recover() != nil {
			matched = false
		}
	}()
	v, err := f.expr.Evaluate(e)
	if err != nil {
		return false
	}
	b, ok := v.(bool)
	return ok && b
}

// attribute returns an event attribute as a string. Like Knative's
// LookupAttribute, context attributes always exist (possibly empty) and
// extensions exist only when set. Times are RFC 3339.
func attribute(e event.Event, name string) (string, bool) {
	switch name {
	case "specversion":
		return e.SpecVersion(), true
	case "type":
		return e.Type(), true
	case "source":
		return e.Source(), true
	case "subject":
		return e.Subject(), true
	case "id":
		return e.ID(), true
	case "time":
		if e.Time().IsZero() {
			return "", true
		}
		return e.Time().UTC().Format(time.RFC3339Nano), true
	case "dataschema", "schemaurl":
		return e.DataSchema(), true
	case "datacontenttype":
		return e.DataContentType(), true
	case "datamediatype":
		return e.DataMediaType(), true
	}
	v, ok := e.Extensions()[name]
	if !ok {
		return "", false
	}
	s, err := types.Format(v)
	if err != nil {
		return fmt.Sprint(v), true
	}
	return s, true
}
