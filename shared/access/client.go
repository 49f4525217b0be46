package access

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/ghiseu/ghiseu/shared/audit"
)

// ClientIP is the caller's address as the gateway saw it. The gateway
// appends it to X-Forwarded-For, so the last entry is the one no client
// can forge; without the header, or when its last entry is not an address,
// it is the connection's peer. It is always an address or "", so it can go
// into throttle keys and the audit trail as it is.
func ClientIP(r *http.Request) string {
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		parts := strings.Split(xff, ",")
		if a, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
			return a.WithZone("").String()
		}
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return ""
	}
	return ap.Addr().WithZone("").String()
}

// AuditActor is how the audit trail names an account of kind k.
func (k Kind) AuditActor() string {
	switch k {
	case Staff:
		return audit.ActorStaff
	case Machine:
		return audit.ActorMachine
	}
	return audit.ActorCitizen
}
