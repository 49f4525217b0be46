package requests

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"strings"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// Declared is a file a request body announces before its bytes follow.
type Declared struct {
	Kind  string
	Title string
	// Store is the documents store narrowed to what the file may be.
	Store *documents.Store
	// Size is the size declared, in bytes; the bytes sent must be exactly
	// as many (documents.ErrSizeMismatch). Zero: none declared.
	Size int64
}

// UploadError is a file part refused: field names it ("attachments[1]").
type UploadError struct {
	Field string
	Err   error
}

func (e *UploadError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *UploadError) Unwrap() error { return e.Err }

// Refusals of UploadParts besides those of documents.Store.Upload.
var (
	ErrUndeclaredPart = errors.New(`a part that is not a declared file: declare each file, then send it as a "file" part`)
	ErrMissingPart    = errors.New("a declared file was not sent")
)

// UploadParts streams the "file" parts that follow in parts, one per
// declared file and in order, each through its store, outside any
// transaction. field names the i-th file in errors. A stream that breaks
// off is httpapi.ErrTruncated. When a file is refused, what the files
// before it stored is discarded (documents.Store.Discard).
func UploadParts(ctx context.Context, inst uuid.UUID, parts *multipart.Reader, declared []Declared, field func(i int) string) ([]File, error) {
	files, stored, err := uploadParts(ctx, inst, parts, declared, field)
	if err != nil && len(stored) > 0 {
		// A refused request stores nothing: what its earlier files stored
		// goes (a failed delete is left to the fixity job's orphans).
		_ = declared[0].Store.Discard(context.WithoutCancel(ctx), stored)
	}
	return files, err
}

// uploadParts is UploadParts, returning also what it stored, even when it fails.
func uploadParts(ctx context.Context, inst uuid.UUID, parts *multipart.Reader, declared []Declared, field func(i int) string) ([]File, []documents.Uploaded, error) {
	var files []File
	var stored []documents.Uploaded
	for i := 0; ; i++ {
		part, err := parts.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, stored, fmt.Errorf("%w: %w", httpapi.ErrTruncated, err)
		}
		if part.FormName() != "file" || i >= len(declared) {
			return nil, stored, &UploadError{Field: field(i), Err: ErrUndeclaredPart}
		}
		d := declared[i]
		var body io.Reader = &httpapi.TruncationReader{R: part}
		sized := &documents.SizeChecker{R: body, Declared: d.Size}
		if d.Size > 0 {
			body = sized
		}
		up, err := d.Store.Upload(ctx, inst, body, httpapi.DeclaredFileName(part))
		if sized.Mismatch() {
			// Refused while streaming: the upload was aborted, nothing of it is stored.
			return nil, stored, &UploadError{Field: field(i), Err: fmt.Errorf("%w: %d bytes declared", documents.ErrSizeMismatch, d.Size)}
		}
		if err != nil {
			return nil, stored, &UploadError{Field: field(i), Err: err}
		}
		stored = append(stored, up)
		title := strings.TrimSpace(d.Title)
		if title == "" {
			title = up.OriginalName
		}
		files = append(files, File{Kind: d.Kind, Title: title, Name: up.OriginalName, SHA256: up.SHA256, Size: up.Size,
			MediaType: up.MediaType, ObjectKey: up.ObjectKey})
	}
	if len(files) < len(declared) {
		return nil, stored, &UploadError{Field: field(len(files)), Err: ErrMissingPart}
	}
	return files, stored, nil
}
