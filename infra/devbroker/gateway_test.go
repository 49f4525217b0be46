package devbroker

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const routesYAML = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: requests
spec:
  rules:
    - matches:
        - path: {type: PathPrefix, value: /api/requests}
      backendRefs:
        - name: submit-request
          port: 80
    - matches:
        - path: {type: PathPrefix, value: /api/requests/search}
          method: GET
      backendRefs:
        - name: search-requests
    - matches:
        - path: {type: RegularExpression, value: "/api/requests/[^/]+/documents(/.*)?"}
      backendRefs:
        - name: register-document
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: documents
spec:
  rules:
    - matches:
        - path: {type: Exact, value: /api/documents}
      backendRefs:
        - name: register-document
    - matches:
        - path: {type: PathPrefix, value: /api/broken}
      backendRefs:
        - name: broken
`

// echoed is what a backend stand-in says about the request it got.
type echoed struct {
	Backend string `json:"backend"`
	Method  string `json:"method"`
	Path    string `json:"path"`
	Query   string `json:"query"`
	XFF     string `json:"xff"`
	Proto   string `json:"proto"`
}

func newEchoBackend(t *testing.T, name string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", name)
		_ = json.NewEncoder(w).Encode(echoed{
			Backend: name, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			XFF: r.Header.Get("X-Forwarded-For"), Proto: r.Header.Get("X-Forwarded-Proto"),
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// readyServer answers /readyz with 200 while ready holds, else 503.
func readyServer(t *testing.T, ready *atomic.Bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"status":"ready"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// siteYAML is the web app's rule as k8s/base has it: every path, to web.
const siteYAML = `
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: site
spec:
  rules:
    - matches:
        - path: {type: PathPrefix, value: /}
      backendRefs:
        - name: web
          port: 80
