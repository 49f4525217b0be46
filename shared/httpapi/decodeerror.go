package httpapi

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// decodeErrorDetail says what is wrong with a JSON body in the client's
// terms: the JSON field and the JSON type expected, never the Go types the
// body is decoded into (encoding/json's messages name them, e.g. "Go struct
// field signUpRequest.kind of type int").
func decodeErrorDetail(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &typeErr):
		got := jsonValueKind(typeErr.Value)
		want := expectedJSONType(typeErr.Type)
		if typeErr.Field == "" {
			return fmt.Sprintf("the body must be %s, not %s", want, got)
		}
		return fmt.Sprintf("field %q must be %s, not %s", typeErr.Field, want, got)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("the body is not valid JSON (at byte %d): %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.As(err, &timeErr):
		return fmt.Sprintf("%q is not a date-time in RFC 3339 form (2006-01-02T15:04:05Z)", timeErr.Value)
	case errors.Is(err, io.EOF):
		return "the body is empty; send a JSON value"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body ends before its JSON value does"
	}
	// The decoder's other messages ("json: unknown field \"x\"") and those of
	// the values' own parsers (UUIDs) name no Go type.
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonValueKind names the JSON value the decoder met ("string", "number 1.5").
func jsonValueKind(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	switch kind {
	case "string", "number":
		return "a " + kind
	case "array", "object":
		return "an " + kind
	case "bool":
		return "true or false"
	}
	return "a value of another type"
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// expectedJSONType names the JSON type that decodes into t.
func expectedJSONType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) || t.Implements(textUnmarshaler) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return expectedJSONType(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another type"
}
