package access_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

func TestRouterRefusesUndocumentedOrUnguardedRoutes(t *testing.T) {
	r, err := access.NewRouter(&access.Authenticator{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ok := func(http.ResponseWriter, *http.Request) {}
	tests := map[string]access.Route{
		"not in the OpenAPI document": {Pattern: "GET /api/secret", Rule: access.Public(), Handler: ok},
		"no rule":                     {Pattern: "GET /api/auth/me", Handler: ok},
		"no method":                   {Pattern: "/api/auth/me", Rule: access.SignedIn(), Handler: ok},
	}
	for name, route := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatalf("Handle(%s) was accepted", route.Pattern)
				}
			}()
			r.Handle(route)
		})
	}
}

// An unknown or revoked session is refused on a guarded route but taken as
// anonymous on a public one, so a browser with an expired cookie can still
// sign in.
func TestStaleSessionOnPublicAndGuardedRoutes(t *testing.T) {
	d := dbtest.New(t)
	r, err := access.NewRouter(&access.Authenticator{Pool: d.App}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	reached := func(w http.ResponseWriter, req *http.Request) {
		if access.FromContext(req.Context()) != nil {
			t.Error("a stale session became a principal")
		}
		w.WriteHeader(http.StatusTeapot)
	}
	r.Handle(access.Route{Pattern: "POST /api/auth/signin", Rule: access.Public(), Handler: reached})
	r.Handle(access.Route{Pattern: "GET /api/auth/me", Rule: access.SignedIn(), Handler: reached})
	tests := []struct {
		method, path string
		cookie       bool
		want         int
	}{
		{"POST", "/api/auth/signin", false, http.StatusTeapot},
		{"POST", "/api/auth/signin", true, http.StatusTeapot},
		{"GET", "/api/auth/me", false, http.StatusUnauthorized},
		{"GET", "/api/auth/me", true, http.StatusUnauthorized},
		{"GET", "/api/auth/nothing-here", false, http.StatusNotFound},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, nil)
		if tt.cookie {
			req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: "expired"})
		} else {
			req.Header.Set("Authorization", "Bearer expired")
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s %s (cookie %v) = %d, want %d", tt.method, tt.path, tt.cookie, rec.Code, tt.want)
		}
		if tt.cookie && rec.Header().Get("Set-Cookie") == "" {
			t.Errorf("%s %s: the stale cookie was not cleared", tt.method, tt.path)
		}
	}
}
