package devbroker

import (
	"encoding/json"
	"net/http"
)

// Problem codes: stable strings clients and tests may switch on.
const (
	codeInvalidEvent       = "invalid_event"
	codeUnknownBroker      = "unknown_broker"
	codeMethodNotAllowed   = "method_not_allowed"
	codeQueueFull          = "queue_full"
	codeShuttingDown       = "shutting_down"
	codeNoRoute            = "no_route"
	codeNotFound           = "not_found"
	codeBackendUnreachable = "backend_unreachable"
	codeNotReady           = "not_ready"
)

// problem is an RFC 9457 problem details body. The type is about:blank
// (the title is then the status phrase); the stable code says what happened.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	// Functions is the readiness of each function (gateway /readyz only).
	Functions map[string]string `json:"functions,omitempty"`
}

func newProblem(status int, code, detail string) problem {
	return problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Code: code}
}

func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	newProblem(status, code, detail).write(w)
}

func (p problem) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
