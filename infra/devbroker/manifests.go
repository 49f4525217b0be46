package devbroker

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/rickb777/date/period"
	"github.com/robfig/cron/v3"
	"sigs.k8s.io/yaml"
)

// DefaultNamespace is the namespace of objects whose metadata.namespace is
// empty: kustomize sets it for the whole base in the cluster.
const DefaultNamespace = "ghiseu"

// defaultBrokerName is what Knative's defaulting webhook puts in an empty
// Trigger spec.broker.
const defaultBrokerName = "default"

// Manifests are the objects the dev broker and gateway act on, in the order
// they were found (files in lexical order, documents in file order).
type Manifests struct {
	Brokers     []BrokerManifest
	Triggers    []Trigger
	PingSources []PingSource
	HTTPRoutes  []HTTPRoute
}

// Ref points at an addressable object (a Knative Service, a Broker).
type Ref struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
}

func (r Ref) String() string {
	return fmt.Sprintf("%s %s/%s", r.Kind, r.Namespace, r.Name)
}

// Destination is a Knative duckv1.Destination: a Ref, a URI, or both (then
// the URI is resolved relative to the Ref's address).
type Destination struct {
	Ref *Ref
	URI string
}

// BackoffPolicy is how the wait between delivery attempts grows.
type BackoffPolicy string

const (
	BackoffExponential BackoffPolicy = "exponential"
	BackoffLinear      BackoffPolicy = "linear"
)

// Delivery is a Knative DeliverySpec with its durations parsed.
type Delivery struct {
	// Retry is the number of attempts after the first one.
	Retry         int
	BackoffPolicy BackoffPolicy
	BackoffDelay  time.Duration
	// Timeout bounds each attempt; zero means the broker's default.
	Timeout        time.Duration
	DeadLetterSink *Destination
}

// BrokerManifest is an eventing.knative.dev/v1 Broker. (Named apart from
// Broker, which is the running stand-in.)
type BrokerManifest struct {
	File      string
	Namespace string
	Name      string
	Delivery  *Delivery
}

// Trigger is an eventing.knative.dev/v1 Trigger with its filter compiled.
type Trigger struct {
	File       string
	Namespace  string
	Name       string
	Broker     string
	Subscriber Destination
	Delivery   *Delivery
	filter     filter
}

// PingSource is a sources.knative.dev/v1 PingSource with its schedule
// compiled.
type PingSource struct {
	File        string
	Namespace   string
	Name        string
	Schedule    string
	Timezone    string
	ContentType string
	// Data is spec.data, or spec.dataBase64 decoded.
	Data       []byte
	Sink       Destination
	Extensions map[string]string
	schedule   cron.Schedule
}

// HTTPRoute is a gateway.networking.k8s.io/v1 HTTPRoute, reduced to what the
// local gateway routes on.
type HTTPRoute struct {
	File      string
	Namespace string
	Name      string
	Rules     []RouteRule
}

// RouteRule sends requests matching any of Matches to Backends[0].
type RouteRule struct {
	Matches  []RouteMatch
	Backends []Ref
}

// PathMatchType is a Gateway API path match type.
type PathMatchType string

const (
	PathPrefix PathMatchType = "PathPrefix"
	PathExact  PathMatchType = "Exact"
	// PathRegex is Gateway API's RegularExpression match (RE2, the whole
	// path), for routes that nest one function's paths inside another's,
	// such as /api/institutions/{institution}/audit.
	PathRegex PathMatchType = "RegularExpression"
)

// RouteMatch matches a request path and, when Method is set, its method.
type RouteMatch struct {
	PathType PathMatchType
	Path     string
	Method   string
	regex    *regexp.Regexp
}

