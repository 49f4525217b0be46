package devbroker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/cloudevents/sdk-go/v2/types"
)

const (
	// ttlExtension is Knative's loop guard: every pass through the broker
	// costs one, and an event whose TTL runs out is dropped.
	ttlExtension = "knativebrokerttl"
	defaultTTL   = 255

	// maxEventBytes bounds what is read from a request or a reply, so that
	// a runaway client cannot exhaust the dev machine's memory.
	maxEventBytes = 16 << 20
)

// Options configure a Broker. Resolver is required.
type Options struct {
	Resolver Resolver
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Workers is how many deliveries run at once (default 16).
	Workers int
	// QueueSize is how many deliveries may wait for a worker (default 1024).
	// When it is full the ingress answers 503, so senders retry later
	// instead of blocking.
	QueueSize int
	// Client sends events to subscribers and sinks (default: a client with
	// its own transport and no overall timeout; attempts are bounded by
	// DefaultTimeout or the Trigger's delivery timeout).
	Client *http.Client
	// DefaultTimeout bounds one delivery attempt when the delivery spec has
	// no timeout (default 30s).
	DefaultTimeout time.Duration
	// Clock drives PingSources (default: the real clock).
	Clock Clock
}

// Broker stands in for every Broker in the manifests: it is the http.Handler
// of their ingress at /{namespace}/{broker}, delivers accepted events to
// the matching Triggers' subscribers and fires the PingSources.
type Broker struct {
	log            *slog.Logger
	client         *http.Client
	clock          Clock
	defaultTimeout time.Duration

	// routes holds the resolved Triggers of each broker, by "namespace/name".
	routes map[string][]*route
	pings  []pingTarget

	queue chan job
	// mu makes "is there room for all of these jobs" and "queue them" one
	// step, and orders it with Close.
	mu       sync.Mutex
	closed   bool // the ingress no longer accepts events
	drained  bool // the queue is closed
	pending  sync.WaitGroup
	workers  sync.WaitGroup
	drainEnd chan struct{}
	drainOne sync.Once
	// ctx is cancelled when Close gives up waiting: attempts in flight are
	// aborted and queued deliveries dropped.
	ctx    context.Context
	cancel context.CancelFunc
}

// route is a Trigger with its addresses resolved.
type route struct {
	trigger    *Trigger
	broker     string // "namespace/name"
	subscriber string
	delivery   Delivery
	timeout    time.Duration
	deadLetter string // empty: none
}

// job is one event on its way to one subscriber.
type job struct {
	route *route
	event event.Event
	ttl   int32
}

var (
	errQueueFull    = errors.New("delivery queue is full")
	errShuttingDown = errors.New("broker is shutting down")
)

