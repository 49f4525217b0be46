package devbroker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// GatewayOptions configure a Gateway. Resolver is required when there are
// routes.
type GatewayOptions struct {
	// Resolver maps a backendRef (a Knative Service) to its local URL.
	Resolver Resolver
	// OpenAPI is served at GET /api/openapi.json when not nil.
	OpenAPI []byte
	// Functions are checked by GET /readyz: name → base URL.
	Functions map[string]string
	// Fallback serves what no route takes outside /api/... (and is neither
	// /readyz nor /healthz); nil answers 404. With k8s/base, the web app's
	// PathPrefix "/" rule takes all of that already.
	Fallback http.Handler
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Transport carries proxied and readiness requests (default: a clone of
	// http.DefaultTransport).
	Transport http.RoundTripper
	// ReadyTimeout bounds each function's readiness check (default 2s).
	ReadyTimeout time.Duration
}

// Gateway is the local stand-in for the cluster's gateway: it routes requests
// to the HTTP functions as the HTTPRoutes say (/api/... to the API's, the
// rest to the web app's PathPrefix "/" rule), serves the OpenAPI document and
// aggregates the functions' readiness at /readyz. Under /api/ a catch-all
// rule does not apply: a path no API rule takes is the gateway's 404 (in
// the cluster it reaches the web function, which answers 404 too).
type Gateway struct {
	routes       []gatewayRoute // in precedence order
	openAPI      []byte
	functions    map[string]string
	fallback     http.Handler
	log          *slog.Logger
	client       *http.Client
	readyTimeout time.Duration
}

// gatewayRoute is one HTTPRoute match with its backend's proxy.
type gatewayRoute struct {
	match   RouteMatch
	route   string // "namespace/name", for logs
	backend string // Knative Service name
	proxy   *httputil.ReverseProxy
}

// NewGateway resolves every route's backend and orders the matches by
// Gateway API precedence.
func NewGateway(routes []HTTPRoute, opts GatewayOptions) (*Gateway, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 2 * time.Second
	}
	g := &Gateway{
		openAPI:      opts.OpenAPI,
		functions:    opts.Functions,
		fallback:     opts.Fallback,
		log:          opts.Logger,
		client:       &http.Client{Transport: opts.Transport},
		readyTimeout: opts.ReadyTimeout,
	}
	proxies := map[string]*httputil.ReverseProxy{} // one per backend URL
	for _, hr := range routes {
		for i, rule := range hr.Rules {
			// The Gateway API splits traffic between backendRefs by weight;
			// locally every function runs once, so the first one takes it all.
			backend := rule.Backends[0]
			target, err := Destination{Ref: &backend}.resolve(opts.Resolver)
			if err != nil {
				return nil, fmt.Errorf("%s: HTTPRoute %q: spec.rules[%d].backendRefs[0]: %w", hr.File, hr.Name, i, err)
			}
			proxy, ok := proxies[target]
			if !ok {
				if proxy, err = g.newProxy(backend.Name, target); err != nil {
					return nil, fmt.Errorf("%s: HTTPRoute %q: spec.rules[%d]: %w", hr.File, hr.Name, i, err)
				}
				proxies[target] = proxy
			}
			for _, m := range rule.Matches {
				g.routes = append(g.routes, gatewayRoute{match: m, route: hr.Namespace + "/" + hr.Name, backend: backend.Name, proxy: proxy})
			}
		}
	}
	// Gateway API precedence: Exact, then RegularExpression (its place is
	// implementation-specific; before prefixes, as the common gateways do),
	// then PathPrefix; the longest path first, then a method match; ties
	// keep manifest order.
	rank := map[PathMatchType]int{PathExact: 0, PathRegex: 1, PathPrefix: 2}
	sort.SliceStable(g.routes, func(i, j int) bool {
		a, b := g.routes[i].match, g.routes[j].match
		if rank[a.PathType] != rank[b.PathType] {
			return rank[a.PathType] < rank[b.PathType]
		}
		if len(a.Path) != len(b.Path) {
			return len(a.Path) > len(b.Path)
		}
		return a.Method != "" && b.Method == ""
	})
	return g, nil
}

