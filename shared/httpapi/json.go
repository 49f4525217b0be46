package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// MaxJSONBytes bounds a JSON request body.
const MaxJSONBytes = 64 << 10

// DecodeJSON reads r's body into v, strictly: unknown fields, trailing data,
// a wrong content type or an oversized body are the client's mistakes and
// are answered here with a problem naming them. It reports whether v is ready.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		WriteProblem(w, Problem{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Detail: "send application/json"})
		return false
	}
	return decodeStrict(w, r, v)
}

// decodeStrict decodes the body into v as DecodeJSON does, whatever its
// JSON media type.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxJSONBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			WriteProblem(w, Problem{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
				Detail: fmt.Sprintf("the body may be at most %d bytes", MaxJSONBytes)})
			return false
		}
		WriteProblem(w, Problem{Status: http.StatusBadRequest, Code: "malformed_json", Detail: decodeErrorDetail(err)})
		return false
	}
	return true
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Invalid answers 422 with per-field errors.
func Invalid(w http.ResponseWriter, errs []FieldError) {
	WriteProblem(w, Problem{Status: http.StatusUnprocessableEntity, Code: "invalid_input",
		Title: "Invalid input", Detail: "some fields are not valid", Errors: errs})
}
