package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"0722 123 456", "+40722123456"},
		{"0722-123-456", "+40722123456"},
		{"+40 722 123 456", "+40722123456"},
		{"0040722123456", "+40722123456"},
		{"(0256) 352.100", "+40256352100"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"", ""},
		{"722123456", ""},        // no way to tell the country
		{"0722 123 45", ""},      // a digit short
		{"+40 722 123 4567", ""}, // a digit too many for Romania
		{"0722 123 456 int. 3", ""},
		{"+0722123456", ""},
		{"07221234567890123", ""},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if tt.want == "" {
			if !errors.Is(err, ErrInvalidNumber) || !IsPermanent(err) {
				t.Errorf("Normalize(%q) = %q, %v; want ErrInvalidNumber", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestMaskAndPlain(t *testing.T) {
	if got := Mask("+40722123456"); got != "+40 7** *** 456" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("+40"); strings.Contains(got, "40") {
		t.Errorf("Mask of a short number = %q", got)
	}
	if got := Plain("Primăria Țării: cererea „Petiție” înregistrată, ştiţi\n"); got != `Primaria Tarii: cererea "Petitie" inregistrata, stiti ` {
		t.Errorf("Plain = %q", got)
	}
}

// The log provider logs the masked number and never the text.
func TestLogProvider(t *testing.T) {
	var buf bytes.Buffer
	s, err := New(ProviderConfig{Provider: "log"}, slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), Message{To: "+40722123456", Text: "Cererea nr. 12 a fost respinsă", Key: "k1"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "+40 7** *** 456") || strings.Contains(out, "722123456") || strings.Contains(out, "respinsă") {
		t.Fatalf("log line %s: want the masked number and no text", out)
	}
}

func TestConfig(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for _, bad := range []ProviderConfig{{Provider: "carrier-pigeon"}, {Provider: "http"}, {Provider: "http", URL: "ftp://x", Token: "t"},
		{Provider: "http", URL: "https://sms.example.ro/send"}} {
		if _, err := New(bad, log); err == nil {
			t.Errorf("New(%+v) succeeded", bad)
		}
	}
	if s, err := New(ProviderConfig{Provider: "http", URL: "https://sms.example.ro/send", Token: "t"}, log); err != nil || s == nil {
		t.Errorf("a valid http config: %v", err)
	}
}

// The HTTP provider posts {to, text} with the bearer token and the key; the
// provider's status decides between sent, refused for good, and try again.
// The provider is a test server: the real one is outside the local stack.
func TestHTTPProvider(t *testing.T) {
	type received struct {
		auth, key, contentType string
		body                   map[string]string
	}
	var mu sync.Mutex
	var got []received
	status := http.StatusAccepted
	var hang chan struct{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]string
		_ = json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		got = append(got, received{r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key"), r.Header.Get("Content-Type"), b})
		s, h := status, hang
		mu.Unlock()
		if h != nil {
			select {
			case <-h:
			case <-r.Context().Done():
			}
		}
		// Providers echo the number in their answers; it must not reach the error.
		w.WriteHeader(s)
		_, _ = w.Write([]byte(`{"to":"+40722123456","error":"whatever"}`))
	}))
	defer srv.Close()
	s, err := NewHTTP(srv.URL+"/v1/messages", "secret-token")
	if err != nil {
		t.Fatal(err)
	}
	m := Message{To: "+40722123456", Text: "Cererea nr. 12 a fost înregistrată.", Key: "notify-42"}

	tests := []struct {
		name      string
		status    int
		wantErr   bool
		permanent bool
	}{
		{"accepted", http.StatusAccepted, false, false},
		{"ok", http.StatusOK, false, false},
		{"bad request", http.StatusBadRequest, true, true},
		{"unauthorized", http.StatusUnauthorized, true, true},
		{"unprocessable", http.StatusUnprocessableEntity, true, true},
		{"too many requests", http.StatusTooManyRequests, true, false},
		{"request timeout", http.StatusRequestTimeout, true, false},
		{"server error", http.StatusInternalServerError, true, false},
		{"unavailable", http.StatusServiceUnavailable, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			status, got = tt.status, nil
			mu.Unlock()
			err := s.Send(context.Background(), m)
			if (err != nil) != tt.wantErr || IsPermanent(err) != tt.permanent {
				t.Fatalf("Send = %v (permanent %v); want error %v, permanent %v", err, IsPermanent(err), tt.wantErr, tt.permanent)
			}
			if err != nil && (strings.Contains(err.Error(), "722123456") || strings.Contains(err.Error(), "înregistrată")) {
				t.Errorf("the error holds the number or the text: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 {
				t.Fatalf("%d requests, want 1", len(got))
			}
			r := got[0]
			if r.auth != "Bearer secret-token" || r.key != "notify-42" || r.contentType != "application/json" ||
				r.body["to"] != m.To || r.body["text"] != m.Text || len(r.body) != 2 {
				t.Errorf("request %+v", r)
			}
		})
	}

	t.Run("a provider that does not answer in time may pass", func(t *testing.T) {
		mu.Lock()
		status, hang = http.StatusOK, make(chan struct{})
		mu.Unlock()
		defer close(hang)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		err := s.Send(ctx, m)
		if err == nil || IsPermanent(err) {
			t.Fatalf("Send = %v, want a transient error", err)
		}
	})
	t.Run("a provider that is down may pass", func(t *testing.T) {
		down, err := NewHTTP("http://127.0.0.1:1/send", "t")
		if err != nil {
			t.Fatal(err)
		}
		if err := down.Send(context.Background(), m); err == nil || IsPermanent(err) {
			t.Fatalf("Send = %v, want a transient error", err)
		}
	})
}
