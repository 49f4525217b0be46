package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/httpapi"
)

type signUpRequest struct {
	Kind    int    `json:"kind"`
	Name    string `json:"name"`
	Contact struct {
		Phones []string `json:"phones"`
	} `json:"contact"`
	Office uuid.UUID `json:"office"`
}

func signUpServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req signUpRequest
		if !httpapi.DecodeJSON(w, r, &req) {
			return
		}
		httpapi.WriteJSON(w, http.StatusCreated, req)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A malformed body is answered in the client's terms: the JSON field and
// the JSON type it must have, never the Go types behind them.
func TestDecodeJSONNamesFieldsNotGoTypes(t *testing.T) {
	srv := signUpServer(t)
	tests := []struct {
		name, body string
		wantDetail []string
	}{
		{"string for a number", `{"kind":"citizen"}`, []string{`"kind"`, "a whole number", "a string"}},
		{"fraction for a whole number", `{"kind":1.5}`, []string{`"kind"`, "a whole number", "a number"}},
		{"nested field", `{"contact":{"phones":[7]}}`, []string{`"contact.phones"`, "a string", "a number"}},
		{"number for an identifier", `{"office":3}`, []string{`"office"`, "a string"}},
		{"array for the object", `[1]`, []string{"the body must be an object", "an array"}},
		{"unknown field", `{"kinds":1}`, []string{`unknown field "kinds"`}},
		{"syntax", `{"kind" 1}`, []string{"not valid JSON", "at byte"}},
		{"cut short", `{"kind":`, []string{"ends before"}},
		{"empty", ``, []string{"empty"}},
	}
	goNames := []string{"Go ", "struct", "signUpRequest", "uuid.UUID", " int", "json:"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL, "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
			var p httpapi.Problem
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
			if p.Code != "malformed_json" {
				t.Errorf("code = %q, want malformed_json", p.Code)
			}
			for _, want := range tt.wantDetail {
				if !strings.Contains(p.Detail, want) {
					t.Errorf("detail %q does not contain %q", p.Detail, want)
				}
			}
			for _, goName := range goNames {
				if strings.Contains(p.Detail, goName) {
					t.Errorf("detail %q names a Go type (%q)", p.Detail, goName)
				}
			}
		})
	}
}

func TestJSONAndProblemAnswersAreNotSniffed(t *testing.T) {
	srv := signUpServer(t)
	tests := []struct {
		name, contentType, body string
		wantStatus              int
	}{
		{"JSON answer", "application/json", `{"kind":1}`, http.StatusCreated},
		{"problem answer", "application/json", `{"kind":"x"}`, http.StatusBadRequest},
		{"problem for a wrong media type", "text/plain", `{}`, http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL, tt.contentType, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}
