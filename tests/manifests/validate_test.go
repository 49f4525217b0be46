package manifests

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	_ "time/tzdata" // time zones for PingSource validation, whatever the machine has

	cnpgv1 "github.com/cloudnative-pg/cloudnative-pg/api/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	eventingconfig "knative.dev/eventing/pkg/apis/config"
	eventingduckv1 "knative.dev/eventing/pkg/apis/duck/v1"
	eventingv1 "knative.dev/eventing/pkg/apis/eventing/v1"
	"knative.dev/eventing/pkg/apis/feature"
	sinksv1alpha1 "knative.dev/eventing/pkg/apis/sinks/v1alpha1"
	sourcesconfig "knative.dev/eventing/pkg/apis/sources/config"
	sourcesv1 "knative.dev/eventing/pkg/apis/sources/v1"
	"knative.dev/pkg/apis"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	servingconfig "knative.dev/serving/pkg/apis/config"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"
)

const namespace = "ghiseu"

// Kinds that references may name, as apiVersion + " " + kind.
const (
	kindService = "serving.knative.dev/v1 Service"
	kindBroker  = "eventing.knative.dev/v1 Broker"
	kindJobSink = "sinks.knative.dev/v1alpha1 JobSink"
)

// webhookContext carries what Knative's admission webhooks load from their ConfigMaps
// (serving's config-defaults, config-features and config-autoscaler; eventing's
// config-br-defaults, config-ping-defaults and config-features), at their stock values, in a
// create request: SetDefaults and Validate then behave as on a default installation. Without it
// some checks see a nil configuration and differ from the cluster (eventing's delivery timeout,
// for one, is enabled by default but rejected when the flags are nil).
func webhookContext() context.Context {
	ctx := context.Background()
	ctx = servingconfig.ToContext(ctx, servingconfig.FromContextOrDefaults(ctx))
	ctx = eventingconfig.ToContext(ctx, eventingconfig.FromContextOrDefaults(ctx))
	ctx = sourcesconfig.ToContext(ctx, sourcesconfig.FromContextOrDefaults(ctx))
	ctx = feature.ToContext(ctx, feature.FromContextOrDefaults(ctx))
	return apis.WithinCreate(ctx)
}

// catalog holds the decoded, defaulted and validated objects of one set of manifests, by name.
// Every object lives in the namespace ghiseu, so a name is enough.
type catalog struct {
	namespaces       map[string]*corev1.Namespace
	configMaps       map[string]*corev1.ConfigMap
	secrets          map[string]*corev1.Secret
	services         map[string]*servingv1.Service
	brokers          map[string]*eventingv1.Broker
	triggers         map[string]*eventingv1.Trigger
	pingSources      map[string]*sourcesv1.PingSource
	clusters         map[string]*cnpgv1.Cluster
	scheduledBackups map[string]*cnpgv1.ScheduledBackup
	jobs             map[string]*batchv1.Job
	jobSinks         map[string]*sinksv1alpha1.JobSink
	gateways         map[string]*gatewayv1.Gateway
	httpRoutes       map[string]*gatewayv1.HTTPRoute
}

func newCatalog() *catalog {
	return &catalog{
		namespaces:       map[string]*corev1.Namespace{},
		configMaps:       map[string]*corev1.ConfigMap{},
		secrets:          map[string]*corev1.Secret{},
		services:         map[string]*servingv1.Service{},
		brokers:          map[string]*eventingv1.Broker{},
		triggers:         map[string]*eventingv1.Trigger{},
		pingSources:      map[string]*sourcesv1.PingSource{},
		clusters:         map[string]*cnpgv1.Cluster{},
		scheduledBackups: map[string]*cnpgv1.ScheduledBackup{},
		jobs:             map[string]*batchv1.Job{},
		jobSinks:         map[string]*sinksv1alpha1.JobSink{},
		gateways:         map[string]*gatewayv1.Gateway{},
		httpRoutes:       map[string]*gatewayv1.HTTPRoute{},
	}
}

