// Package filingplan keeps an institution's filing plan (nomenclatorul
// arhivistic, Law 16/1996): per year, the files (dosare) its documents are
// grouped into, each with an indicator ("II-3"), a title, a retention
// period and the department that keeps it. Registry entries are filed into
// them (package registry); a closed file takes no more entries and goes to
// the archive with its inventory, which Inventory lists. All SQL of
// filing_file is here; callers decide who may act, and row-level security
// holds every statement to the transaction's institution underneath.
package filingplan

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Refusals, usable with errors.Is; callers turn them into answers.
var (
	ErrNotFound       = errors.New("no such file in the filing plan")
	ErrIndicatorTaken = errors.New("another file of the year has this indicator")
	ErrNoDepartment   = errors.New("no such department in the institution")
	// ErrClosed: a closed file is final; it changes no more.
	ErrClosed = errors.New("the file is closed")
	// ErrOpen: an inventory is of a closed file only; while a file is open
	// entries may still be filed into it.
	ErrOpen = errors.New("the file is still open")
	// ErrStale: the file changed since the revision the caller read.
	ErrStale = errors.New("the file was changed since it was read")
)

// Permanent is the retention of files kept for ever.
const Permanent = "permanent"

// Retentions lists the retention periods a file may have: years, as the
// law and the National Archives' instructions allow, or Permanent.
func Retentions() []string { return []string{"1", "3", "5", "10", "30", "50", "100", Permanent} }

// ValidRetention reports whether retention is one of Retentions.
func ValidRetention(retention string) bool { return slices.Contains(Retentions(), retention) }

// File is one file (dosar) of a year's filing plan.
type File struct {
	InstitutionID uuid.UUID `json:"institutionId"`
	ID            uuid.UUID `json:"id"`
	Year          int       `json:"year"`
	Indicator     string    `json:"indicator"`
	Title         string    `json:"title"`
	// Retention is a number of years ("10") or Permanent.
	Retention    string    `json:"retention"`
	DepartmentID uuid.UUID `json:"departmentId"`
	// Revision counts the changes, from 1; it is the file's version for
	// optimistic concurrency.
	Revision  int        `json:"revision"`
	CreatedAt time.Time  `json:"createdAt"`
	CreatedBy *uuid.UUID `json:"createdBy"`
	UpdatedAt time.Time  `json:"updatedAt"`
	UpdatedBy *uuid.UUID `json:"updatedBy"`
	ClosedAt  *time.Time `json:"closedAt"`
	ClosedBy  *uuid.UUID `json:"closedBy"`
}

// Closed reports whether the file is closed.
func (f File) Closed() bool { return f.ClosedAt != nil }

const fileColumns = `institution_id, id, year, indicator, title, retention, department_id, revision,
	created_at, created_by, updated_at, updated_by, closed_at, closed_by`

func scanFile(row pgx.CollectableRow) (File, error) {
	var f File
	err := row.Scan(&f.InstitutionID, &f.ID, &f.Year, &f.Indicator, &f.Title, &f.Retention, &f.DepartmentID, &f.Revision,
		&f.CreatedAt, &f.CreatedBy, &f.UpdatedAt, &f.UpdatedBy, &f.ClosedAt, &f.ClosedBy)
	return f, err
}

// one reads the single row of rows; none is ErrNotFound.
func one(rows pgx.Rows, err error) (File, error) {
	if err != nil {
		return File{}, err
	}
	f, err := pgx.CollectExactlyOneRow(rows, scanFile)
	if errors.Is(err, pgx.ErrNoRows) {
		return File{}, ErrNotFound
	}
	return f, constraintError(err)
}

// constraintError turns the violations a caller can cause into this
// package's errors.
func constraintError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch {
	case pgErr.Code == "23503" && pgErr.ConstraintName == "filing_file_institution_id_department_id_fkey":
		return ErrNoDepartment
	case pgErr.Code == "23505" && pgErr.ConstraintName == "filing_file_institution_id_year_indicator_key":
		return ErrIndicatorTaken
	}
	return err
}

// byID returns nil for uuid.Nil: an act of the platform itself has no actor.
func byID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Result says what Create did.
type Result int

// Results of Create.
const (
	// Created: the file is new.
	Created Result = iota + 1
	// Existed: the year already had a file with this indicator and the same
	// title, retention and department: a repeat of the request that made it.
	Existed
)

// NewFile is a file to create.
type NewFile struct {
	// ID is the new file's id; uuid.Nil makes a new UUIDv7.
	ID          uuid.UUID
	Institution uuid.UUID
	Year        int
	Indicator   string
	Title       string
	Retention   string
	Department  uuid.UUID
	// By is the account that creates it.
	By uuid.UUID
}

