// Package documents keeps the documents of registry entries: their metadata,
// immutable versions and checksums in PostgreSQL, their bytes in S3,
// content-addressed by SHA-256 under the institution's prefix. All SQL of
// documents and document versions is here.
//
// An upload is streamed with bounded memory: only its head (up to 64 KiB) is
// held, to sniff the media type before anything is stored. The type is
// always sniffed from the bytes, never taken from the client, and only an
// allow-list of types is accepted.
package documents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/blob"
)

// DefaultMaxSize is the per-file size limit when Store.MaxSize is zero.
const DefaultMaxSize = 200 << 20

// Errors, usable with errors.Is.
var (
	// ErrTooLarge: the file is larger than the store's limit.
	ErrTooLarge = errors.New("document file too large")
	// ErrForbiddenType: the bytes are an executable or of a type not on the allow-list.
	ErrForbiddenType = errors.New("document file type not allowed")
	// ErrEmpty: the file has no bytes.
	ErrEmpty = errors.New("document file is empty")
	// ErrSizeMismatch: the bytes sent are more or fewer than the size the
	// client declared for them (see SizeChecker).
	ErrSizeMismatch = errors.New("document file size differs from the declared size")
	// ErrNotFound: no such document or version (in the transaction's institution).
	ErrNotFound = errors.New("no such document or version")
)

// Store adds and opens document versions. It is safe for concurrent use.
type Store struct {
	Blob   *blob.Store
	Bucket string
	// MaxSize is the largest file accepted, in bytes; zero means DefaultMaxSize.
	MaxSize int64
	// MediaTypes, when not empty, narrows the accepted types to these (a
	// request type's attachment kind accepts PDFs only, say). The type is
	// the one sniffed from the bytes, checked before anything is stored.
	MediaTypes []string
	// ExtractText, when set, returns the text of a PDF for search (see
	// package pdftext); it reads the stored object through ranged requests.
	ExtractText func(ctx context.Context, r io.ReaderAt, size int64) (string, error)
}

// New returns a Store on bucket with the default size limit.
func New(b *blob.Store, bucket string) *Store {
	return &Store{Blob: b, Bucket: bucket, MaxSize: DefaultMaxSize}
}

func (s *Store) maxSize() int64 {
	if s.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return s.MaxSize
}

// Document is a file attached to a registry entry, made of versions.
type Document struct {
	Institution uuid.UUID
	ID          uuid.UUID
	Entry       uuid.UUID
	Title       string
	CreatedAt   time.Time
	CreatedBy   uuid.UUID
}

// Version is one immutable version of a document.
type Version struct {
	Institution uuid.UUID
	Document    uuid.UUID
	Version     int // from 1
	SHA256      string
	Size        int64
	MediaType   string // sniffed from the bytes
	// OriginalName is the client's file name, sanitised (see SanitizeName).
	OriginalName string
	ObjectKey    string
	CreatedAt    time.Time
	CreatedBy    uuid.UUID
}

// Create adds a document (without versions) to a registry entry and returns
// it with its id (a new UUIDv7 when d.ID is zero) and creation time.
func Create(ctx context.Context, tx pgx.Tx, d Document) (Document, error) {
	if d.ID == uuid.Nil {
		var err error
		if d.ID, err = uuid.NewV7(); err != nil {
			return Document{}, fmt.Errorf("create document: %w", err)
		}
	}
	err := tx.QueryRow(ctx, `INSERT INTO document (institution_id, id, entry_id, title, created_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING created_at`,
		d.Institution, d.ID, d.Entry, d.Title, nilIfZero(d.CreatedBy)).Scan(&d.CreatedAt)
	if err != nil {
		return Document{}, fmt.Errorf("create document: %w", err)
	}
	return d, nil
}

// AddVersion uploads r (see Upload) and attaches it to document as its
// next version (see Attach), in tx. It keeps a database connection for the
// whole upload: a caller that holds locks, or registers an entry, should
// Upload first and Attach inside its transaction.
func (s *Store) AddVersion(ctx context.Context, tx pgx.Tx, institution, document uuid.UUID, r io.Reader, declaredName string, by uuid.UUID) (Version, error) {
	if err := documentExists(ctx, tx, institution, document, false); err != nil {
		return Version{}, fmt.Errorf("add version to document %s: %w", document, err)
	}
	u, err := s.Upload(ctx, institution, r, declaredName)
	if err != nil {
		return Version{}, fmt.Errorf("add version to document %s: %w", document, err)
	}
	return Attach(ctx, tx, document, u, by)
}

