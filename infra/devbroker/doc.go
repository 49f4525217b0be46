// Package devbroker is a local stand-in for a Knative Broker, its Triggers,
// PingSources and the cluster's HTTP gateway, driven by the same manifests
// that run in the cluster (k8s/), so that local routing is production
// routing.
//
//	m, err := devbroker.Load("k8s/base")
//	b, err := devbroker.NewBroker(m, devbroker.Options{Resolver: resolve, Logger: log})
//	// serve b (the ingress: /{namespace}/{broker}), then
//	go b.RunPingSources(ctx)
//	g, err := devbroker.NewGateway(m.HTTPRoutes, devbroker.GatewayOptions{Resolver: resolve, ...})
//	// serve g; on shutdown:
//	err = b.Close(shutdownCtx)
//
// It imports neither knative.dev/* nor k8s.io/*: it reads only the YAML
// fields it acts on, with minimal structs, to keep the dev tool light. The
// manifest tests under tests/ validate the same files against the real API
// types; anything devbroker cannot reproduce faithfully (an unknown filter
// dialect, HTTPRoute filters or header matches, a non-v1 apiVersion) is a
// load error rather than a silent difference.
//
// Knative semantics it follows:
//   - Trigger filters: a non-empty spec.filters (exact, prefix, suffix, all,
//     any, not, cesql; the list is ANDed) wins over spec.filter.attributes,
//     where an empty value means "present, any value". Context attributes
//     always exist; extensions only when set. An unset spec.broker is
//     "default"; a Trigger without spec.delivery uses its Broker's.
//   - Delivery: binary mode; 2xx is done; network errors, timeouts, 404,
//     408, 409, 429 and 5xx are retried spec.delivery.retry times, waiting
//     backoffDelay*2^n (exponential, the default) or backoffDelay*n (linear)
//     before retry n = 1, 2, ...; other statuses are final. Then the event
//     goes to the dead-letter sink with knativeerrordest, knativeerrorcode
//     and knativeerrordata (the response body, or the transport error, in
//     base64, first 1 KiB), with the same retries: a sink that is
//     restarting must not turn a refused event into a lost one.
//   - Replies: a 2xx response carrying a CloudEvent is a new event on the
//     same broker; a response that is not a CloudEvent is ignored; one that
//     claims to be an event but is invalid fails the attempt as a 502.
//   - knativebrokerttl: set to 255 at the ingress when absent, removed
//     before delivery, decremented onto replies; a reply at 0 is dropped.
//   - PingSources: type dev.knative.sources.ping, source
//     /apis/v1/namespaces/{ns}/pingsources/{name}, cron in spec.timezone
//     (default UTC), one send per tick.
//
// Where it differs, on purpose: the "time" attribute is compared in RFC 3339
// (Knative uses Go's time.String form); Retry-After is not honoured; backoff
// waits use the real clock even when PingSources use a fake one; only the
// first backendRef of an HTTPRoute rule gets traffic (weights are ignored);
// HTTPRoute hostnames and parentRefs are ignored; /healthz, /readyz and
// GET /api/openapi.json are the gateway's own, and under /api/ a catch-all
// rule (PathPrefix "/", the web app's) is not applied, so a path no API
// rule takes gets the gateway's 404 rather than the web function's; what no
// route takes outside /api/ goes to the gateway's fallback, if any;
// kustomize patches are not applied, so load base directories, not
// overlays (a duplicate object is a load error).
package devbroker