func (g *Gateway) newProxy(backend, target string) (*httputil.ReverseProxy, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("backend %q: address %q is not an absolute URL", backend, target)
	}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u) // keeps the request's path (under u's) and query
			pr.SetXForwarded()
		},
		Transport: g.client.Transport,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			g.log.Warn("gateway: backend unreachable", "backend", backend, "url", target, "path", r.URL.Path, "error", err)
			writeProblem(w, http.StatusBadGateway, codeBackendUnreachable, fmt.Sprintf("function %q did not answer", backend))
		},
	}, nil
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	isGet := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case path == "/healthz" && isGet:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	case path == "/readyz" && isGet:
		g.serveReadiness(w, r)
	case path == "/api/openapi.json" && isGet && g.openAPI != nil:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(g.openAPI)
	case path == "/api" || strings.HasPrefix(path, "/api/"):
		rt, ok := g.route(r, true)
		if !ok {
			writeProblem(w, http.StatusNotFound, codeNoRoute, fmt.Sprintf("no route for %s %s", r.Method, path))
			return
		}
		rt.proxy.ServeHTTP(w, r)
	default:
		if rt, ok := g.route(r, false); ok {
			rt.proxy.ServeHTTP(w, r)
			return
		}
		if g.fallback != nil {
			g.fallback.ServeHTTP(w, r)
			return
		}
		writeProblem(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("nothing at %s", path))
	}
}

// route returns the highest-precedence route that matches r; for an API
// path, catch-all matches (PathPrefix "/") do not count.
func (g *Gateway) route(r *http.Request, api bool) (gatewayRoute, bool) {
	for _, rt := range g.routes {
		if rt.match.Method != "" && rt.match.Method != r.Method {
			continue
		}
		if api && rt.match.catchAll() {
			continue
		}
		if pathMatches(rt.match, r.URL.Path) {
			return rt, true
		}
	}
	return gatewayRoute{}, false
}

// catchAll reports whether m matches every path: PathPrefix "/" (a rule
// without matches is one too).
func (m RouteMatch) catchAll() bool {
	return m.PathType == PathPrefix && strings.TrimSuffix(m.Path, "/") == ""
}

// pathMatches applies Gateway API path matching: a PathPrefix matches whole
// path elements ("/api/requests" matches "/api/requests/7", not
// "/api/requestsX"), and its trailing slash is ignored.
func pathMatches(m RouteMatch, path string) bool {
	switch m.PathType {
	case PathExact:
		return path == m.Path
	case PathRegex:
		return m.regex.MatchString(path)
	}
	prefix := strings.TrimSuffix(m.Path, "/")
	if prefix == "" {
		return true
	}
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// readiness is the body of a ready /readyz.
type readiness struct {
	Status    string            `json:"status"`
	Functions map[string]string `json:"functions"`
}

// serveReadiness checks every function's /readyz at once: the stack is
// ready when all of them are.
func (g *Gateway) serveReadiness(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), g.readyTimeout)
	defer cancel()
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		status = make(map[string]string, len(g.functions))
	)
	for name, base := range g.functions {
		wg.Go(func() {
			s := g.checkReady(ctx, base)
			mu.Lock()
			status[name] = s
			mu.Unlock()
		})
	}
	wg.Wait()

	var notReady []string
	for name, s := range status {
		if s != "ready" {
			notReady = append(notReady, name)
		}
	}
	if len(notReady) > 0 {
		slices.Sort(notReady)
		p := newProblem(http.StatusServiceUnavailable, codeNotReady,
			fmt.Sprintf("%d of %d functions not ready: %s", len(notReady), len(status), strings.Join(notReady, ", ")))
		p.Functions = status
		p.write(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_ = json.NewEncoder(w).Encode(readiness{Status: "ready", Functions: status})
}

// checkReady returns "ready" or why the function is not.
func (g *Gateway) checkReady(ctx context.Context, base string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/readyz", nil)
	if err != nil {
		return fmt.Sprintf("bad address: %v", err)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return fmt.Sprintf("unreachable: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("answered %s", resp.Status)
	}
	return "ready"
}
