package requests_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/blob/blobtest"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/requests"
)

// UploadParts takes exactly the declared files, in order, each through
// its own store, and names the one at fault.
func TestUploadPartsTakesTheDeclaredFiles(t *testing.T) {
	ctx := context.Background()
	b := blobtest.New(t)
	bucket := blobtest.Bucket(t, b, "requests")
	pdfOnly := &documents.Store{Blob: b, Bucket: bucket, MediaTypes: []string{"application/pdf"}}
	anything := &documents.Store{Blob: b, Bucket: bucket}
	pdf := []byte("%PDF-1.4\n" + strings.Repeat("x", 100) + "\n%%EOF\n")
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 64)...)
	declared := []requests.Declared{{Kind: "plan", Title: "Plan", Store: pdfOnly}, {Kind: "poze", Store: anything}}
	field := func(i int) string { return fmt.Sprintf("attachments[%d]", i) }
	for _, tc := range []struct {
		name      string
		parts     [][2]string // form name, content
		wantField string
		wantErr   error
	}{
		{"both", [][2]string{{"file", string(pdf)}, {"file", string(png)}}, "", nil},
		{"one missing", [][2]string{{"file", string(pdf)}}, "attachments[1]", requests.ErrMissingPart},
		{"one too many", [][2]string{{"file", string(pdf)}, {"file", string(png)}, {"file", string(png)}}, "attachments[2]", requests.ErrUndeclaredPart},
		{"another part", [][2]string{{"note", "x"}}, "attachments[0]", requests.ErrUndeclaredPart},
		{"a type its kind refuses", [][2]string{{"file", string(png)}, {"file", string(png)}}, "attachments[0]", documents.ErrForbiddenType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for i, p := range tc.parts {
				w, err := mw.CreateFormFile(p[0], fmt.Sprintf("f%d.bin", i))
				if err != nil {
					t.Fatal(err)
				}
				w.Write([]byte(p[1]))
			}
			mw.Close()
			files, err := requests.UploadParts(ctx, uuid.New(), multipart.NewReader(&body, mw.Boundary()), declared, field)
			var refused *requests.UploadError
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("UploadParts: %v", err)
			case tc.wantErr == nil:
				if len(files) != 2 || files[0].Title != "Plan" || files[1].Title != "f1.bin" || files[1].MediaType != "image/png" {
					t.Errorf("files %+v", files)
				}
			case !errors.As(err, &refused) || refused.Field != tc.wantField || !errors.Is(err, tc.wantErr):
				t.Errorf("UploadParts: %v, want %v on %s", err, tc.wantErr, tc.wantField)
			}
		})
	}
}