// Create adds a file to the year's plan. The indicator is the natural key
// within the year: if it is taken by a file with the same title, retention
// and department, Create returns that one, Existed (a retried request
// creates nothing twice); with other data, the error is ErrIndicatorTaken.
// An unknown department is ErrNoDepartment.
func Create(ctx context.Context, tx pgx.Tx, n NewFile) (File, Result, error) {
	if n.ID == uuid.Nil {
		var err error
		if n.ID, err = uuid.NewV7(); err != nil {
			return File{}, 0, fmt.Errorf("create file %s/%d: %w", n.Indicator, n.Year, err)
		}
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO filing_file (institution_id, id, year, indicator, title, retention, department_id, created_by, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
		ON CONFLICT (institution_id, year, indicator) DO NOTHING
		RETURNING `+fileColumns,
		n.Institution, n.ID, n.Year, n.Indicator, n.Title, n.Retention, n.Department, byID(n.By))
	f, err := one(rows, err)
	switch {
	case err == nil:
		return f, Created, nil
	case !errors.Is(err, ErrNotFound):
		return File{}, 0, fmt.Errorf("create file %s/%d: %w", n.Indicator, n.Year, err)
	}
	// The indicator was taken (perhaps by a concurrent request, which the
	// insert waited for): this statement's snapshot sees that file.
	rows, err = tx.Query(ctx, `SELECT `+fileColumns+` FROM filing_file WHERE institution_id = $1 AND year = $2 AND indicator = $3`,
		n.Institution, n.Year, n.Indicator)
	f, err = one(rows, err)
	if err != nil {
		return File{}, 0, fmt.Errorf("create file %s/%d: the existing one: %w", n.Indicator, n.Year, err)
	}
	if f.Title != n.Title || f.Retention != n.Retention || f.DepartmentID != n.Department {
		return File{}, 0, fmt.Errorf("create file %s/%d: %w", n.Indicator, n.Year, ErrIndicatorTaken)
	}
	return f, Existed, nil
}

// Get reads one file.
func Get(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (File, error) {
	return get(ctx, tx, institution, id, "")
}

// Lock reads one file and locks it against changes (and against filing
// into it) until tx ends.
func Lock(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (File, error) {
	return get(ctx, tx, institution, id, " FOR NO KEY UPDATE")
}

func get(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, lock string) (File, error) {
	rows, err := tx.Query(ctx, `SELECT `+fileColumns+` FROM filing_file WHERE institution_id = $1 AND id = $2`+lock, institution, id)
	f, err := one(rows, err)
	if err != nil {
		return File{}, fmt.Errorf("get file %s: %w", id, err)
	}
	return f, nil
}

// CurrentYear is the year it now is in the institution's time zone: the
// plan a registrar works with by default.
func CurrentYear(ctx context.Context, tx pgx.Tx, institution uuid.UUID) (int, error) {
	var year int
	err := tx.QueryRow(ctx, `SELECT extract(year FROM now() AT TIME ZONE time_zone)::int FROM institution WHERE id = $1`,
		institution).Scan(&year)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("current year of %s: no such institution", institution)
	}
	if err != nil {
		return 0, fmt.Errorf("current year of %s: %w", institution, err)
	}
	return year, nil
}

// Page sizes of List. A year's plan has a few hundred files: the largest
// page holds most plans whole.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// Cursor is a keyset position in a plan: the indicator of the last file of
// the previous page (indicators are unique within a year).
type Cursor struct {
	Indicator string
}

// String is the cursor as clients pass it back: opaque and URL-safe.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.Indicator))
}

// ParseCursor reads what String wrote.
func ParseCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return Cursor{}, errors.New("not a cursor of the filing plan")
	}
	return Cursor{Indicator: string(b)}, nil
}

// Filter selects the files List returns.
type Filter struct {
	Institution uuid.UUID
	Year        int
	// Department, unless uuid.Nil, keeps only the files it keeps.
	Department uuid.UUID
}

// Page selects one page of a list.
type Page struct {
	// After is the previous page's next cursor; nil for the first page.
	After *Cursor
	// Limit is the page size: DefaultLimit when not set, at most MaxLimit.
	Limit int
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return DefaultLimit
	}
	return min(p.Limit, MaxLimit)
}

// List returns one page of a year's plan in the order of the indicators
// (numbers inside them by value: "II-9" before "II-10"), and the cursor of
// the next page, nil on the last one.
func List(ctx context.Context, tx pgx.Tx, f Filter, p Page) ([]File, *Cursor, error) {
	var after *string
	if p.After != nil {
		after = &p.After.Indicator
	}
	limit := p.limit()
	// One row more than the page tells whether there is a next one, without
	// counting.
	rows, err := tx.Query(ctx, `SELECT `+fileColumns+` FROM filing_file
		WHERE institution_id = $1 AND year = $2
		  AND ($3::uuid IS NULL OR department_id = $3)
		  AND ($4::text IS NULL OR indicator COLLATE ghiseu_natural > $4::text COLLATE ghiseu_natural)
		ORDER BY indicator COLLATE ghiseu_natural
		LIMIT $5`, f.Institution, f.Year, byID(f.Department), after, limit+1)
	if err != nil {
		return nil, nil, fmt.Errorf("list files of %d: %w", f.Year, err)
	}
	files, err := pgx.CollectRows(rows, scanFile)
	if err != nil {
		return nil, nil, fmt.Errorf("list files of %d: %w", f.Year, err)
	}
	if len(files) <= limit {
		return files, nil, nil
	}
	files = files[:limit]
	return files, &Cursor{Indicator: files[limit-1].Indicator}, nil
}

// Changes is what Update may change; nil fields stay as they are. The
// year and the indicator never change: entries and archives refer to them.
type Changes struct {
	Title      *string
	Retention  *string
	Department *uuid.UUID
}

// Update applies c to an open file as its next revision. revision is the
// one the caller read: if the file has moved on since, nothing changes and
// the error is ErrStale. A closed file is ErrClosed, an unknown department
// ErrNoDepartment. Changes that change nothing leave the file (and its
// revision) as it is: then before and after are equal.
func Update(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, revision int, c Changes, by uuid.UUID) (before, after File, err error) {
	fail := func(err error) (File, File, error) {
		return File{}, File{}, fmt.Errorf("update file %s: %w", id, err)
	}
	before, err = Lock(ctx, tx, institution, id)
	if err != nil {
		return File{}, File{}, err
	}
	// Closed first: reading the file again would not help.
	if before.Closed() {
		return fail(ErrClosed)
	}
	if before.Revision != revision {
		return fail(ErrStale)
	}
	after = before
	if c.Title != nil {
		after.Title = *c.Title
	}
	if c.Retention != nil {
		after.Retention = *c.Retention
	}
	if c.Department != nil {
		after.DepartmentID = *c.Department
	}
	if after == before {
		return before, before, nil
	}
	rows, err := tx.Query(ctx, `UPDATE filing_file SET title = $3, retention = $4, department_id = $5,
			revision = revision + 1, updated_at = now(), updated_by = $6
		WHERE institution_id = $1 AND id = $2 RETURNING `+fileColumns,
		institution, id, after.Title, after.Retention, after.DepartmentID, byID(by))
	if after, err = one(rows, err); err != nil {
		return fail(err)
	}
	return before, after, nil
}

// Close closes an open file: it takes no more entries, gives none up, and
// changes no more. Closing a closed file is ErrClosed. by, the account that
// closes it, is required: the archive must know who closed each file.
func Close(ctx context.Context, tx pgx.Tx, institution, id, by uuid.UUID) (before, after File, err error) {
	fail := func(err error) (File, File, error) {
		return File{}, File{}, fmt.Errorf("close file %s: %w", id, err)
	}
	if by == uuid.Nil {
		return fail(errors.New("no account closes it"))
	}
	// The lock waits for registrations filing into the file (which
	// share-lock it until they commit), so every entry is in before or
	// refused after.
	before, err = Lock(ctx, tx, institution, id)
	if err != nil {
		return File{}, File{}, err
	}
	if before.Closed() {
		return fail(ErrClosed)
	}
	rows, err := tx.Query(ctx, `UPDATE filing_file SET closed_at = now(), closed_by = $3,
			revision = revision + 1, updated_at = now(), updated_by = $3
		WHERE institution_id = $1 AND id = $2 RETURNING `+fileColumns, institution, id, by)
	if after, err = one(rows, err); err != nil {
		return fail(err)
	}
	return before, after, nil
}

// CopyYear sets up the plan of year to from the plan of year from: a new,
// open file for each file of from, with the same indicator, title,
// retention and department, unless year to already has that indicator
// (then it is skipped, so copying again, or after adding a few files by
// hand, does no harm). It returns the files created and the indicators
// skipped, both in the plan's order.
func CopyYear(ctx context.Context, tx pgx.Tx, institution uuid.UUID, from, to int, by uuid.UUID) (created []File, skipped []string, err error) {
	fail := func(err error) ([]File, []string, error) {
		return nil, nil, fmt.Errorf("copy the filing plan of %d to %d: %w", from, to, err)
	}
	if from == to {
		return fail(errors.New("a year cannot be copied onto itself"))
	}
	rows, err := tx.Query(ctx, `SELECT `+fileColumns+` FROM filing_file WHERE institution_id = $1 AND year = $2
		ORDER BY indicator COLLATE ghiseu_natural`, institution, from)
	if err != nil {
		return fail(err)
	}
	source, err := pgx.CollectRows(rows, scanFile)
	if err != nil {
		return fail(err)
	}
	if len(source) == 0 {
		return []File{}, []string{}, nil
	}
	n := len(source)
	ids, indicators, titles, retentions, departments := make([]uuid.UUID, n), make([]string, n), make([]string, n),
		make([]string, n), make([]uuid.UUID, n)
	for i, f := range source {
		if ids[i], err = uuid.NewV7(); err != nil {
			return fail(err)
		}
		indicators[i], titles[i], retentions[i], departments[i] = f.Indicator, f.Title, f.Retention, f.DepartmentID
	}
	rows, err = tx.Query(ctx, `
		INSERT INTO filing_file (institution_id, id, year, indicator, title, retention, department_id, created_by, updated_by)
		SELECT $1, s.id, $2, s.indicator, s.title, s.retention, s.department_id, $3, $3
		FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::uuid[]) AS s (id, indicator, title, retention, department_id)
		ON CONFLICT (institution_id, year, indicator) DO NOTHING
		RETURNING `+fileColumns, institution, to, byID(by), ids, indicators, titles, retentions, departments)
	if err != nil {
		return fail(err)
	}
	made, err := pgx.CollectRows(rows, scanFile)
	if err != nil {
		return fail(constraintError(err))
	}
	// RETURNING promises no order: put the result in the source's.
	byIndicator := make(map[string]File, len(made))
	for _, f := range made {
		byIndicator[f.Indicator] = f
	}
	created, skipped = make([]File, 0, len(made)), []string{}
	for _, f := range source {
		if c, ok := byIndicator[f.Indicator]; ok {
			created = append(created, c)
		} else {
			skipped = append(skipped, f.Indicator)
		}
	}
	return created, skipped, nil
}

// InventoryEntry is one line of a closed file's inventory: an entry filed
// into it.
type InventoryEntry struct {
	EntryID      uuid.UUID
	RegisterCode string
	Year         int
	Number       int64
	RegisteredAt time.Time
	Direction    string // incoming, outgoing, internal
	Subject      string
	Sender       string
	Recipient    string
	Pages        int
	// Confidential: only holders of documents.read.confidential may read
	// its subject and parties.
	Confidential bool
	// Annulled entries stay in the inventory, marked: their numbers were
	// given and the archive accounts for every one.
	Annulled bool
}

// Inventory lists the entries filed into a closed file, in the order they
// were registered (by time, then number). It runs when iterated, and stops
// with ErrNotFound for an unknown file and ErrOpen for an open one. While
// it iterates, tx is busy with it: use tx for nothing else inside the loop.
func Inventory(ctx context.Context, tx pgx.Tx, institution, file uuid.UUID) iter.Seq2[InventoryEntry, error] {
	return func(yield func(InventoryEntry, error) bool) {
		fail := func(err error) { yield(InventoryEntry{}, fmt.Errorf("inventory of file %s: %w", file, err)) }
		var closed *time.Time
		err := tx.QueryRow(ctx, `SELECT closed_at FROM filing_file WHERE institution_id = $1 AND id = $2`, institution, file).Scan(&closed)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			fail(ErrNotFound)
			return
		case err != nil:
			fail(err)
			return
		case closed == nil:
			fail(ErrOpen)
			return
		}
		rows, err := tx.Query(ctx, `
			SELECT e.id, r.code, e.year, e.number, e.registered_at, e.direction, e.subject, e.sender, e.recipient, e.pages,
				e.confidentiality = 'confidential', e.annulled_at IS NOT NULL
			FROM registry_entry e
			JOIN register r ON r.institution_id = e.institution_id AND r.id = e.register_id
			WHERE e.institution_id = $1 AND e.file_id = $2
			ORDER BY e.registered_at, e.number, r.code`, institution, file)
		if err != nil {
			fail(err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var e InventoryEntry
			if err := rows.Scan(&e.EntryID, &e.RegisterCode, &e.Year, &e.Number, &e.RegisteredAt, &e.Direction, &e.Subject,
				&e.Sender, &e.Recipient, &e.Pages, &e.Confidential, &e.Annulled); err != nil {
				fail(err)
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			fail(err)
		}
	}
}