// addAll validates every document and adds it, reporting all problems at once.
func (c *catalog) addAll(ctx context.Context, docs []document) error {
	var errs []error
	for _, d := range docs {
		errs = append(errs, c.add(ctx, d))
	}
	return errors.Join(errs...)
}

// add decodes d strictly into its real Go type, applies the defaults, validates it as the
// admission webhook would, and adds it to the catalog.
func (c *catalog) add(ctx context.Context, d document) error {
	if err := checkNamespace(d); err != nil {
		return err
	}
	var err error
	switch d.APIVersion + " " + d.Kind {
	case "v1 Namespace":
		err = decodeAndAdd(c.namespaces, d, func(ns *corev1.Namespace) error {
			return checkName(validation.IsDNS1123Label(ns.Name))
		})
	case "v1 ConfigMap":
		err = decodeAndAdd(c.configMaps, d, func(cm *corev1.ConfigMap) error {
			return checkKeys(slices.Collect(maps.Keys(cm.Data)))
		})
	case "v1 Secret":
		err = decodeAndAdd(c.secrets, d, func(s *corev1.Secret) error {
			if s.Type != "" && s.Type != corev1.SecretTypeOpaque {
				return fmt.Errorf("type %q, want %q", s.Type, corev1.SecretTypeOpaque)
			}
			return errors.Join(checkKeys(slices.Collect(maps.Keys(s.Data))),
				checkKeys(slices.Collect(maps.Keys(s.StringData))))
		})
	case kindService:
		err = decodeAndAdd(c.services, d, func(s *servingv1.Service) error {
			return errors.Join(defaultAndValidate(ctx, s), checkServicePolicy(s))
		})
	case kindBroker:
		err = decodeAndAdd(c.brokers, d, func(b *eventingv1.Broker) error {
			return errors.Join(defaultAndValidate(ctx, b), checkDeliveryPolicy(b.Spec.Delivery))
		})
	case "eventing.knative.dev/v1 Trigger":
		err = decodeAndAdd(c.triggers, d, func(t *eventingv1.Trigger) error {
			return errors.Join(defaultAndValidate(ctx, t), checkDeliveryPolicy(t.Spec.Delivery))
		})
	case "sources.knative.dev/v1 PingSource":
		err = decodeAndAdd(c.pingSources, d, func(p *sourcesv1.PingSource) error {
			return defaultAndValidate(ctx, p)
		})
	case "gateway.networking.k8s.io/v1 Gateway":
		err = decodeAndAdd(c.gateways, d, checkGateway)
	case "gateway.networking.k8s.io/v1 HTTPRoute":
		err = decodeAndAdd(c.httpRoutes, d, checkHTTPRoute)
	case "batch/v1 Job":
		err = decodeAndAdd(c.jobs, d, checkJob)
	case kindJobSink:
		err = decodeAndAdd(c.jobSinks, d, checkJobSink)
	case "postgresql.cnpg.io/v1 Cluster":
		err = decodeAndAdd(c.clusters, d, checkCluster)
	case "postgresql.cnpg.io/v1 ScheduledBackup":
		err = decodeAndAdd(c.scheduledBackups, d, checkScheduledBackup)
	default:
		err = errors.New("no validation for this kind: add it to catalog.add before using it")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", d, err)
	}
	return nil
}

// decodeAndAdd strictly decodes d (unknown or duplicate fields are errors), runs check on the
// result and stores it under its name.
func decodeAndAdd[T any](objects map[string]*T, d document, check func(*T) error) error {
	obj := new(T)
	if err := yaml.UnmarshalStrict(d.raw, obj); err != nil {
		return err
	}
	if err := check(obj); err != nil {
		return err
	}
	if _, dup := objects[d.Metadata.Name]; dup {
		return errors.New("defined more than once")
	}
	objects[d.Metadata.Name] = obj
	return nil
}

// knativeObject is what Knative's defaulting and validating webhooks call.
type knativeObject interface {
	SetDefaults(context.Context)
	Validate(context.Context) *apis.FieldError
}

