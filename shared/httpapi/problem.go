// Package httpapi holds what every HTTP function shares: RFC 9457 problem
// responses and the platform's OpenAPI document.
package httpapi

import (
	"encoding/json"
	"net/http"
)

// Problem is an RFC 9457 problem detail. Code is stable and meant for
// programs; Title and Detail are for people.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Code   string       `json:"code"`
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError names one field of the input and what is wrong with it, with
// a stable code for programs and the message in Romanian and in English.
type FieldError struct {
	Field     string `json:"field"`
	Code      string `json:"code"`
	Message   string `json:"message"`
	MessageEn string `json:"messageEn"`
}

// Field makes a FieldError.
func Field(field, code, ro, en string) FieldError {
	return FieldError{Field: field, Code: code, Message: ro, MessageEn: en}
}

// WriteProblem writes p as application/problem+json with p.Status.
func WriteProblem(w http.ResponseWriter, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