`

func startGateway(t *testing.T, opts GatewayOptions) string {
	t.Helper()
	return startGatewayWith(t, routesYAML, opts)
}

func startGatewayWith(t *testing.T, routes string, opts GatewayOptions) string {
	t.Helper()
	backends := map[string]string{}
	for _, name := range []string{"submit-request", "search-requests", "register-document", "web"} {
		backends[name] = newEchoBackend(t, name).URL
	}
	// A backend that is down: its server is gone by the time requests come.
	gone := httptest.NewServer(http.NotFoundHandler())
	backends["broken"] = gone.URL
	gone.Close()

	opts.Logger = testLogger(t)
	opts.Resolver = func(ref Ref) (string, error) {
		if url, ok := backends[ref.Name]; ok && ref.Kind == "Service" {
			return url, nil
		}
		return "", fmt.Errorf("no local address for %s", ref)
	}
	g, err := NewGateway(writeManifests(t, routes).HTTPRoutes, opts)
	if err != nil {
		t.Fatalf("NewGateway: %v", err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestGatewayRoutes(t *testing.T) {
	base := startGateway(t, GatewayOptions{})
	tests := []struct {
		method, path string
		wantStatus   int
		wantBackend  string
		wantProblem  string
	}{
		{"POST", "/api/requests", 200, "submit-request", ""},
		{"GET", "/api/requests/42?expand=documents&x=1", 200, "submit-request", ""},
		{"GET", "/api/requests/search?q=autoriza%C8%9Bie", 200, "search-requests", ""},
		{"GET", "/api/requests/search/deep", 200, "search-requests", ""},
		{"POST", "/api/requests/search", 200, "submit-request", ""}, // method does not match: the shorter prefix takes it
		{"GET", "/api/documents", 200, "register-document", ""},
		{"GET", "/api/requests/42/documents", 200, "register-document", ""},    // a regex before a shorter prefix
		{"POST", "/api/requests/42/documents/9", 200, "register-document", ""}, // the whole path must match
		{"GET", "/api/requests/42/documentsX", 200, "submit-request", ""},      // ...so this falls to the prefix
		{"GET", "/api/documents/7", 404, "", codeNoRoute},                      // Exact does not match below
		{"GET", "/api/requestsX", 404, "", codeNoRoute},                        // prefixes match whole path elements
		{"GET", "/api/unknown", 404, "", codeNoRoute},
		{"GET", "/api/broken/x", 502, "", codeBackendUnreachable},
		{"GET", "/", 404, "", codeNotFound}, // no fallback configured
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, base+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp := do(t, req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantProblem != "" {
				if p := decodeProblem(t, resp); p.Code != tt.wantProblem {
					t.Errorf("problem code = %q, want %q", p.Code, tt.wantProblem)
				}
				return
			}
			var got echoed
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			path, query, _ := strings.Cut(tt.path, "?")
			want := echoed{Backend: tt.wantBackend, Method: tt.method, Path: path, Query: query, XFF: "127.0.0.1", Proto: "http"}
			if got != want {
				t.Errorf("backend saw %+v, want %+v", got, want)
			}
		})
	}
}

// checkRouted sends method path to base and checks that wantBackend got it
// as sent, or, when wantBackend is empty, that the gateway answered itself
// with wantStatus and the problem wantProblem.
func checkRouted(t *testing.T, base, method, path string, wantStatus int, wantBackend, wantProblem string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := do(t, req)
	if resp.StatusCode != wantStatus {
		t.Fatalf("status = %d, want %d", resp.StatusCode, wantStatus)
	}
	if wantProblem != "" {
		if p := decodeProblem(t, resp); p.Code != wantProblem {
			t.Errorf("problem code = %q, want %q", p.Code, wantProblem)
		}
		return
	}
	if method == http.MethodHead { // no body to tell
		if got := resp.Header.Get("X-Backend"); got != wantBackend {
			t.Errorf("backend = %q, want %q", got, wantBackend)
		}
		return
	}
	var got echoed
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	p, query, _ := strings.Cut(path, "?")
	want := echoed{Backend: wantBackend, Method: method, Path: p, Query: query, XFF: "127.0.0.1", Proto: "http"}
	if got != want {
		t.Errorf("backend saw %+v, want %+v", got, want)
	}
}

// The web app's rule takes what no other rule does, with Gateway API
// precedence, except under /api/, where the gateway answers no_route; the
// gateway's own endpoints stay its own.
func TestGatewaySiteRule(t *testing.T) {
	spec := []byte(`{"openapi":"3.1.0","info":{"title":"Ghiseu","version":"1"}}`)
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "fallback") })
	base := startGatewayWith(t, routesYAML+siteYAML, GatewayOptions{OpenAPI: spec, Fallback: fallback})
	tests := []struct {
		method, path string
		wantStatus   int
		wantBackend  string
		wantProblem  string
	}{
		{"GET", "/", 200, "web", ""},
		{"GET", "/cereri/123?tab=istoric", 200, "web", ""},
		{"GET", "/birou/registratura", 200, "web", ""},
		{"GET", "/assets/index-B1a2c3.js", 200, "web", ""},
		{"HEAD", "/favicon.svg", 200, "web", ""},
		{"POST", "/", 200, "web", ""},            // web answers 405 itself
		{"GET", "/apix", 200, "web", ""},         // not under /api/
		{"GET", "/healthz/deep", 200, "web", ""}, // only /healthz itself is the gateway's
		// The longer, exact and regular-expression matches still win.
		{"POST", "/api/requests", 200, "submit-request", ""},
		{"GET", "/api/requests/search?q=x", 200, "search-requests", ""},
		{"GET", "/api/requests/42/documents", 200, "register-document", ""},
		{"GET", "/api/documents", 200, "register-document", ""},
		// Under /api/ the catch-all does not apply.
		{"GET", "/api/unknown", 404, "", codeNoRoute},
		{"POST", "/api/unknown/deep", 404, "", codeNoRoute},
		{"GET", "/api/documents/7", 404, "", codeNoRoute},
		{"GET", "/api", 404, "", codeNoRoute},
		{"GET", "/api/", 404, "", codeNoRoute},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			checkRouted(t, base, tt.method, tt.path, tt.wantStatus, tt.wantBackend, tt.wantProblem)
		})
	}

	// The gateway's own answers, not web's.
	for path, want := range map[string]string{
		"/api/openapi.json": string(spec),
		"/healthz":          `{"status":"ok"}` + "\n",
		"/readyz":           `{"status":"ready","functions":{}}` + "\n",
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, resp.StatusCode, body, want)
		}
	}
}

// The routes of k8s/base, as make run loads them: every HTTP function's
// paths reach it, the rest reaches web, and unknown API paths are the
// gateway's 404.
func TestGatewayBaseRoutes(t *testing.T) {
	m, err := Load(filepath.Join("..", "..", "k8s", "base"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGateway(m.HTTPRoutes, GatewayOptions{Logger: testLogger(t), Resolver: func(ref Ref) (string, error) {
		return newEchoBackend(t, ref.Name).URL, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	const inst = "/api/institutions/0b6f1a4e-2f53-4c8e-9d0a-3f0a9c1e7b21"
	tests := []struct {
		method, path string
		wantStatus   int
		wantBackend  string
		wantProblem  string
	}{
		{"GET", "/", 200, "web", ""},
		{"GET", "/cereri/123", 200, "web", ""},
		{"GET", "/assets/index-B1a2c3.js", 200, "web", ""},
		{"POST", "/api/auth/sessions", 200, "auth", ""},
		{"GET", inst, 200, "institutions", ""},
		{"GET", inst + "/audit", 200, "audit-trail", ""},
		{"GET", inst + "/requests", 200, "handle-request", ""},
		{"POST", inst + "/requests", 200, "submit-request", ""},
		{"GET", inst + "/request-types", 200, "request-types", ""},
		{"GET", "/api/me/notifications", 200, "notify", ""},
		{"GET", "/api/unknown", 404, "", codeNoRoute},
		{"GET", "/api", 404, "", codeNoRoute},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			checkRouted(t, srv.URL, tt.method, tt.path, tt.wantStatus, tt.wantBackend, tt.wantProblem)
		})
	}
}

func TestGatewayOpenAPIHealthAndFallback(t *testing.T) {
	spec := []byte(`{"openapi":"3.1.0","info":{"title":"Ghiseu","version":"1"}}`)
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "frontend "+r.URL.Path) })
	base := startGateway(t, GatewayOptions{OpenAPI: spec, Fallback: fallback})
	tests := []struct {
		path, wantType, wantBody string
	}{
		{"/api/openapi.json", "application/json", string(spec)},
		{"/healthz", "application/json", `{"status":"ok"}` + "\n"},
		{"/registratura/cereri", "", "frontend /registratura/cereri"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(base + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || string(body) != tt.wantBody {
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, tt.wantBody)
			}
			if tt.wantType != "" && resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", resp.Header.Get("Content-Type"), tt.wantType)
			}
			if tt.wantType == "application/json" && resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", resp.Header.Get("X-Content-Type-Options"))
			}
		})
	}
}

func TestGatewayReadiness(t *testing.T) {
	var submitReady, notifyReady atomic.Bool
	submitReady.Store(true)
	base := startGateway(t, GatewayOptions{Functions: map[string]string{
		"submit-request": readyServer(t, &submitReady).URL,
		"notify":         readyServer(t, &notifyReady).URL,
	}})

	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status with notify unready = %d, want 503", resp.StatusCode)
	}
	p := decodeProblem(t, resp)
	if p.Code != codeNotReady || !strings.Contains(p.Detail, "notify") || strings.Contains(p.Detail, "submit-request") {
		t.Errorf("problem = %+v, want not_ready naming only notify", p)
	}
	if p.Functions["submit-request"] != "ready" || !strings.Contains(p.Functions["notify"], "503") {
		t.Errorf("functions = %v, want submit-request ready and notify's 503", p.Functions)
	}

	notifyReady.Store(true)
	resp, err = http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ready readiness
	if err := json.NewDecoder(resp.Body).Decode(&ready); err != nil {
		t.Fatal(err)
	}
	want := readiness{Status: "ready", Functions: map[string]string{"submit-request": "ready", "notify": "ready"}}
	if resp.StatusCode != http.StatusOK || ready.Status != want.Status || fmt.Sprint(ready.Functions) != fmt.Sprint(want.Functions) {
		t.Errorf("got %d %+v, want 200 %+v", resp.StatusCode, ready, want)
	}
}

func TestGatewayUnresolvableBackend(t *testing.T) {
	routes := writeManifests(t, routesYAML).HTTPRoutes
	_, err := NewGateway(routes, GatewayOptions{Resolver: func(ref Ref) (string, error) {
		return "", fmt.Errorf("not running")
	}})
	if err == nil || !strings.Contains(err.Error(), `HTTPRoute "requests"`) || !strings.Contains(err.Error(), "not running") {
		t.Fatalf("error = %v, want one naming the route and the cause", err)
	}
}