// Uploaded is a file stored in S3 and not yet a version of any document.
type Uploaded struct {
	Institution uuid.UUID
	SHA256      string
	Size        int64
	MediaType   string // sniffed from the bytes
	// OriginalName is the client's file name, sanitised (see SanitizeName).
	OriginalName string
	ObjectKey    string
	// Text is the file's text for search (PDFs, when Store.ExtractText is
	// set), capped; empty when there is none or it could not be read.
	Text string
	// Created: this upload stored the bytes, which were not stored before
	// (see Discard).
	Created bool
}

// Upload streams the bytes of r to S3 under the institution's prefix,
// content-addressed, outside any transaction, and returns what Attach needs.
// declaredName is the client's file name: it is sanitised and kept, but
// neither it nor any client-declared type decides the media type, which is
// sniffed from the bytes.
//
// Refusals, before anything is stored: ErrBadName (see CheckName),
// ErrEmpty, ErrForbiddenType (an executable, or a type not on the
// allow-list). ErrTooLarge is found while
// streaming; the multipart upload is then aborted, so nothing is stored.
// A reader that fails (a client that goes away mid-upload) aborts it too.
//
// An object stored by an upload that is never attached is NOT deleted here:
// content-addressed objects may be shared by other versions, committed or
// in flight, and this call cannot tell. Such orphans are left to the
// fixity/garbage-collection job, which removes objects that no
// document_version references after a grace period.
func (s *Store) Upload(ctx context.Context, institution uuid.UUID, r io.Reader, declaredName string) (Uploaded, error) {
	if err := CheckName(declaredName); err != nil {
		return Uploaded{}, fmt.Errorf("upload: %w", err)
	}
	limit := s.maxSize()
	lr := &limitedReader{r: r, remaining: limit, limit: limit}
	head, err := readHead(lr, headSize)
	if err != nil {
		return Uploaded{}, fmt.Errorf("upload: %w", err)
	}
	if len(head) == 0 {
		return Uploaded{}, fmt.Errorf("upload: %w", ErrEmpty)
	}
	mediaType, err := Sniff(head)
	if err != nil {
		return Uploaded{}, fmt.Errorf("upload: %w", err)
	}
	// The narrowed types name no parameters ("text/plain" takes
	// "text/plain; charset=utf-8").
	if base, _, _ := mime.ParseMediaType(mediaType); len(s.MediaTypes) > 0 && !slices.Contains(s.MediaTypes, base) {
		return Uploaded{}, fmt.Errorf("upload: %w: %s is not one of %s", ErrForbiddenType, mediaType, strings.Join(s.MediaTypes, ", "))
	}
	body := io.MultiReader(&byteReader{b: head}, lr)
	obj, err := s.Blob.PutContentAddressed(ctx, s.Bucket, institution.String(), body, mediaType)
	if err != nil {
		// The limit error travels through the S3 SDK; make sure it is recognisable.
		if errors.Is(err, ErrTooLarge) || lr.exceeded {
			return Uploaded{}, fmt.Errorf("upload: %w (limit %d bytes)", ErrTooLarge, limit)
		}
		return Uploaded{}, fmt.Errorf("upload: %w", err)
	}
	u := Uploaded{Institution: institution, SHA256: obj.SHA256, Size: obj.Size, MediaType: mediaType,
		OriginalName: SanitizeName(declaredName), ObjectKey: obj.Key, Created: obj.Created}
	u.Text = s.extract(ctx, u)
	return u, nil
}

// Discard deletes what uploads of one refused request stored, when it was
// refused before anything referenced them: only objects those uploads
// created (bytes already stored belong to others too). An object that
// cannot be deleted is left to the fixity job's orphan listing, which
// removes unreferenced objects after a grace period.
//
// The one case it cannot see is another upload of the very same bytes
// that found the object in the moment between its creation here and this
// delete; that upload's reference then names a missing object, which the
// fixity check reports.
func (s *Store) Discard(ctx context.Context, uploads []Uploaded) error {
	var errs []error
	for _, u := range uploads {
		if !u.Created {
			continue
		}
		if err := s.Blob.Delete(ctx, s.Bucket, u.ObjectKey); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("discard uploads: %w", err)
	}
	return nil
}