// Load reads every *.yaml / *.yml file below each dir (recursively), splits
// multi-document files, and collects Brokers, Triggers, PingSources and
// HTTPRoutes. Other kinds and kustomization files are skipped: kustomize
// patches are not applied, so pass base directories, not overlays. All
// problems found are returned together, each naming its file and object.
func Load(dirs ...string) (*Manifests, error) {
	m := &Manifests{}
	var errs []error
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !isManifestFile(d.Name()) {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			errs = append(errs, m.addFile(path, data)...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load manifests from %s: %w", dir, err)
		}
	}
	errs = append(errs, m.crossCheck()...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

func isManifestFile(name string) bool {
	ext := filepath.Ext(name)
	if ext != ".yaml" && ext != ".yml" {
		return false
	}
	base := strings.TrimSuffix(name, ext)
	return base != "kustomization" && base != "Kustomization"
}

// documentSeparator matches a YAML "---" line (optionally followed by a
// comment); block scalar content is indented, so column 0 is safe.
var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// object holds the fields every Kubernetes object has.
type object struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func (m *Manifests) addFile(path string, data []byte) []error {
	var errs []error
	for i, doc := range documentSeparator.Split(string(data), -1) {
		var obj object
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			errs = append(errs, fmt.Errorf("%s: document %d: %w", path, i+1, err))
			continue
		}
		if obj.Kind == "" {
			continue // empty document or not a Kubernetes object
		}
		if obj.Metadata.Namespace == "" {
			obj.Metadata.Namespace = DefaultNamespace
		}
		if err := m.addObject(path, obj, []byte(doc)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s %q: %w", path, obj.Kind, obj.Metadata.Name, err))
		}
	}
	return errs
}

func (m *Manifests) addObject(path string, obj object, doc []byte) error {
	group, version, _ := strings.Cut(obj.APIVersion, "/")
	switch {
	case group == "eventing.knative.dev" && obj.Kind == "Broker",
		group == "eventing.knative.dev" && obj.Kind == "Trigger",
		group == "sources.knative.dev" && obj.Kind == "PingSource",
		group == "gateway.networking.k8s.io" && obj.Kind == "HTTPRoute":
	default:
		return nil // not something the dev broker acts on
	}
	// Reading another version with v1 structs could silently misroute.
	if version != "v1" {
		return fmt.Errorf("apiVersion %q: only %s/v1 is supported", obj.APIVersion, group)
	}
	if obj.Metadata.Name == "" {
		return errors.New("metadata.name is required")
	}
	switch obj.Kind {
	case "Broker":
		b, err := parseBroker(obj, doc)
		if err != nil {
			return err
		}
		b.File = path
		m.Brokers = append(m.Brokers, b)
	case "Trigger":
		t, err := parseTrigger(obj, doc)
		if err != nil {
			return err
		}
		t.File = path
		m.Triggers = append(m.Triggers, t)
	case "PingSource":
		ps, err := parsePingSource(obj, doc)
		if err != nil {
			return err
		}
		ps.File = path
		m.PingSources = append(m.PingSources, ps)
	case "HTTPRoute":
		r, err := parseHTTPRoute(obj, doc)
		if err != nil {
			return err
		}
		r.File = path
		m.HTTPRoutes = append(m.HTTPRoutes, r)
	}
	return nil
}

// crossCheck finds what no single object shows: duplicates and Triggers
// pointing at a Broker that does not exist.
func (m *Manifests) crossCheck() []error {
	var errs []error
	seen := map[string]string{}
	dup := func(kind, ns, name, file string) {
		key := kind + " " + ns + "/" + name
		if first, ok := seen[key]; ok {
			errs = append(errs, fmt.Errorf("%s: %s %q: also defined in %s (overlay patches are not applied: load base directories)", file, kind, name, first))
			return
		}
		seen[key] = file
	}
	brokers := map[string]bool{}
	for _, b := range m.Brokers {
		dup("Broker", b.Namespace, b.Name, b.File)
		brokers[b.Namespace+"/"+b.Name] = true
	}
	for _, t := range m.Triggers {
		dup("Trigger", t.Namespace, t.Name, t.File)
		if !brokers[t.Namespace+"/"+t.Broker] {
			errs = append(errs, fmt.Errorf("%s: Trigger %q: spec.broker %q: no such Broker in namespace %q", t.File, t.Name, t.Broker, t.Namespace))
		}
	}
	for _, ps := range m.PingSources {
		dup("PingSource", ps.Namespace, ps.Name, ps.File)
	}
	for _, r := range m.HTTPRoutes {
		dup("HTTPRoute", r.Namespace, r.Name, r.File)
	}
	return errs
}

// Broker looks a Broker up by namespace and name.
func (m *Manifests) Broker(namespace, name string) (BrokerManifest, bool) {
	for _, b := range m.Brokers {
		if b.Namespace == namespace && b.Name == name {
			return b, true
		}
	}
	return BrokerManifest{}, false
}

// --- Broker ---

type rawDestination struct {
	Ref *Ref   `json:"ref"`
	URI string `json:"uri"`
}

type rawDelivery struct {
	Retry          *int            `json:"retry"`
	BackoffPolicy  string          `json:"backoffPolicy"`
	BackoffDelay   string          `json:"backoffDelay"`
	Timeout        string          `json:"timeout"`
	DeadLetterSink *rawDestination `json:"deadLetterSink"`
}

func parseBroker(obj object, doc []byte) (BrokerManifest, error) {
	var raw struct {
		Spec struct {
			Delivery *rawDelivery `json:"delivery"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &raw); err != nil {
		return BrokerManifest{}, err
	}
	d, err := parseDelivery("spec.delivery", raw.Spec.Delivery, obj.Metadata.Namespace)
	if err != nil {
		return BrokerManifest{}, err
	}
	return BrokerManifest{Namespace: obj.Metadata.Namespace, Name: obj.Metadata.Name, Delivery: d}, nil
}

func parseDelivery(field string, raw *rawDelivery, namespace string) (*Delivery, error) {
	if raw == nil {
		return nil, nil
	}
	d := &Delivery{BackoffPolicy: BackoffExponential} // Knative's default policy
	if raw.Retry != nil {
		if *raw.Retry < 0 {
			return nil, fmt.Errorf("%s.retry %d: must not be negative", field, *raw.Retry)
		}
		d.Retry = *raw.Retry
	}
	switch BackoffPolicy(raw.BackoffPolicy) {
	case "":
	case BackoffExponential, BackoffLinear:
		d.BackoffPolicy = BackoffPolicy(raw.BackoffPolicy)
	default:
		return nil, fmt.Errorf("%s.backoffPolicy %q: must be linear or exponential", field, raw.BackoffPolicy)
	}
	var err error
	if raw.BackoffDelay != "" {
		if d.BackoffDelay, err = isoDuration(field+".backoffDelay", raw.BackoffDelay); err != nil {
			return nil, err
		}
	}
	if raw.Timeout != "" {
		if d.Timeout, err = isoDuration(field+".timeout", raw.Timeout); err != nil {
			return nil, err
		}
		if d.Timeout == 0 {
			return nil, fmt.Errorf("%s.timeout %q: must be positive", field, raw.Timeout)
		}
	}
	if raw.DeadLetterSink != nil {
		dls, err := parseDestination(field+".deadLetterSink", raw.DeadLetterSink, namespace)
		if err != nil {
			return nil, err
		}
		d.DeadLetterSink = &dls
	}
	return d, nil
}

// isoDuration parses an ISO-8601 duration the way Knative does (PT0.5S,
// PT1M, P1D...).
func isoDuration(field, s string) (time.Duration, error) {
	p, err := period.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("%s %q: not an ISO-8601 duration", field, s)
	}
	if p.IsNegative() {
		return 0, fmt.Errorf("%s %q: must not be negative", field, s)
	}
	return p.DurationApprox(), nil
}

func parseDestination(field string, raw *rawDestination, namespace string) (Destination, error) {
	if raw == nil || (raw.Ref == nil && raw.URI == "") {
		return Destination{}, fmt.Errorf("%s: one of ref or uri is required", field)
	}
	d := Destination{URI: raw.URI}
	if raw.Ref != nil {
		ref := *raw.Ref
		if ref.Kind == "" || ref.Name == "" || ref.APIVersion == "" {
			return Destination{}, fmt.Errorf("%s.ref: apiVersion, kind and name are required", field)
		}
		if ref.Namespace == "" {
			ref.Namespace = namespace
		}
		d.Ref = &ref
	}
	return d, nil
}

// --- Trigger ---

func parseTrigger(obj object, doc []byte) (Trigger, error) {
	var raw struct {
		Spec struct {
			Broker string `json:"broker"`
			Filter *struct {
				Attributes map[string]string `json:"attributes"`
			} `json:"filter"`
			Filters    []rawFilter     `json:"filters"`
			Subscriber *rawDestination `json:"subscriber"`
			Delivery   *rawDelivery    `json:"delivery"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &raw); err != nil {
		return Trigger{}, err
	}
	ns := obj.Metadata.Namespace
	t := Trigger{Namespace: ns, Name: obj.Metadata.Name, Broker: raw.Spec.Broker}
	if t.Broker == "" {
		t.Broker = defaultBrokerName
	}
	var attrs map[string]string
	if raw.Spec.Filter != nil {
		attrs = raw.Spec.Filter.Attributes
	}
	var err error
	if t.filter, err = compileTriggerFilter(attrs, raw.Spec.Filters); err != nil {
		return Trigger{}, err
	}
	if t.Subscriber, err = parseDestination("spec.subscriber", raw.Spec.Subscriber, ns); err != nil {
		return Trigger{}, err
	}
	if t.Delivery, err = parseDelivery("spec.delivery", raw.Spec.Delivery, ns); err != nil {
		return Trigger{}, err
	}
	return t, nil
}

// --- PingSource ---

func parsePingSource(obj object, doc []byte) (PingSource, error) {
	var raw struct {
		Spec struct {
			Schedule    string          `json:"schedule"`
			Timezone    string          `json:"timezone"`
			ContentType string          `json:"contentType"`
			Data        string          `json:"data"`
			DataBase64  string          `json:"dataBase64"`
			Sink        *rawDestination `json:"sink"`
			CEOverrides *struct {
				Extensions map[string]string `json:"extensions"`
			} `json:"ceOverrides"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &raw); err != nil {
		return PingSource{}, err
	}
	ns := obj.Metadata.Namespace
	s := raw.Spec
	ps := PingSource{
		Namespace:   ns,
		Name:        obj.Metadata.Name,
		Schedule:    s.Schedule,
		Timezone:    s.Timezone,
		ContentType: s.ContentType,
	}
	var err error
	if ps.schedule, err = compileSchedule(s.Schedule, s.Timezone); err != nil {
		return PingSource{}, err
	}
	switch {
	case s.Data != "" && s.DataBase64 != "":
		return PingSource{}, errors.New("spec.data and spec.dataBase64 are mutually exclusive")
	case s.Data != "":
		ps.Data = []byte(s.Data)
	case s.DataBase64 != "":
		if ps.Data, err = base64.StdEncoding.DecodeString(s.DataBase64); err != nil {
			return PingSource{}, fmt.Errorf("spec.dataBase64: %w", err)
		}
	}
	if ps.Sink, err = parseDestination("spec.sink", s.Sink, ns); err != nil {
		return PingSource{}, err
	}
	if s.CEOverrides != nil {
		for name := range s.CEOverrides.Extensions {
			if !validAttributeName.MatchString(name) {
				return PingSource{}, fmt.Errorf("spec.ceOverrides.extensions %q: not a valid CloudEvents attribute name", name)
			}
		}
		ps.Extensions = s.CEOverrides.Extensions
	}
	return ps, nil
}

// compileSchedule parses a standard 5-field cron schedule (descriptors such
// as @daily and a CRON_TZ= prefix included, as Knative allows) in timezone
// (default UTC: the cluster's PingSource adapter does not run in local time).
func compileSchedule(schedule, timezone string) (cron.Schedule, error) {
	if schedule == "" {
		return nil, errors.New("spec.schedule is required")
	}
	loc := time.UTC
	if timezone != "" {
		var err error
		// time.LoadLocation accepts "Local", which means the machine's zone
		// here and something else in the cluster.
		if loc, err = time.LoadLocation(timezone); err != nil || timezone == "Local" {
			return nil, fmt.Errorf("spec.timezone %q: unknown time zone", timezone)
		}
	}
	sched, err := cron.ParseStandard(schedule)
	if err != nil {
		return nil, fmt.Errorf("spec.schedule %q: %w", schedule, err)
	}
	if spec, ok := sched.(*cron.SpecSchedule); ok && spec.Location == time.Local {
		spec.Location = loc
	}
	return sched, nil
}

// --- HTTPRoute ---

func parseHTTPRoute(obj object, doc []byte) (HTTPRoute, error) {
	var raw struct {
		Spec struct {
			Rules []struct {
				Matches []struct {
					Path *struct {
						Type  string `json:"type"`
						Value string `json:"value"`
					} `json:"path"`
					Method      string            `json:"method"`
					Headers     []json.RawMessage `json:"headers"`
					QueryParams []json.RawMessage `json:"queryParams"`
				} `json:"matches"`
				Filters     []json.RawMessage `json:"filters"`
				BackendRefs []struct {
					Group     *string `json:"group"`
					Kind      *string `json:"kind"`
					Name      string  `json:"name"`
					Namespace string  `json:"namespace"`
				} `json:"backendRefs"`
			} `json:"rules"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &raw); err != nil {
		return HTTPRoute{}, err
	}
	ns := obj.Metadata.Namespace
	route := HTTPRoute{Namespace: ns, Name: obj.Metadata.Name}
	for i, r := range raw.Spec.Rules {
		field := fmt.Sprintf("spec.rules[%d]", i)
		// Anything the local gateway cannot do would make local routing
		// silently differ from the cluster's, so it is refused.
		if len(r.Filters) > 0 {
			return HTTPRoute{}, fmt.Errorf("%s.filters: not supported by the dev gateway", field)
		}
		var rule RouteRule
		for j, mt := range r.Matches {
			mfield := fmt.Sprintf("%s.matches[%d]", field, j)
			if len(mt.Headers) > 0 || len(mt.QueryParams) > 0 {
				return HTTPRoute{}, fmt.Errorf("%s: header and query parameter matches are not supported by the dev gateway", mfield)
			}
			match := RouteMatch{PathType: PathPrefix, Path: "/", Method: mt.Method}
			if mt.Path != nil {
				if mt.Path.Type != "" {
					match.PathType = PathMatchType(mt.Path.Type)
				}
				if mt.Path.Value != "" {
					match.Path = mt.Path.Value
				}
			}
			switch match.PathType {
			case PathPrefix, PathExact:
			case PathRegex:
				re, err := regexp.Compile(`^(?:` + match.Path + `)$`)
				if err != nil {
					return HTTPRoute{}, fmt.Errorf("%s.path.value %q: %w", mfield, match.Path, err)
				}
				match.regex = re
			default:
				return HTTPRoute{}, fmt.Errorf("%s.path.type %q: only PathPrefix, Exact and RegularExpression are supported", mfield, match.PathType)
			}
			if match.PathType != PathRegex && !strings.HasPrefix(match.Path, "/") {
				return HTTPRoute{}, fmt.Errorf("%s.path.value %q: must start with /", mfield, match.Path)
			}
			rule.Matches = append(rule.Matches, match)
		}
		if len(rule.Matches) == 0 {
			// Gateway API: a rule without matches matches every path.
			rule.Matches = []RouteMatch{{PathType: PathPrefix, Path: "/"}}
		}
		if len(r.BackendRefs) == 0 {
			return HTTPRoute{}, fmt.Errorf("%s.backendRefs: at least one is required", field)
		}
		for j, b := range r.BackendRefs {
			bfield := fmt.Sprintf("%s.backendRefs[%d]", field, j)
			if (b.Group != nil && *b.Group != "") || (b.Kind != nil && *b.Kind != "Service") {
				return HTTPRoute{}, fmt.Errorf("%s: only Services are supported", bfield)
			}
			if b.Name == "" {
				return HTTPRoute{}, fmt.Errorf("%s.name is required", bfield)
			}
			if b.Namespace == "" {
				b.Namespace = ns
			}
			// The backend is named after the function's Knative Service.
			rule.Backends = append(rule.Backends, Ref{APIVersion: "serving.knative.dev/v1", Kind: "Service", Name: b.Name, Namespace: b.Namespace})
		}
		route.Rules = append(route.Rules, rule)
	}
	return route, nil
}
