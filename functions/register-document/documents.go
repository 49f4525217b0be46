package main

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// singleUpload reads a request that carries one file: multipart/form-data
// with an optional "title" part and then a "file" part, streamed to storage.
func (s *server) singleUpload(w http.ResponseWriter, r *http.Request, inst uuid.UUID) (documents.Uploaded, string, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Detail: `send multipart/form-data with a "file" part (and optionally a "title" part before it)`})
		return documents.Uploaded{}, "", false
	}
	parts, err := r.MultipartReader()
	if err != nil {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "malformed_multipart", Detail: err.Error()})
		return documents.Uploaded{}, "", false
	}
	title := ""
	for {
		part, err := parts.NextPart()
		if err != nil {
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "malformed_multipart",
				Detail: `the request has no "file" part`})
			return documents.Uploaded{}, "", false
		}
		switch part.FormName() {
		case "title":
			b, err := io.ReadAll(io.LimitReader(part, 2001))
			if err != nil {
				uploadRefusal(w, fmt.Errorf("%w: %w", httpapi.ErrTruncated, err))
				return documents.Uploaded{}, "", false
			}
			title = strings.TrimSpace(string(b))
			if errs := text("title", title, 500, false); len(errs) > 0 {
				httpapi.Invalid(w, errs)
				return documents.Uploaded{}, "", false
			}
		case "file":
			up, err := s.docs.Upload(r.Context(), inst, &httpapi.TruncationReader{R: part}, httpapi.DeclaredFileName(part))
			if err != nil {
				if !uploadRefusal(w, err) {
					s.refuse(w, "upload", err)
				}
				return documents.Uploaded{}, "", false
			}
			if title == "" {
				title = up.OriginalName
			}
			return up, title, true
		default:
			httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field(part.FormName(), "part.unexpected",
				"Parte neașteptată în cerere.", `Unexpected part: send "title" and then "file".`)})
			return documents.Uploaded{}, "", false
		}
	}
}

// addDocument adds a document (a scan, an annex) to an entry.
func (s *server) addDocument(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	// Check the entry before taking any byte.
	if err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		_, _, err := loadEntry(ctx, tx, inst, id)
		return err
	}); err != nil {
		s.refuse(w, "add document", err)
		return
	}
	up, title, ok := s.singleUpload(w, r, inst)
	if !ok {
		return
	}
	by := actorOf(ctx, r)
	var view entryJSON
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		e, reg, err := loadEntry(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		d, err := documents.Create(ctx, tx, documents.Document{Institution: inst, Entry: id, Title: title, CreatedBy: by.id})
		if err != nil {
			return err
		}
		v, err := documents.Attach(ctx, tx, d.ID, up, by.id)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, by, inst, "document.create", "document", d.ID, nil, versionAudit(d, v), ""); err != nil {
			return err
		}
		docs, err := documents.OfEntry(ctx, tx, inst, id)
		view = entryView(e, reg, docs)
		return err
	})
	if err != nil {
		s.refuse(w, "add document", err)
		return
	}
	w.Header().Set("Location", entryPath(registry.Entry{Institution: inst, ID: id}))
	httpapi.WriteJSON(w, http.StatusCreated, view)
}

// addVersion adds a version to a document; earlier versions stay as they are.
func (s *server) addVersion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	docID, ok := httpapi.PathID(w, r, "document")
	if !ok {
		return
	}
	if err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := documentOfEntry(ctx, tx, inst, id, docID)
		return err
	}); err != nil {
		s.refuse(w, "add version", err)
		return
	}
	up, _, ok := s.singleUpload(w, r, inst)
	if !ok {
		return
	}
	by := actorOf(ctx, r)
	var view entryJSON
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		d, err := documentOfEntry(ctx, tx, inst, id, docID)
		if err != nil {
			return err
		}
		v, err := documents.Attach(ctx, tx, docID, up, by.id)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, by, inst, "document.version.create", "document", docID, nil, versionAudit(d.Document, v), ""); err != nil {
			return err
		}
		e, reg, err := loadEntry(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		docs, err := documents.OfEntry(ctx, tx, inst, id)
		view = entryView(e, reg, docs)
		return err
	})
	if err != nil {
		s.refuse(w, "add version", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, view)
}

// documentOfEntry finds a document of an entry the caller may see.
func documentOfEntry(ctx context.Context, tx pgx.Tx, inst, entry, doc uuid.UUID) (documents.Filed, error) {
	if _, _, err := loadEntry(ctx, tx, inst, entry); err != nil {
		return documents.Filed{}, err
	}
	docs, err := documents.OfEntry(ctx, tx, inst, entry)
	if err != nil {
		return documents.Filed{}, err
	}
	for _, d := range docs {
		if d.ID == doc {
			return d, nil
		}
	}
	return documents.Filed{}, documents.ErrNotFound
}

func versionAudit(d documents.Document, v documents.Version) map[string]any {
	return map[string]any{"entryId": d.Entry, "documentId": d.ID, "title": d.Title, "version": v.Version,
		"sha256": v.SHA256, "size": v.Size, "mediaType": v.MediaType, "name": v.OriginalName}
}

// download serves a version's bytes. Permission is checked on every
// download and every download is in the audit trail, committed before the
// first byte goes out.
func (s *server) download(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	docID, ok := httpapi.PathID(w, r, "document")
	if !ok {
		return
	}
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || version < 1 {
		httpapi.NotFound(w)
		return
	}
	by := actorOf(ctx, r)
	var v documents.Version
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		d, err := documentOfEntry(ctx, tx, inst, id, docID)
		if err != nil {
			return err
		}
		if v, err = documents.GetVersion(ctx, tx, inst, docID, version); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, inst, "document.download", "document", docID, nil, versionAudit(d.Document, v), "")
	})
	if err != nil {
		s.refuse(w, "download", err)
		return
	}
	body, err := s.docs.OpenVersion(ctx, v)
	if err != nil {
		s.refuse(w, "download", err)
		return
	}
	defer body.Close()
	h := w.Header()
	h.Set("Content-Type", v.MediaType)
	h.Set("Content-Length", strconv.FormatInt(v.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": v.OriginalName}))
	h.Set("ETag", `"`+v.SHA256+`"`)
	h.Set("Cache-Control", "private, no-store")
	// The bytes are the client's: never let a browser guess another type.
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, body); err != nil {
		// Too late for a problem: the status is sent. The client sees a
		// short body against Content-Length.
		s.log.Warn("download interrupted", "document", docID.String(), "version", version, "error", err.Error())
	}
}
