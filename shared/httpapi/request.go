package httpapi

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// PathID reads a path wildcard as a UUID; a malformed one is answered 404,
// like an unknown one, and ok is false.
func PathID(w http.ResponseWriter, r *http.Request, wildcard string) (id uuid.UUID, ok bool) {
	id, err := uuid.Parse(r.PathValue(wildcard))
	if err != nil {
		NotFound(w)
		return uuid.Nil, false
	}
	return id, true
}

// NotFound answers 404 for a resource that does not exist or that the
// caller may not know of.
func NotFound(w http.ResponseWriter) {
	WriteProblem(w, Problem{Status: http.StatusNotFound, Code: "not_found", Detail: "no such resource"})
}

// Conflict answers 409 with a stable code.
func Conflict(w http.ResponseWriter, code, detail string) {
	WriteProblem(w, Problem{Status: http.StatusConflict, Code: code, Detail: detail})
}

// RequireIfMatch returns the If-Match header, answering 428 when there is
// none: an update must say which version it was made from, or two people
// editing at once would silently overwrite each other.
func RequireIfMatch(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := r.Header.Get("If-Match")
	if h == "" {
		WriteProblem(w, Problem{Status: http.StatusPreconditionRequired, Code: "precondition_required",
			Detail: "send If-Match with the ETag of your last read"})
		return "", false
	}
	return h, true
}

// IfMatch applies an If-Match header to the current entity tag (RFC 9110
// 13.1.1): "*" or a list of tags compared strongly, so a weak tag never
// matches.
func IfMatch(header, current string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || tag == current {
			return true
		}
	}
	return false
}

// PreconditionFailed answers 412: the If-Match names a version that is no
// longer current.
func PreconditionFailed(w http.ResponseWriter) {
	WriteProblem(w, Problem{Status: http.StatusPreconditionFailed, Code: "precondition_failed",
		Detail: "it was changed since you read it: read it again and redo your change"})
}