func defaultAndValidate(ctx context.Context, obj knativeObject) error {
	obj.SetDefaults(ctx)
	// Warnings are returned by the webhook to the client but do not reject the object.
	if fe := obj.Validate(ctx).Filter(apis.ErrorLevel); fe != nil {
		return fe
	}
	return nil
}

func checkNamespace(d document) error {
	if d.APIVersion == "v1" && d.Kind == "Namespace" {
		return nil
	}
	// Explicit in every file, not only added by kustomize: the dev broker reads them raw.
	if d.Metadata.Namespace != namespace {
		return fmt.Errorf("%s: metadata.namespace is %q, want %q", d, d.Metadata.Namespace, namespace)
	}
	return nil
}

func checkName(problems []string) error {
	if len(problems) > 0 {
		return fmt.Errorf("metadata.name: %s", strings.Join(problems, "; "))
	}
	return nil
}

func checkKeys(keys []string) error {
	var errs []error
	for _, k := range keys {
		if problems := validation.IsConfigMapKey(k); len(problems) > 0 {
			errs = append(errs, fmt.Errorf("key %q: %s", k, strings.Join(problems, "; ")))
		}
	}
	return errors.Join(errs...)
}

// checkServicePolicy enforces what every function's Service must have (DESIGN.md,
// "Kubernetes"), beyond what Knative itself requires.
func checkServicePolicy(s *servingv1.Service) error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	tmpl := s.Spec.Template
	for _, key := range []string{"autoscaling.knative.dev/min-scale", "autoscaling.knative.dev/max-scale"} {
		if tmpl.Annotations[key] == "" {
			fail("spec.template.metadata.annotations: %s is not set", key)
		}
	}
	for _, key := range []string{"app.kubernetes.io/name", "app.kubernetes.io/part-of"} {
		if s.Labels[key] == "" {
			fail("metadata.labels: %s is not set", key)
		}
	}
	if tmpl.Spec.ContainerConcurrency == nil {
		fail("spec.template.spec.containerConcurrency is not set")
	}
	if tmpl.Spec.TimeoutSeconds == nil {
		fail("spec.template.spec.timeoutSeconds is not set")
	}
	for i, ctr := range tmpl.Spec.Containers {
		field := fmt.Sprintf("spec.template.spec.containers[%d]", i)
		if ctr.Resources.Requests.Cpu().IsZero() || ctr.Resources.Requests.Memory().IsZero() {
			fail("%s.resources.requests: cpu and memory must be set", field)
		}
		if ctr.Resources.Limits.Memory().IsZero() {
			fail("%s.resources.limits.memory is not set", field)
		}
		if ctr.LivenessProbe == nil || ctr.ReadinessProbe == nil {
			fail("%s: livenessProbe and readinessProbe must be set", field)
		}
		if len(ctr.EnvFrom) == 0 {
			fail("%s.envFrom: the shared ConfigMap and Secret are not used", field)
		}
		sc := ctr.SecurityContext
		switch {
		case sc == nil:
			fail("%s.securityContext is not set", field)
		case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
			fail("%s.securityContext.runAsNonRoot must be true", field)
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			fail("%s.securityContext.allowPrivilegeEscalation must be false", field)
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			fail("%s.securityContext.readOnlyRootFilesystem must be true", field)
		case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}):
			fail("%s.securityContext.capabilities.drop must be [ALL]", field)
		case sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
			fail("%s.securityContext.seccompProfile.type must be RuntimeDefault", field)
		}
	}
	return errors.Join(errs...)
}

