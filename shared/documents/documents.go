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
	// ErrNotFound: no such document or version (in the transaction's institution).
	ErrNotFound = errors.New("no such document or version")
)

// Store adds and opens document versions. It is safe for concurrent use.
type Store struct {
	Blob   *blob.Store
	Bucket string
	// MaxSize is the largest file accepted, in bytes; zero means DefaultMaxSize.
	MaxSize int64
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

// AddVersion stores the bytes of r as the next version of document and
// returns it. declaredName is the client's file name: it is sanitised and
// kept, but neither it nor any client-declared type decides the media type,
// which is sniffed from the bytes.
//
// Refusals, before anything is stored: ErrEmpty, ErrForbiddenType (an
// executable, or a type not on the allow-list), ErrNotFound (no such
// document in the transaction's institution). ErrTooLarge is found while
// streaming; the partial upload is then aborted, so nothing is stored.
//
// The bytes go to S3 with blob.PutContentAddressed under the institution's
// prefix, then the version row is inserted in tx. On any error no row is
// inserted by this call and the caller should roll tx back. An object already
// in S3 when a later step fails (the insert, or the caller's commit) is NOT
// deleted: content-addressed objects may be shared by other versions,
// committed or in flight, and this call cannot tell. Such orphans are left to
// the fixity/garbage-collection job, which removes objects that no
// document_version references after a grace period.
//
// The upload runs inside tx; the document row is locked only after it, for
// the numbering, so concurrent versions of one document wait for each other
// only for the insert.
func (s *Store) AddVersion(ctx context.Context, tx pgx.Tx, institution, document uuid.UUID, r io.Reader, declaredName string, by uuid.UUID) (Version, error) {
	fail := func(err error) (Version, error) {
		return Version{}, fmt.Errorf("add version to document %s: %w", document, err)
	}
	if err := documentExists(ctx, tx, institution, document, false); err != nil {
		return fail(err)
	}

	limit := s.maxSize()
	lr := &limitedReader{r: r, remaining: limit, limit: limit}
	head, err := readHead(lr, headSize)
	if err != nil {
		return fail(err)
	}
	if len(head) == 0 {
		return fail(ErrEmpty)
	}
	mediaType, err := Sniff(head)
	if err != nil {
		return fail(err)
	}

	body := io.MultiReader(&byteReader{b: head}, lr)
	obj, err := s.Blob.PutContentAddressed(ctx, s.Bucket, institution.String(), body, mediaType)
	if err != nil {
		// The limit error travels through the S3 SDK; make sure it is recognisable.
		if errors.Is(err, ErrTooLarge) || lr.exceeded {
			return fail(fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, limit))
		}
		return fail(err)
	}

	v := Version{
		Institution:  institution,
		Document:     document,
		SHA256:       obj.SHA256,
		Size:         obj.Size,
		MediaType:    mediaType,
		OriginalName: SanitizeName(declaredName),
		ObjectKey:    obj.Key,
		CreatedBy:    by,
	}
	// Lock the document so that concurrent versions are numbered in turn.
	// The row lock makes max()+1 safe here; a gap after a rollback would not
	// matter either, unlike registration numbers.
	if err := documentExists(ctx, tx, institution, document, true); err != nil {
		return fail(err)
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO document_version (institution_id, document_id, version, sha256, size, media_type, original_name, object_key, created_by)
		SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7, $8
		FROM document_version WHERE institution_id = $1 AND document_id = $2
		RETURNING version, created_at`,
		institution, document, v.SHA256, v.Size, v.MediaType, v.OriginalName, v.ObjectKey, nilIfZero(by)).Scan(&v.Version, &v.CreatedAt)
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
	body, obj, err := s.Blob.Get(ctx, s.Bucket, v.ObjectKey)
	if err != nil {
		return nil, Version{}, fmt.Errorf("open document %s version %d: %w", document, v.Version, err)
	}
	if obj.Size != v.Size {
		body.Close()
		return nil, Version{}, fmt.Errorf("open document %s version %d: stored object has %d bytes, expected %d",
			document, v.Version, obj.Size, v.Size)
	}
	return body, v, nil
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