// NewBroker resolves every Trigger's subscriber and dead-letter sink and
// every PingSource's sink, and starts the delivery workers. Stop it with
// Close.
func NewBroker(m *Manifests, opts Options) (*Broker, error) {
	if opts.Resolver == nil {
		return nil, errors.New("devbroker: Options.Resolver is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1024
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if opts.DefaultTimeout <= 0 {
		opts.DefaultTimeout = 30 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = realClock{}
	}
	b := &Broker{
		log:            opts.Logger,
		client:         opts.Client,
		clock:          opts.Clock,
		defaultTimeout: opts.DefaultTimeout,
		routes:         map[string][]*route{},
		queue:          make(chan job, opts.QueueSize),
		drainEnd:       make(chan struct{}),
	}
	for _, bm := range m.Brokers {
		b.routes[bm.Namespace+"/"+bm.Name] = nil
	}
	var errs []error
	for i := range m.Triggers {
		r, err := b.newRoute(m, &m.Triggers[i], opts.Resolver)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		b.routes[r.broker] = append(b.routes[r.broker], r)
	}
	for i := range m.PingSources {
		ps := &m.PingSources[i]
		sink, err := ps.Sink.resolve(opts.Resolver)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: PingSource %q: spec.sink: %w", ps.File, ps.Name, err))
			continue
		}
		b.pings = append(b.pings, pingTarget{source: ps, sink: sink})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	for range opts.Workers {
		b.workers.Add(1)
		go b.work()
	}
	return b, nil
}

func (b *Broker) newRoute(m *Manifests, t *Trigger, resolve Resolver) (*route, error) {
	where := fmt.Sprintf("%s: Trigger %q", t.File, t.Name)
	bm, ok := m.Broker(t.Namespace, t.Broker)
	if !ok {
		return nil, fmt.Errorf("%s: spec.broker %q: no such Broker in namespace %q", where, t.Broker, t.Namespace)
	}
	r := &route{trigger: t, broker: t.Namespace + "/" + t.Broker, timeout: b.defaultTimeout}
	var err error
	if r.subscriber, err = t.Subscriber.resolve(resolve); err != nil {
		return nil, fmt.Errorf("%s: spec.subscriber: %w", where, err)
	}
	// As in Knative, a Trigger without a delivery spec uses its Broker's.
	switch {
	case t.Delivery != nil:
		r.delivery = *t.Delivery
	case bm.Delivery != nil:
		r.delivery = *bm.Delivery
	}
	if r.delivery.Timeout > 0 {
		r.timeout = r.delivery.Timeout
	}
	if dls := r.delivery.DeadLetterSink; dls != nil {
		if r.deadLetter, err = dls.resolve(resolve); err != nil {
			return nil, fmt.Errorf("%s: deadLetterSink: %w", where, err)
		}
	}
	return r, nil
}

// ServeHTTP is the broker ingress: POST /{namespace}/{broker} with a
// CloudEvent in binary or structured mode. 202 means accepted for delivery.
func (b *Broker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ns, name, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	brokerKey := ns + "/" + name
	triggers, known := b.routes[brokerKey]
	if !ok || strings.Contains(name, "/") || !known {
		writeProblem(w, http.StatusNotFound, codeUnknownBroker, fmt.Sprintf("no broker at %s: the ingress path is /{namespace}/{broker}", r.URL.Path))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeProblem(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, "send CloudEvents with POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxEventBytes)
	e, err := cehttp.NewEventFromHTTPRequest(r)
	if err != nil {
		writeProblem(w, http.StatusBadRequest, codeInvalidEvent, fmt.Sprintf("not a CloudEvent: %v", err))
		return
	}
	if err := e.Validate(); err != nil {
		writeProblem(w, http.StatusBadRequest, codeInvalidEvent, fmt.Sprintf("invalid CloudEvent: %v", err))
		return
	}
	ttl := int32(defaultTTL)
	if v, ok := e.Extensions()[ttlExtension]; ok {
		if n, err := types.ToInteger(v); err == nil {
			ttl = n
		}
	}
	log := b.log.With("broker", brokerKey, "event.id", e.ID(), "event.type", e.Type(), "event.source", e.Source())
	switch err := b.accept(triggers, *e, ttl, true); {
	case errors.Is(err, errQueueFull):
		log.Warn("event rejected: delivery queue is full")
		w.Header().Set("Retry-After", "1")
		writeProblem(w, http.StatusServiceUnavailable, codeQueueFull, "the delivery queue is full; retry later")
	case errors.Is(err, errShuttingDown):
		writeProblem(w, http.StatusServiceUnavailable, codeShuttingDown, "the broker is shutting down")
	default:
		log.Debug("event accepted")
		w.WriteHeader(http.StatusAccepted)
	}
}

// accept queues e for every Trigger whose filter matches, all or nothing,
// so that a sender told to retry does not duplicate half the deliveries.
// external is false for replies, which are taken in while Close drains:
// they are part of the work in flight.
func (b *Broker) accept(triggers []*route, e event.Event, ttl int32, external bool) error {
	var jobs []job
	for _, r := range triggers {
		if r.trigger.Matches(e) {
			jobs = append(jobs, job{route: r, event: e, ttl: ttl})
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drained || (external && b.closed) {
		return errShuttingDown
	}
	if len(jobs) == 0 {
		b.log.Debug("event matches no trigger", "event.id", e.ID(), "event.type", e.Type(), "event.source", e.Source())
		return nil
	}
	if len(b.queue)+len(jobs) > cap(b.queue) {
		return errQueueFull
	}
	b.pending.Add(len(jobs))
	for _, j := range jobs {
		b.queue <- j // cannot block: there is room and only accept sends
	}
	return nil
}

func (b *Broker) work() {
	defer b.workers.Done()
	for j := range b.queue {
		b.deliver(b.ctx, j)
		b.pending.Done()
	}
}

// Close stops accepting events and waits, up to ctx's deadline, for the
// deliveries in flight (retries and replies included). If ctx ends first
// they are aborted, logged as lost, and ctx's error is returned.
func (b *Broker) Close(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.drainOne.Do(func() {
		go func() {
			b.pending.Wait()
			b.mu.Lock()
			b.drained = true
			close(b.queue)
			b.mu.Unlock()
			b.workers.Wait()
			b.cancel()
			close(b.drainEnd)
		}()
	})
	select {
	case <-b.drainEnd:
		return nil
	case <-ctx.Done():
		b.cancel()
		return fmt.Errorf("devbroker: close: deliveries still in flight: %w", ctx.Err())
	}
}
