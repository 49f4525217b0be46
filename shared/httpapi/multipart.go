package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
)

// ReadJSONPart reads the first part of a multipart body, the JSON named
// name, strictly; it answers a malformed one itself and reports whether v
// is ready. Files follow it as other parts.
func ReadJSONPart(w http.ResponseWriter, parts *multipart.Reader, name string, v any) bool {
	part, err := parts.NextPart()
	if err != nil || part.FormName() != name {
		WriteProblem(w, Problem{Status: http.StatusBadRequest, Code: "malformed_multipart",
			Detail: fmt.Sprintf(`the first part must be %q, the JSON; the files follow as "file" parts`, name)})
		return false
	}
	dec := json.NewDecoder(io.LimitReader(part, MaxJSONBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		WriteProblem(w, Problem{Status: http.StatusBadRequest, Code: "malformed_json", Detail: name + ": " + decodeErrorDetail(err)})
		return false
	}
	return true
}

// DeclaredFileName is a part's file name exactly as the client sent it:
// Part.FileName keeps only its base name, which would hide a hostile path
// from the checks of the documents store.
func DeclaredFileName(part *multipart.Part) string {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil {
		return part.FileName()
	}
	return params["filename"]
}

// ErrTruncated: a part ended before its boundary (the client went away, or
// sent a broken body); the client's fault, not ours.
var ErrTruncated = errors.New("the upload ended before the file did")

// TruncationReader reads a part and marks its breaking off as ErrTruncated.
type TruncationReader struct{ R io.Reader }

func (t *TruncationReader) Read(p []byte) (int, error) {
	n, err := t.R.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, fmt.Errorf("%w: %w", ErrTruncated, err)
	}
	return n, err
}
