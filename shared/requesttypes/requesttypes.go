// Package requesttypes keeps the catalogue of what citizens may ask an
// institution online: request types, each in versions. A version is a
// draft until published and immutable after, so a submitted request keeps
// the form, deadline regime and register it was made with. All SQL of
// request_type and request_type_version is here.
package requesttypes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Errors, usable with errors.Is.
var (
	ErrNotFound     = errors.New("no such request type or version")
	ErrCodeTaken    = errors.New("another request type of the institution has this code")
	ErrPublished    = errors.New("the version is published: make a new version")
	ErrNoDraft      = errors.New("the request type has no draft to publish")
	ErrDraftExists  = errors.New("the request type already has a draft")
	ErrNoDepartment = errors.New("no such department")
	ErrNoRegister   = errors.New("no such register")
)

// Regimes of the answer's deadline.
const (
	Petition          = "petition"           // OG 27/2002: 30 days
	PublicInformation = "public_information" // Law 544/2001: 10 days, extendable to 30
	Custom            = "custom"             // CustomDays calendar or working days
)

// Attachment is a kind of file a request of the type carries.
type Attachment struct {
	Kind       string   `json:"kind"`
	Title      string   `json:"title"`
	Required   bool     `json:"required"`
	MediaTypes []string `json:"mediaTypes"`
	MaxSize    int64    `json:"maxSize"`
}

// Type is a request type.
type Type struct {
	Institution uuid.UUID
	ID          uuid.UUID
	Code        string
	CreatedAt   time.Time
	WithdrawnAt *time.Time
}

// Version is one version of a request type.
type Version struct {
	Institution      uuid.UUID
	Type             uuid.UUID
	Code             string // the type's
	Version          int
	Name             string
	Description      string
	Form             json.RawMessage // a JSON Schema (package forms)
	Attachments      []Attachment
	Department       uuid.UUID
	Regime           string
	CustomDays       int // Custom only
	WorkingDays      bool
	Register         uuid.UUID
	VerifiedIdentity bool
	CreatedAt        time.Time
	CreatedBy        uuid.UUID
	PublishedAt      *time.Time
	PublishedBy      uuid.UUID
}

// Create adds a request type with v as its first draft.
func Create(ctx context.Context, tx pgx.Tx, t Type, v Version) (Type, Version, error) {
	if t.ID == uuid.Nil {
		t.ID = uuid.Must(uuid.NewV7())
	}
	err := tx.QueryRow(ctx, `INSERT INTO request_type (institution_id, id, code) VALUES ($1, $2, $3) RETURNING created_at`,
		t.Institution, t.ID, t.Code).Scan(&t.CreatedAt)
	if err != nil {
		return Type{}, Version{}, fmt.Errorf("create request type %s: %w", t.Code, constraintError(err))
	}
	v.Institution, v.Type, v.Version = t.Institution, t.ID, 1
	if v, err = insertVersion(ctx, tx, v); err != nil {
		return Type{}, Version{}, fmt.Errorf("create request type %s: %w", t.Code, err)
	}
	v.Code = t.Code
	return t, v, nil
}

// NewDraft starts the next version of a type from v's content; there is
// at most one draft at a time.
func NewDraft(ctx context.Context, tx pgx.Tx, v Version) (Version, error) {
	var last int
	var draft bool
	err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0), bool_or(published_at IS NULL) FROM request_type_version
		WHERE institution_id = $1 AND type_id = $2`, v.Institution, v.Type).Scan(&last, &draft)
	if err != nil {
		return Version{}, fmt.Errorf("new draft of %s: %w", v.Type, err)
	}
	if last == 0 {
		return Version{}, ErrNotFound
	}
	if draft {
		return Version{}, ErrDraftExists
	}
	v.Version = last + 1
	made, err := insertVersion(ctx, tx, v)
	if err != nil {
		return Version{}, fmt.Errorf("new draft of %s: %w", v.Type, err)
	}
	return made, nil
}

func insertVersion(ctx context.Context, tx pgx.Tx, v Version) (Version, error) {
	att, err := json.Marshal(orEmpty(v.Attachments))
	if err != nil {
		return Version{}, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO request_type_version (institution_id, type_id, version, name, description, form, attachments,
			department_id, regime, custom_days, working_days, register_id, verified_identity, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING created_at`,
		v.Institution, v.Type, v.Version, v.Name, v.Description, v.Form, att, v.Department, v.Regime, customDays(v),
		v.WorkingDays, v.Register, v.VerifiedIdentity, nilIfZero(v.CreatedBy)).Scan(&v.CreatedAt)
	if err != nil {
		return Version{}, constraintError(err)
	}
	return v, nil
}

