package access_test

import (
	"net/http/httptest"
	"testing"

	"github.com/ghiseu/ghiseu/shared/access"
)

func TestClientIP(t *testing.T) {
	tests := []struct {
		name, remote, xff, want string
	}{
		{"no header: the peer", "203.0.113.5:4000", "", "203.0.113.5"},
		{"the gateway's entry is the last", "10.0.0.1:80", "6.6.6.6, 198.51.100.7", "198.51.100.7"},
		{"a forged first entry is ignored", "10.0.0.1:80", "1.2.3.4,198.51.100.7", "198.51.100.7"},
		{"garbage falls back to the peer", "203.0.113.5:4000", "not-an-address", "203.0.113.5"},
		{"IPv6 without zone", "[fe80::1%eth0]:80", "", "fe80::1"},
		{"nothing usable", "pipe", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := access.ClientIP(r); got != tt.want {
				t.Fatalf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}