// ErrNotStored: an uploaded file named by its checksum is not in the
// institution's storage.
var ErrNotStored = errors.New("no stored file with that checksum")

// Stored describes a file another function already uploaded (submit-request,
// through Upload) under the institution's prefix, found by its SHA-256, so
// it can be attached. Its type is sniffed again from its first bytes: what
// comes in an event is checked as if it came from the client.
func (s *Store) Stored(ctx context.Context, institution uuid.UUID, sha256, declaredName string) (Uploaded, error) {
	fail := func(err error) (Uploaded, error) {
		return Uploaded{}, fmt.Errorf("stored file %s: %w", sha256, err)
	}
	if !isSHA256(sha256) {
		return fail(ErrNotStored)
	}
	if err := CheckName(declaredName); err != nil {
		return fail(err)
	}
	key := blob.ContentKey(institution.String(), sha256)
	body, obj, err := s.Blob.Get(ctx, s.Bucket, key)
	if errors.Is(err, blob.ErrNotFound) {
		return fail(ErrNotStored)
	}
	if err != nil {
		return fail(err)
	}
	head, err := readHead(body, headSize)
	body.Close()
	if err != nil {
		return fail(err)
	}
	if len(head) == 0 {
		return fail(ErrEmpty)
	}
	if obj.Size > s.maxSize() {
		return fail(fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, s.maxSize()))
	}
	mediaType, err := Sniff(head)
	if err != nil {
		return fail(err)
	}
	u := Uploaded{Institution: institution, SHA256: sha256, Size: obj.Size, MediaType: mediaType,
		OriginalName: SanitizeName(declaredName), ObjectKey: key}
	u.Text = s.extract(ctx, u)
	return u, nil
}