// UpdateDraft replaces the content of a draft version.
func UpdateDraft(ctx context.Context, tx pgx.Tx, v Version) (Version, error) {
	att, err := json.Marshal(orEmpty(v.Attachments))
	if err != nil {
		return Version{}, err
	}
	tag, err := tx.Exec(ctx, `UPDATE request_type_version SET name = $4, description = $5, form = $6, attachments = $7,
			department_id = $8, regime = $9, custom_days = $10, working_days = $11, register_id = $12, verified_identity = $13
		WHERE institution_id = $1 AND type_id = $2 AND version = $3 AND published_at IS NULL`,
		v.Institution, v.Type, v.Version, v.Name, v.Description, v.Form, att, v.Department, v.Regime, customDays(v),
		v.WorkingDays, v.Register, v.VerifiedIdentity)
	if err != nil {
		return Version{}, fmt.Errorf("update draft %s/%d: %w", v.Type, v.Version, constraintError(err))
	}
	if tag.RowsAffected() == 0 {
		if _, err := GetVersion(ctx, tx, v.Institution, v.Type, v.Version); err != nil {
			return Version{}, err
		}
		return Version{}, ErrPublished
	}
	return GetVersion(ctx, tx, v.Institution, v.Type, v.Version)
}

// Publish publishes the type's draft; from now on citizens submit with it.
func Publish(ctx context.Context, tx pgx.Tx, institution, typ, by uuid.UUID) (Version, error) {
	var version int
	err := tx.QueryRow(ctx, `UPDATE request_type_version SET published_at = now(), published_by = $3
		WHERE institution_id = $1 AND type_id = $2 AND published_at IS NULL RETURNING version`,
		institution, typ, nilIfZero(by)).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return Version{}, ErrNoDraft
	}
	if err != nil {
		return Version{}, fmt.Errorf("publish %s: %w", typ, err)
	}
	return GetVersion(ctx, tx, institution, typ, version)
}

const versionColumns = `v.institution_id, v.type_id, t.code, v.version, v.name, v.description, v.form, v.attachments,
	v.department_id, v.regime, coalesce(v.custom_days, 0), v.working_days, v.register_id, v.verified_identity,
	v.created_at, v.created_by, v.published_at, v.published_by`

func scanVersion(r pgx.CollectableRow) (Version, error) {
	var v Version
	var att []byte
	var by, pubBy *uuid.UUID
	err := r.Scan(&v.Institution, &v.Type, &v.Code, &v.Version, &v.Name, &v.Description, &v.Form, &att, &v.Department,
		&v.Regime, &v.CustomDays, &v.WorkingDays, &v.Register, &v.VerifiedIdentity, &v.CreatedAt, &by, &v.PublishedAt, &pubBy)
	if err != nil {
		return Version{}, err
	}
	v.CreatedBy, v.PublishedBy = orNil(by), orNil(pubBy)
	if err := json.Unmarshal(att, &v.Attachments); err != nil {
		return Version{}, fmt.Errorf("attachments of %s/%d: %w", v.Type, v.Version, err)
	}
	return v, nil
}