// checkDeliveryPolicy requires retries with exponential backoff and a dead-letter sink, so
// that no event is dropped silently. Knative has already checked the values themselves
// (backoffDelay is ISO-8601, retry is not negative).
func checkDeliveryPolicy(d *eventingduckv1.DeliverySpec) error {
	switch {
	case d == nil:
		return errors.New("spec.delivery is not set")
	case d.Retry == nil || *d.Retry < 1:
		return errors.New("spec.delivery.retry must be at least 1")
	case d.BackoffPolicy == nil || *d.BackoffPolicy != eventingduckv1.BackoffPolicyExponential:
		return errors.New("spec.delivery.backoffPolicy must be exponential")
	case d.BackoffDelay == nil:
		return errors.New("spec.delivery.backoffDelay is not set")
	case d.DeadLetterSink == nil:
		return errors.New("spec.delivery.deadLetterSink is not set")
	}
	return nil
}

// checkCluster checks a CloudNativePG Cluster. Its admission webhook lives in an internal
// package of the operator, so only the defaulting is the operator's own; the checks after it
// cover the fields these manifests use.
func checkCluster(c *cnpgv1.Cluster) error {
	c.Default() // what the operator's defaulting webhook calls
	var errs []error
	if c.Spec.Instances < 1 {
		errs = append(errs, fmt.Errorf("spec.instances is %d, want at least 1", c.Spec.Instances))
	}
	if _, err := resource.ParseQuantity(c.Spec.StorageConfiguration.Size); err != nil {
		errs = append(errs, fmt.Errorf("spec.storage.size %q: %w", c.Spec.StorageConfiguration.Size, err))
	}
	if _, err := c.GetPostgresqlMajorVersion(); err != nil {
		errs = append(errs, fmt.Errorf("spec.imageName: %w", err))
	}
	if b := c.Spec.Bootstrap; b == nil || b.InitDB == nil || b.InitDB.Database == "" || b.InitDB.Owner == "" {
		errs = append(errs, errors.New("spec.bootstrap.initdb: database and owner must be set"))
	}
	return errors.Join(errs...)
}

// checkScheduledBackup checks a CloudNativePG ScheduledBackup: a schedule of six fields
// (seconds first, as the operator reads it) and a cluster.
func checkScheduledBackup(b *cnpgv1.ScheduledBackup) error {
	var errs []error
	if n := len(strings.Fields(b.Spec.Schedule)); n != 6 {
		errs = append(errs, fmt.Errorf("spec.schedule %q has %d fields, want 6 (seconds first)", b.Spec.Schedule, n))
	}
	if b.Spec.Cluster.Name == "" {
		errs = append(errs, errors.New("spec.cluster.name is empty"))
	}
	return errors.Join(errs...)
}