func isSHA256(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// extract returns the text of an uploaded PDF for search, or "". A PDF
// without text (a scan) or one the extractor cannot read is still a valid
// document: it is stored, only not searchable by content.
func (s *Store) extract(ctx context.Context, u Uploaded) string {
	if s.ExtractText == nil || u.MediaType != "application/pdf" {
		return ""
	}
	text, err := s.ExtractText(ctx, s.Blob.ReaderAt(ctx, s.Bucket, u.ObjectKey, u.Size), u.Size)
	if err != nil {
		return ""
	}
	return text
}

// Attach makes an uploaded file the next version of document, in tx. On
// any error no row is inserted by this call and the caller should roll tx
// back. The document row is locked for the numbering, so concurrent
// versions of one document wait for each other only for the insert.
func Attach(ctx context.Context, tx pgx.Tx, document uuid.UUID, u Uploaded, by uuid.UUID) (Version, error) {
	fail := func(err error) (Version, error) {
		return Version{}, fmt.Errorf("add version to document %s: %w", document, err)
	}
	v := Version{
		Institution:  u.Institution,
		Document:     document,
		SHA256:       u.SHA256,
		Size:         u.Size,
		MediaType:    u.MediaType,
		OriginalName: u.OriginalName,
		ObjectKey:    u.ObjectKey,
		CreatedBy:    by,
	}
	// Lock the document so that concurrent versions are numbered in turn.
	// The row lock makes max()+1 safe here; a gap after a rollback would not
	// matter either, unlike registration numbers.
	if err := documentExists(ctx, tx, u.Institution, document, true); err != nil {
		return fail(err)
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO document_version (institution_id, document_id, version, sha256, size, media_type, original_name, object_key, created_by, text)
		SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7, $8, $9
		FROM document_version WHERE institution_id = $1 AND document_id = $2
		RETURNING version, created_at`,
		u.Institution, document, v.SHA256, v.Size, v.MediaType, v.OriginalName, v.ObjectKey, nilIfZero(by), u.Text).Scan(&v.Version, &v.CreatedAt)
	if err != nil {
		return fail(err)
	}
	return v, nil
}

// Open returns the bytes and description of a version; the caller closes the
// reader. version 0 means the latest.
func (s *Store) Open(ctx context.Context, tx pgx.Tx, institution, document uuid.UUID, version int) (io.ReadCloser, Version, error) {
	v, err := GetVersion(ctx, tx, institution, document, version)
	if err != nil {
		return nil, Version{}, err
	}
	body, err := s.OpenVersion(ctx, v)
	if err != nil {
		return nil, Version{}, err
	}
	return body, v, nil
}

// OpenVersion returns the bytes of a version read before (with GetVersion,
// which checks the caller may see it); the caller closes the reader.
func (s *Store) OpenVersion(ctx context.Context, v Version) (io.ReadCloser, error) {
	body, obj, err := s.Blob.Get(ctx, s.Bucket, v.ObjectKey)
	if err != nil {
		return nil, fmt.Errorf("open document %s version %d: %w", v.Document, v.Version, err)
	}
	if obj.Size != v.Size {
		body.Close()
		return nil, fmt.Errorf("open document %s version %d: stored object has %d bytes, expected %d",
			v.Document, v.Version, obj.Size, v.Size)
	}
	return body, nil
}

// GetVersion describes a version without opening it; version 0 means the latest.
func GetVersion(ctx context.Context, tx pgx.Tx, institution, document uuid.UUID, version int) (Version, error) {
	rows, err := tx.Query(ctx, `
		SELECT institution_id, document_id, version, sha256, size, media_type, original_name, object_key, created_at,
		       coalesce(created_by, '00000000-0000-0000-0000-000000000000')
		FROM document_version
		WHERE institution_id = $1 AND document_id = $2 AND ($3 = 0 OR version = $3)
		ORDER BY version DESC LIMIT 1`, institution, document, version)
	if err != nil {
		return Version{}, fmt.Errorf("get document %s version %d: %w", document, version, err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (Version, error) {
		var v Version
		err := r.Scan(&v.Institution, &v.Document, &v.Version, &v.SHA256, &v.Size, &v.MediaType, &v.OriginalName,
			&v.ObjectKey, &v.CreatedAt, &v.CreatedBy)
		return v, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Version{}, fmt.Errorf("document %s version %d: %w", document, version, ErrNotFound)
	}
	if err != nil {
		return Version{}, fmt.Errorf("get document %s version %d: %w", document, version, err)
	}
	return v, nil
}

func documentExists(ctx context.Context, tx pgx.Tx, institution, document uuid.UUID, lock bool) error {
	q := `SELECT true FROM document WHERE institution_id = $1 AND id = $2`
	if lock {
		q += ` FOR NO KEY UPDATE`
	}
	var ok bool
	err := tx.QueryRow(ctx, q, institution, document).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Filed is a document with its versions, oldest first.
type Filed struct {
	Document
	Versions []Version
}

// OfEntry lists the documents of a registry entry, oldest first, each with
// its versions. An entry has a handful, so there is no pagination.
func OfEntry(ctx context.Context, tx pgx.Tx, institution, entry uuid.UUID) ([]Filed, error) {
	rows, err := tx.Query(ctx, `
		SELECT d.institution_id, d.id, d.entry_id, d.title, d.created_at, coalesce(d.created_by, '00000000-0000-0000-0000-000000000000'),
		       v.version, v.sha256, v.size, v.media_type, v.original_name, v.object_key, v.created_at,
		       coalesce(v.created_by, '00000000-0000-0000-0000-000000000000')
		FROM document d JOIN document_version v ON v.institution_id = d.institution_id AND v.document_id = d.id
		WHERE d.institution_id = $1 AND d.entry_id = $2
		ORDER BY d.created_at, d.id, v.version`, institution, entry)
	if err != nil {
		return nil, fmt.Errorf("documents of entry %s: %w", entry, err)
	}
	type row struct {
		d Document
		v Version
	}
	flat, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.d.Institution, &x.d.ID, &x.d.Entry, &x.d.Title, &x.d.CreatedAt, &x.d.CreatedBy,
			&x.v.Version, &x.v.SHA256, &x.v.Size, &x.v.MediaType, &x.v.OriginalName, &x.v.ObjectKey, &x.v.CreatedAt, &x.v.CreatedBy)
		x.v.Institution, x.v.Document = x.d.Institution, x.d.ID
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("documents of entry %s: %w", entry, err)
	}
	var out []Filed
	for _, x := range flat {
		if len(out) == 0 || out[len(out)-1].ID != x.d.ID {
			out = append(out, Filed{Document: x.d})
		}
		out[len(out)-1].Versions = append(out[len(out)-1].Versions, x.v)
	}
	return out, nil
}