// GetVersion reads one version; 0 means the newest published one.
func GetVersion(ctx context.Context, tx pgx.Tx, institution, typ uuid.UUID, version int) (Version, error) {
	rows, err := tx.Query(ctx, `SELECT `+versionColumns+`
		FROM request_type_version v JOIN request_type t ON t.institution_id = v.institution_id AND t.id = v.type_id
		WHERE v.institution_id = $1 AND v.type_id = $2 AND ($3 = 0 AND v.published_at IS NOT NULL OR v.version = $3)
		ORDER BY v.version DESC LIMIT 1`, institution, typ, version)
	if err != nil {
		return Version{}, fmt.Errorf("get request type %s/%d: %w", typ, version, err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return Version{}, ErrNotFound
	}
	if err != nil {
		return Version{}, fmt.Errorf("get request type %s/%d: %w", typ, version, err)
	}
	return v, nil
}

// LockVersion reads one version like GetVersion (version >= 1) and locks
// it until tx ends, so that a change checked against what was read (an
// If-Match) cannot race another change of the same version.
func LockVersion(ctx context.Context, tx pgx.Tx, institution, typ uuid.UUID, version int) (Version, error) {
	rows, err := tx.Query(ctx, `SELECT `+versionColumns+`
		FROM request_type_version v JOIN request_type t ON t.institution_id = v.institution_id AND t.id = v.type_id
		WHERE v.institution_id = $1 AND v.type_id = $2 AND v.version = $3
		FOR UPDATE OF v`, institution, typ, version)
	if err != nil {
		return Version{}, fmt.Errorf("lock request type %s/%d: %w", typ, version, err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return Version{}, ErrNotFound
	}
	if err != nil {
		return Version{}, fmt.Errorf("lock request type %s/%d: %w", typ, version, err)
	}
	return v, nil
}

// Published lists the catalogue of an institution: the newest published
// version of every type not withdrawn, by name. An institution offers tens
// of types, so there is no pagination.
func Published(ctx context.Context, tx pgx.Tx, institution uuid.UUID) ([]Version, error) {
	// Ordered as people read names, Romanian letters in their alphabet's
	// places (ă after a, ș after s).
	rows, err := tx.Query(ctx, `SELECT * FROM (
			SELECT DISTINCT ON (v.type_id) `+versionColumns+`
			FROM request_type_version v JOIN request_type t ON t.institution_id = v.institution_id AND t.id = v.type_id
			WHERE v.institution_id = $1 AND v.published_at IS NOT NULL AND t.withdrawn_at IS NULL
			ORDER BY v.type_id, v.version DESC) latest
		ORDER BY name COLLATE "ro-RO-x-icu", type_id`, institution)
	if err != nil {
		return nil, fmt.Errorf("published request types: %w", err)
	}
	vs, err := pgx.CollectRows(rows, scanVersion)
	if err != nil {
		return nil, fmt.Errorf("published request types: %w", err)
	}
	return vs, nil
}

// GetType reads a request type, withdrawn or not.
func GetType(ctx context.Context, tx pgx.Tx, institution, typ uuid.UUID) (Type, error) {
	t := Type{Institution: institution, ID: typ}
	err := tx.QueryRow(ctx, `SELECT code, created_at, withdrawn_at FROM request_type WHERE institution_id = $1 AND id = $2`,
		institution, typ).Scan(&t.Code, &t.CreatedAt, &t.WithdrawnAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Type{}, ErrNotFound
	}
	if err != nil {
		return Type{}, fmt.Errorf("get request type %s: %w", typ, err)
	}
	return t, nil
}

// Versions lists every version of a type the transaction may see, drafts
// included (row-level security shows drafts to the institution only), the
// newest first. A type has a handful of versions: no pagination.
func Versions(ctx context.Context, tx pgx.Tx, institution, typ uuid.UUID) ([]Version, error) {
	rows, err := tx.Query(ctx, `SELECT `+versionColumns+`
		FROM request_type_version v JOIN request_type t ON t.institution_id = v.institution_id AND t.id = v.type_id
		WHERE v.institution_id = $1 AND v.type_id = $2
		ORDER BY v.version DESC`, institution, typ)
	if err != nil {
		return nil, fmt.Errorf("versions of request type %s: %w", typ, err)
	}
	vs, err := pgx.CollectRows(rows, scanVersion)
	if err != nil {
		return nil, fmt.Errorf("versions of request type %s: %w", typ, err)
	}
	return vs, nil
}

// Summary is a request type as its administrators list it: the newest
// version's name and where its versions stand.
type Summary struct {
	Type
	Name        string     // the newest version's
	Published   int        // the newest published version; 0 when none is
	PublishedAt *time.Time // when Published was published
	Draft       int        // the draft's version; 0 when there is no draft
	Versions    int
}

// Summaries lists every type of an institution the transaction may see,
// withdrawn ones and those with nothing published included, by name. An
// institution has tens of types: no pagination.
func Summaries(ctx context.Context, tx pgx.Tx, institution uuid.UUID) ([]Summary, error) {
	rows, err := tx.Query(ctx, `SELECT t.id, t.code, t.created_at, t.withdrawn_at, coalesce(newest.name, ''),
			coalesce(pub.version, 0), pub.published_at, coalesce(draft.version, 0), counted.n
		FROM request_type t
		LEFT JOIN LATERAL (SELECT v.name FROM request_type_version v
			WHERE v.institution_id = t.institution_id AND v.type_id = t.id ORDER BY v.version DESC LIMIT 1) newest ON true
		LEFT JOIN LATERAL (SELECT v.version, v.published_at FROM request_type_version v
			WHERE v.institution_id = t.institution_id AND v.type_id = t.id AND v.published_at IS NOT NULL
			ORDER BY v.version DESC LIMIT 1) pub ON true
		LEFT JOIN LATERAL (SELECT v.version FROM request_type_version v
			WHERE v.institution_id = t.institution_id AND v.type_id = t.id AND v.published_at IS NULL
			ORDER BY v.version DESC LIMIT 1) draft ON true
		CROSS JOIN LATERAL (SELECT count(*) AS n FROM request_type_version v
			WHERE v.institution_id = t.institution_id AND v.type_id = t.id) counted
		WHERE t.institution_id = $1
		ORDER BY coalesce(newest.name, '') COLLATE "ro-RO-x-icu", t.id`, institution)
	if err != nil {
		return nil, fmt.Errorf("request types of %s: %w", institution, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Summary, error) {
		s := Summary{Type: Type{Institution: institution}}
		err := r.Scan(&s.ID, &s.Code, &s.CreatedAt, &s.WithdrawnAt, &s.Name, &s.Published, &s.PublishedAt, &s.Draft, &s.Versions)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("request types of %s: %w", institution, err)
	}
	return out, nil
}

// Withdraw stops offering a type; its requests and versions stay.
func Withdraw(ctx context.Context, tx pgx.Tx, institution, typ uuid.UUID) error {
	tag, err := tx.Exec(ctx, `UPDATE request_type SET withdrawn_at = coalesce(withdrawn_at, now()) WHERE institution_id = $1 AND id = $2`,
		institution, typ)
	if err != nil {
		return fmt.Errorf("withdraw %s: %w", typ, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

func constraintError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch {
	case pgErr.Code == "23505" && pgErr.ConstraintName == "request_type_institution_id_code_key":
		return ErrCodeTaken
	case pgErr.Code == "23503" && pgErr.ConstraintName == "request_type_version_institution_id_department_id_fkey":
		return ErrNoDepartment
	case pgErr.Code == "23503" && pgErr.ConstraintName == "request_type_version_institution_id_register_id_fkey":
		return ErrNoRegister
	}
	return err
}

func customDays(v Version) *int {
	if v.Regime != Custom {
		return nil
	}
	return &v.CustomDays
}

func orEmpty(a []Attachment) []Attachment {
	if a == nil {
		return []Attachment{}
	}
	return a
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}
