package devbroker

import (
	"fmt"
	"net/url"
)

// Resolver maps an addressable object to its local URL: a Knative Service
// (Kind "Service") to where the function's process listens, a Broker to its
// ingress on the dev broker (e.g. http://127.0.0.1:8081/ghiseu/default). It
// is what the cluster's addressable resolver does, and only the caller knows
// the local ports.
type Resolver func(ref Ref) (url string, err error)

// resolve returns the URL of d. As in Knative, a URI alone is used as it is,
// and a URI next to a Ref is resolved relative to the Ref's address.
func (d Destination) resolve(resolve Resolver) (string, error) {
	if d.Ref == nil {
		if d.URI == "" {
			return "", fmt.Errorf("empty destination")
		}
		return d.URI, nil
	}
	if resolve == nil {
		return "", fmt.Errorf("resolve %s: no resolver configured", d.Ref)
	}
	base, err := resolve(*d.Ref)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", d.Ref, err)
	}
	if d.URI == "" {
		return base, nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("resolve %s: address %q: %w", d.Ref, base, err)
	}
	rel, err := url.Parse(d.URI)
	if err != nil {
		return "", fmt.Errorf("uri %q: %w", d.URI, err)
	}
	return b.ResolveReference(rel).String(), nil
}
