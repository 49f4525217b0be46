package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// Route is one HTTP route of a function with the rule that guards it. A
// route cannot be registered without a rule, nor without being in the
// platform's OpenAPI document.
type Route struct {
	// Pattern is a net/http pattern with a method, e.g.
	// "POST /api/institutions/{institution}/departments"; its path is the
	// OpenAPI path.
	Pattern string
	Rule    Rule
	// DuringSignIn lets a session that still owes its second factor (or
	// must set one up) through; every other route refuses it.
	DuringSignIn bool
	Handler      http.HandlerFunc
}

// Router serves a function's routes, checking each rule before its handler.
type Router struct {
	mux        *http.ServeMux
	auth       *Authenticator
	log        *slog.Logger
	documented map[string]bool // "METHOD path"
	crossSite  *http.CrossOriginProtection
}

// NewRouter returns a router authenticating through auth.
func NewRouter(auth *Authenticator, log *slog.Logger) (*Router, error) {
	documented, err := documentedOperations()
	if err != nil {
		return nil, err
	}
	r := &Router{mux: http.NewServeMux(), auth: auth, log: log, documented: documented,
		crossSite: http.NewCrossOriginProtection()}
	r.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusNotFound, Code: "not_found", Detail: "no such route"})
	})
	return r, nil
}

// Handle registers rt. It panics on a route without a rule or missing
// from the OpenAPI document: both are programming errors, found at start.
func (rt *Router) Handle(route Route) {
	if route.Rule.check == nil {
		panic(fmt.Sprintf("route %s has no access rule", route.Pattern))
	}
	method, path, ok := strings.Cut(route.Pattern, " ")
	if !ok || !rt.documented[method+" "+path] {
		panic(fmt.Sprintf("route %s is not in the OpenAPI document (shared/httpapi/openapi.json)", route.Pattern))
	}
	rt.mux.Handle(route.Pattern, rt.guard(route))
}

func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

func (rt *Router) guard(route Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, fromCookie := tokenFrom(r)
		// A cookie travels with any request the browser makes, so a request
		// it authenticates must come from our own pages; a bearer token is
		// only ever attached on purpose.
		if fromCookie {
			if err := rt.crossSite.Check(r); err != nil {
				httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusForbidden, Code: "cross_site_request",
					Detail: "cross-site request refused"})
				return
			}
		}
		var p *Principal
		if token != "" {
			var err error
			p, err = rt.auth.Authenticate(r.Context(), token)
			switch {
			case errors.Is(err, ErrNoSession):
				if fromCookie {
					ClearSessionCookie(w)
				}
				if !route.Rule.anonymousOK {
					unauthenticated(w, "the session is not valid: sign in again")
					return
				}
				p = nil
			case err != nil:
				rt.log.Error("authenticate", "error", err.Error())
				httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusServiceUnavailable, Code: "unavailable",
					Detail: "try again shortly"})
				return
			}
			if p != nil && (p.MFAPending || p.MFAMissing) && !route.DuringSignIn {
				httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusForbidden, Code: "second_factor_required",
					Detail: "finish signing in with the second factor"})
				return
			}
		}
		scope, err := route.Rule.check(p, r)
		switch {
		case errors.Is(err, ErrUnauthenticated):
			unauthenticated(w, "sign in first")
			return
		case errors.Is(err, ErrForbidden):
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusForbidden, Code: "forbidden",
				Detail: "you may not do this here"})
			return
		case errors.Is(err, ErrNotFound):
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusNotFound, Code: "not_found", Detail: err.Error()})
			return
		case err != nil:
			rt.log.Error("access rule", "route", route.Pattern, "error", err.Error())
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal"})
			return
		}
		ctx := WithPrincipal(r.Context(), p)
		ctx = context.WithValue(ctx, scopeKey{}, scope)
		route.Handler(w, r.WithContext(ctx))
	})
}

func unauthenticated(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="ghiseu"`)
	httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnauthorized, Code: "unauthenticated", Detail: detail})
}

type scopeKey struct{}

// Tx runs fn in a transaction with the scope the route's rule gave the
// request: row-level security holds the handler to it.
func Tx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	scope, ok := ctx.Value(scopeKey{}).(db.Scope)
	if !ok {
		return errors.New("access.Tx outside a guarded route")
	}
	return db.ScopedTx(ctx, pool, scope, fn)
}

// ScopeFromContext is the request's database scope.
func ScopeFromContext(ctx context.Context) db.Scope {
	s, _ := ctx.Value(scopeKey{}).(db.Scope)
	return s
}

// documentedOperations lists "METHOD path" for every operation of the
// OpenAPI document. Go's patterns and OpenAPI paths share the {name} syntax.
func documentedOperations() (map[string]bool, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		return nil, fmt.Errorf("OpenAPI document: %w", err)
	}
	ops := map[string]bool{}
	for path, item := range doc.Paths {
		for key := range item {
			switch method := strings.ToUpper(key); method {
			case "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE":
				ops[method+" "+path] = true
			}
		}
	}
	return ops, nil
}