// checkReferences checks that every name an object refers to exists in the catalog. Secrets
// are checked only when wantSecrets: the base leaves the Secret to the overlays.
func (c *catalog) checkReferences(wantSecrets bool) error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }

	for _, name := range slices.Sorted(maps.Keys(c.brokers)) {
		b := c.brokers[name]
		add(c.checkDelivery(fmt.Sprintf("Broker %q spec.delivery", name), b.Spec.Delivery))
	}
	for _, name := range slices.Sorted(maps.Keys(c.triggers)) {
		t := c.triggers[name]
		where := fmt.Sprintf("Trigger %q", name)
		broker := t.Spec.Broker
		if t.Spec.BrokerRef != nil {
			broker = t.Spec.BrokerRef.Name
		}
		if _, ok := c.brokers[broker]; !ok {
			add(fmt.Errorf("%s spec.broker: Broker %q does not exist", where, broker))
		}
		add(c.checkDestination(where+" spec.subscriber", t.Spec.Subscriber, kindService, kindJobSink))
		add(c.checkDelivery(where+" spec.delivery", t.Spec.Delivery))
		add(c.checkPingFilters(where, t))
	}
	var siteRules []string
	for _, name := range slices.Sorted(maps.Keys(c.httpRoutes)) {
		hr := c.httpRoutes[name]
		for i, rule := range hr.Spec.Rules {
			if siteRule(rule) {
				siteRules = append(siteRules, fmt.Sprintf("HTTPRoute %q spec.rules[%d]", name, i))
			}
		}
		for i, parent := range hr.Spec.ParentRefs {
			if _, ok := c.gateways[string(parent.Name)]; !ok {
				add(fmt.Errorf("HTTPRoute %q spec.parentRefs[%d]: Gateway %q does not exist", name, i, parent.Name))
			}
		}
		for i, rule := range hr.Spec.Rules {
			for j, b := range rule.BackendRefs {
				if _, ok := c.services[string(b.Name)]; !ok {
					add(fmt.Errorf("HTTPRoute %q spec.rules[%d].backendRefs[%d]: Service %q does not exist", name, i, j, b.Name))
				}
			}
		}
	}
	if len(siteRules) > 1 {
		add(fmt.Errorf("the web app's rule (PathPrefix / to Service %q) is there %d times: %s; keep one",
			webService, len(siteRules), strings.Join(siteRules, ", ")))
	}
	for _, name := range slices.Sorted(maps.Keys(c.pingSources)) {
		p := c.pingSources[name]
		add(c.checkDestination(fmt.Sprintf("PingSource %q spec.sink", name), p.Spec.Sink, kindBroker, kindService))
	}
	containers := map[string][]corev1.Container{}
	for name, svc := range c.services {
		containers[fmt.Sprintf("Service %q", name)] = svc.Spec.Template.Spec.Containers
	}
	for name, js := range c.jobSinks {
		containers[fmt.Sprintf("JobSink %q", name)] = js.Spec.Job.Spec.Template.Spec.Containers
	}
	for _, owner := range slices.Sorted(maps.Keys(containers)) {
		for _, ctr := range containers[owner] {
			for _, env := range ctr.EnvFrom {
				where := owner + " envFrom"
				if ref := env.ConfigMapRef; ref != nil && c.configMaps[ref.Name] == nil {
					add(fmt.Errorf("%s: ConfigMap %q does not exist", where, ref.Name))
				}
				if ref := env.SecretRef; ref != nil && wantSecrets && c.secrets[ref.Name] == nil {
					add(fmt.Errorf("%s: Secret %q does not exist", where, ref.Name))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func (c *catalog) checkDelivery(where string, d *eventingduckv1.DeliverySpec) error {
	if d == nil || d.DeadLetterSink == nil {
		return nil
	}
	return c.checkDestination(where+".deadLetterSink", *d.DeadLetterSink, kindService)
}

// checkDestination checks that dest refers to an existing object of one of the allowed kinds.
func (c *catalog) checkDestination(where string, dest duckv1.Destination, allowed ...string) error {
	ref := dest.Ref
	if ref == nil {
		if dest.URI == nil {
			return fmt.Errorf("%s: neither ref nor uri is set", where)
		}
		return nil // an address outside the cluster's objects
	}
	if ref.Namespace != "" && ref.Namespace != namespace {
		return fmt.Errorf("%s.ref: namespace %q, want %q", where, ref.Namespace, namespace)
	}
	kind := ref.APIVersion + " " + ref.Kind
	if !slices.Contains(allowed, kind) {
		return fmt.Errorf("%s.ref: %s, want one of %q", where, kind, allowed)
	}
	exists := false
	switch kind {
	case kindService:
		_, exists = c.services[ref.Name]
	case kindBroker:
		_, exists = c.brokers[ref.Name]
	case kindJobSink:
		_, exists = c.jobSinks[ref.Name]
	}
	if !exists {
		return fmt.Errorf("%s.ref: %s %q does not exist", where, ref.Kind, ref.Name)
	}
	return nil
}

// checkPingFilters checks that a Trigger waiting for PingSource events names, in its source
// filter, a PingSource that exists: renaming the PingSource would otherwise silently stop the
// schedule.
func (c *catalog) checkPingFilters(where string, t *eventingv1.Trigger) error {
	exacts := []map[string]string{}
	for _, f := range t.Spec.Filters {
		exacts = append(exacts, f.Exact)
	}
	if t.Spec.Filter != nil {
		exacts = append(exacts, t.Spec.Filter.Attributes)
	}
	var errs []error
	for _, exact := range exacts {
		if exact["type"] != sourcesv1.PingSourceEventType {
			continue
		}
		source, found := exact["source"], false
		for name := range c.pingSources {
			found = found || source == sourcesv1.PingSourceSource(namespace, name)
		}
		if !found {
			errs = append(errs, fmt.Errorf("%s spec.filters: source %q is no PingSource in these manifests", where, source))
		}
	}
	return errors.Join(errs...)
}

// validateDocs validates every object and then the references between them.
func validateDocs(docs []document, wantSecrets bool) (*catalog, error) {
	c := newCatalog()
	if err := c.addAll(webhookContext(), docs); err != nil {
		return c, err
	}
	return c, c.checkReferences(wantSecrets)
}

// checkJob holds a Job to the same rules as the functions: an image built by
// ko from this repository, non-root, no privilege escalation, resources set.
// Kubernetes' own validation of core types is not importable offline.
func checkJob(j *batchv1.Job) error {
	var errs []error
	spec := j.Spec.Template.Spec
	if spec.RestartPolicy != corev1.RestartPolicyNever && spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		errs = append(errs, fmt.Errorf("spec.template.spec.restartPolicy %q: a Job needs Never or OnFailure", spec.RestartPolicy))
	}
	if len(spec.Containers) == 0 {
		errs = append(errs, errors.New("spec.template.spec.containers: none"))
	}
	for _, c := range spec.Containers {
		if !strings.HasPrefix(c.Image, "ko://github.com/ghiseu/ghiseu/") {
			errs = append(errs, fmt.Errorf("container %s: image %q is not built by ko from this repository", c.Name, c.Image))
		}
		sc := c.SecurityContext
		if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			errs = append(errs, fmt.Errorf("container %s: securityContext must set runAsNonRoot and forbid privilege escalation", c.Name))
		}
		if c.Resources.Limits.Memory().IsZero() || c.Resources.Requests.Cpu().IsZero() {
			errs = append(errs, fmt.Errorf("container %s: resources need a memory limit and a cpu request", c.Name))
		}
	}
	return errors.Join(errs...)
}

// checkJobSink checks a Knative JobSink: its Job as checkJob does, plus what
// the JobSink's own validation (a dry-run create, which needs an API server)
// and the Job API would refuse in the fields used here. A podFailurePolicy
// needs restartPolicy Never, names a container of the Job and never exit
// code 0.
func checkJobSink(js *sinksv1alpha1.JobSink) error {
	if js.Spec.Job == nil {
		return errors.New("spec.job is required")
	}
	job := js.Spec.Job
	errs := []error{checkJob(job)}
	if p := job.Spec.PodFailurePolicy; p != nil {
		if job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
			errs = append(errs, errors.New("spec.job.spec.podFailurePolicy needs restartPolicy Never"))
		}
		for i, r := range p.Rules {
			e := r.OnExitCodes
			if e == nil {
				continue
			}
			if e.ContainerName != nil && !slices.ContainsFunc(job.Spec.Template.Spec.Containers, func(c corev1.Container) bool {
				return c.Name == *e.ContainerName
			}) {
				errs = append(errs, fmt.Errorf("spec.job.spec.podFailurePolicy.rules[%d]: no container %q", i, *e.ContainerName))
			}
			if e.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && slices.Contains(e.Values, 0) {
				errs = append(errs, fmt.Errorf("spec.job.spec.podFailurePolicy.rules[%d]: exit code 0 is success", i))
			}
		}
	}
	if job.Spec.BackoffLimit == nil || job.Spec.ActiveDeadlineSeconds == nil || job.Spec.TTLSecondsAfterFinished == nil {
		errs = append(errs, errors.New("spec.job.spec: backoffLimit, activeDeadlineSeconds and ttlSecondsAfterFinished must be set"))
	}
	return errors.Join(errs...)
}

// checkGateway: the listeners the platform relies on. Gateway API's own
// validation is CEL in its CRDs, which needs an API server; these are the
// rules that matter here.
func checkGateway(g *gatewayv1.Gateway) error {
	if g.Spec.GatewayClassName == "" {
		return errors.New("spec.gatewayClassName is required")
	}
	if len(g.Spec.Listeners) == 0 {
		return errors.New("spec.listeners: at least one is required")
	}
	return nil
}

// webService is the Knative Service of the web app (functions/web): the one backend that may
// take paths outside /api, and only through siteRule.
const webService = "web"

// siteRule reports whether rule is the web app's: one match, PathPrefix "/" for every method,
// header and query, to the Service web alone. Gateway API precedence puts it after every /api
// rule (the shortest prefix), so it takes only what they leave.
func siteRule(rule gatewayv1.HTTPRouteRule) bool {
	if len(rule.Matches) != 1 || len(rule.BackendRefs) != 1 {
		return false
	}
	m, b := rule.Matches[0], rule.BackendRefs[0]
	return m.Path != nil && m.Path.Type != nil && *m.Path.Type == gatewayv1.PathMatchPathPrefix &&
		m.Path.Value != nil && *m.Path.Value == "/" &&
		m.Method == nil && len(m.Headers) == 0 && len(m.QueryParams) == 0 &&
		string(b.Name) == webService && (b.Kind == nil || *b.Kind == "Service") && (b.Group == nil || *b.Group == "") &&
		b.Namespace == nil
}

// checkHTTPRoute: every rule matches paths under /api, except the web app's rule (siteRule),
// with a known match type, a regular expression that compiles (RE2, as the dev gateway and
// Envoy-based gateways use), and a backend on port 80. A rule without matches would take every
// path (Gateway API's default match is PathPrefix "/"), so one is required.
func checkHTTPRoute(hr *gatewayv1.HTTPRoute) error {
	var errs []error
	if len(hr.Spec.ParentRefs) == 0 {
		errs = append(errs, errors.New("spec.parentRefs: at least one is required"))
	}
	for i, rule := range hr.Spec.Rules {
		where := fmt.Sprintf("spec.rules[%d]", i)
		if len(rule.BackendRefs) == 0 {
			errs = append(errs, fmt.Errorf("%s.backendRefs: at least one is required", where))
		}
		for j, b := range rule.BackendRefs {
			if b.Port == nil || *b.Port != 80 {
				errs = append(errs, fmt.Errorf("%s.backendRefs[%d].port: Knative Services listen on 80", where, j))
			}
		}
		if len(rule.Matches) == 0 {
			errs = append(errs, fmt.Errorf("%s.matches: at least one is required (without, the rule takes every path)", where))
		}
		site := siteRule(rule)
		for j, m := range rule.Matches {
			mwhere := fmt.Sprintf("%s.matches[%d].path", where, j)
			if m.Path == nil || m.Path.Type == nil || m.Path.Value == nil {
				errs = append(errs, fmt.Errorf("%s: type and value are required", mwhere))
				continue
			}
			value := *m.Path.Value
			switch *m.Path.Type {
			case gatewayv1.PathMatchExact, gatewayv1.PathMatchPathPrefix:
			case gatewayv1.PathMatchRegularExpression:
				if _, err := regexp.Compile(value); err != nil {
					errs = append(errs, fmt.Errorf("%s.value %q: %w", mwhere, value, err))
				}
			default:
				errs = append(errs, fmt.Errorf("%s.type %q is not a Gateway API path match type", mwhere, *m.Path.Type))
			}
			switch {
			case site || strings.HasPrefix(value, "/api/"):
			case value == "/":
				errs = append(errs, fmt.Errorf("%s.value %q: only the web app's rule may match it: PathPrefix, alone in its rule, "+
					"every method, to the Service %q alone", mwhere, value, webService))
			default:
				errs = append(errs, fmt.Errorf("%s.value %q: routes serve /api/ only (and PathPrefix / the web app)", mwhere, value))
			}
		}
	}
	return errors.Join(errs...)
}
