package httpapi

import (
	"encoding/json"
	"mime"
	"net/http"
)

// MergePatchType is the media type of a JSON merge patch (RFC 7396).
const MergePatchType = "application/merge-patch+json"

// DecodeMergePatch reads a JSON merge patch (RFC 7396) into v, whose
// members are Patch fields, strictly as DecodeJSON reads JSON: unknown
// members are refused. application/json is taken too, with the same
// meaning. It answers a malformed body itself and reports whether v is ready.
func DecodeMergePatch(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || (mt != MergePatchType && mt != "application/json") {
		WriteProblem(w, Problem{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Detail: "send " + MergePatchType + " (or application/json, read the same way)"})
		return false
	}
	return decodeStrict(w, r, v)
}

// Patch is a member of a JSON merge patch: absent keeps the resource's
// value, null removes it, anything else replaces it. A resource that is
// patched field by field with it keeps what the patch does not name.
type Patch[T any] struct {
	Set   bool // the member is in the patch
	Null  bool // ... and is null
	Value T
}

// UnmarshalJSON records that the member was sent (encoding/json calls it
// for null too, since Patch is not a pointer).
func (p *Patch[T]) UnmarshalJSON(b []byte) error {
	p.Set = true
	if string(b) == "null" {
		p.Null = true
		return nil
	}
	return json.Unmarshal(b, &p.Value)
}

// Apply returns the patched value of a member whose current value is cur,
// and whose removal leaves zero.
func (p Patch[T]) Apply(cur T) T {
	switch {
	case !p.Set:
		return cur
	case p.Null:
		var zero T
		return zero
	}
	return p.Value
}
