// Package registry gives documents their legal registration numbers: per
// register and calendar year (in the institution's time zone), from 1,
// unique, without gaps, increasing with registration time. All SQL of
// registers and registry entries is here.
package registry

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Errors, usable with errors.Is.
var (
	ErrNoRegister      = errors.New("no such register")
	ErrRegisterClosed  = errors.New("the register is closed")
	ErrNotFound        = errors.New("no such registry entry")
	ErrAlreadyAnnulled = errors.New("the entry is already annulled")
	ErrCodeTaken       = errors.New("another register of the institution has this code")
	ErrNoFile          = errors.New("no such file in the filing plan")
	ErrFileClosed      = errors.New("the file is closed")
	ErrFileYear        = errors.New("the file belongs to another year")
	ErrNoLinkedEntry   = errors.New("the entry it answers or is linked to does not exist")
	ErrNoDepartment    = errors.New("no such department")
	ErrNoParty         = errors.New("no such account to register the entry for")
	// ErrStale: the entry was corrected since the revision the caller read.
	ErrStale = errors.New("the entry was changed since it was read")
)

// Register is a book of numbers: incoming, outgoing, internal or another.
type Register struct {
	Institution uuid.UUID
	ID          uuid.UUID
	Code        string
	Name        string
	Kind        string // incoming, outgoing, internal, other
	Description string
	// Departments whose registrars may register in it; none means every
	// holder of registry.register in the institution.
	Departments []uuid.UUID
	CreatedAt   time.Time
	ClosedAt    *time.Time
}

// CreateRegister adds a register to its institution.
func CreateRegister(ctx context.Context, tx pgx.Tx, r Register) error {
	_, err := tx.Exec(ctx, `INSERT INTO register (institution_id, id, code, name, kind, description) VALUES ($1, $2, $3, $4, $5, $6)`,
		r.Institution, r.ID, r.Code, r.Name, r.Kind, r.Description)
	if err != nil {
		return fmt.Errorf("create register %s: %w", r.Code, constraintError(err))
	}
	if err := setDepartments(ctx, tx, r); err != nil {
		return fmt.Errorf("create register %s: %w", r.Code, err)
	}
	return nil
}

// UpdateRegister changes a register's name, description, departments and
// whether it is closed (a closed register numbers nothing more). Its code
// and kind never change: they are printed on every receipt.
func UpdateRegister(ctx context.Context, tx pgx.Tx, r Register) (Register, error) {
	tag, err := tx.Exec(ctx, `UPDATE register SET name = $3, description = $4,
		closed_at = CASE WHEN $5 THEN coalesce(closed_at, now()) END
		WHERE institution_id = $1 AND id = $2`, r.Institution, r.ID, r.Name, r.Description, r.ClosedAt != nil)
	if err != nil {
		return Register{}, fmt.Errorf("update register %s: %w", r.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return Register{}, ErrNoRegister
	}
	if _, err := tx.Exec(ctx, `DELETE FROM register_department WHERE institution_id = $1 AND register_id = $2`, r.Institution, r.ID); err != nil {
		return Register{}, fmt.Errorf("update register %s: %w", r.ID, err)
	}
	if err := setDepartments(ctx, tx, r); err != nil {
		return Register{}, fmt.Errorf("update register %s: %w", r.ID, err)
	}
	return GetRegister(ctx, tx, r.Institution, r.ID)
}

func setDepartments(ctx context.Context, tx pgx.Tx, r Register) error {
	if len(r.Departments) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO register_department (institution_id, register_id, department_id)
		SELECT $1, $2, d FROM unnest($3::uuid[]) d ON CONFLICT DO NOTHING`, r.Institution, r.ID, r.Departments)
	return constraintError(err)
}

const registerColumns = `r.institution_id, r.id, r.code, r.name, r.kind, r.description, r.created_at, r.closed_at,
	coalesce((SELECT array_agg(department_id ORDER BY department_id) FROM register_department d
	          WHERE d.institution_id = r.institution_id AND d.register_id = r.id), '{}')`

func scanRegister(row pgx.CollectableRow) (Register, error) {
	var r Register
	err := row.Scan(&r.Institution, &r.ID, &r.Code, &r.Name, &r.Kind, &r.Description, &r.CreatedAt, &r.ClosedAt, &r.Departments)
	return r, err
}

// GetRegister reads one register.
func GetRegister(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (Register, error) {
	rows, err := tx.Query(ctx, `SELECT `+registerColumns+` FROM register r WHERE r.institution_id = $1 AND r.id = $2`, institution, id)
	if err != nil {
		return Register{}, fmt.Errorf("get register %s: %w", id, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanRegister)
	if errors.Is(err, pgx.ErrNoRows) {
		return Register{}, ErrNoRegister
	}
	if err != nil {
		return Register{}, fmt.Errorf("get register %s: %w", id, err)
	}
	return r, nil
}

// ListRegisters lists an institution's registers by code. An institution
// has a handful, so there is no pagination.
func ListRegisters(ctx context.Context, tx pgx.Tx, institution uuid.UUID) ([]Register, error) {
	rows, err := tx.Query(ctx, `SELECT `+registerColumns+` FROM register r WHERE r.institution_id = $1 ORDER BY r.code`, institution)
	if err != nil {
		return nil, fmt.Errorf("list registers: %w", err)
	}
	rs, err := pgx.CollectRows(rows, scanRegister)
	if err != nil {
		return nil, fmt.Errorf("list registers: %w", err)
	}
	return rs, nil
}

// MayRegister reports whether a caller who holds registry.register in the
// institution may register in r. can tells whether the caller holds it for
// a department (a whole-institution grant covers every department).
func (r Register) MayRegister(can func(department uuid.UUID) bool) bool {
	if len(r.Departments) == 0 {
		return true
	}
	for _, d := range r.Departments {
		if can(d) {
			return true
		}
	}
	return false
}

// constraintError turns the violations a caller can cause into this
// package's errors.
func constraintError(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch {
	case pgErr.Code == "23505" && pgErr.ConstraintName == "register_institution_id_code_key":
		return ErrCodeTaken
	case pgErr.Code == "23503" && pgErr.ConstraintName == "register_department_institution_id_department_id_fkey":
		return ErrNoDepartment
	case pgErr.Code == "23503" && pgErr.ConstraintName == "registry_entry_institution_id_answers_entry_fkey":
		return ErrNoLinkedEntry
	case pgErr.Code == "23503" && pgErr.ConstraintName == "registry_entry_institution_id_file_id_fkey":
		return ErrNoFile
	case pgErr.Code == "23503" && pgErr.ConstraintName == "registry_entry_party_account_id_fkey":
		return ErrNoParty
	case pgErr.Code == "23514" && pgErr.ConstraintName == "registry_entry_file_open":
		// A closure committed between the check and the filing.
		return ErrFileClosed
	}
	return err
}

// Entry is one registered document.
type Entry struct {
	Institution     uuid.UUID
	Register        uuid.UUID
	Year            int
	Number          int64
	ID              uuid.UUID
	RegisteredAt    time.Time
	Direction       string // incoming, outgoing, internal
	Channel         string // counter, portal, email, post, institution_system, internal
	Sender          string
	Recipient       string
	Subject         string
	Pages           int
	Attachments     int
	Confidentiality string // public, internal, confidential
	AnswersEntry    uuid.UUID
	RegisteredBy    uuid.UUID
	AnnulledAt      *time.Time
	AnnulledBy      uuid.UUID
	AnnulReason     string
	// File is the filing plan's file (dosar) the entry is filed into.
	File uuid.UUID
	// Party is the citizen or company account the entry concerns, when it
	// came through the portal; that account may see the entry and its receipt.
	Party uuid.UUID
	// VerificationCode is printed on the receipt; with the number and year
	// it lets anyone holding the receipt check it.
	VerificationCode string
	// Revision counts corrections of the metadata, from 1.
	Revision  int
	UpdatedAt *time.Time
	// ContentSearch, given to Record, is the search vector of the text of
	// the documents registered with the entry (see ContentVector); it is
	// not read back.
	ContentSearch string
}

// ContentVector returns the search vector of the documents' text of an
// entry about to be registered, as text for Entry.ContentSearch. Computing
// it before Record keeps the work out of the time the register's counter
// is held. (Documents added to an entry later are indexed by a trigger.)
func ContentVector(ctx context.Context, tx pgx.Tx, text string) (string, error) {
	if text == "" {
		return "", nil
	}
	var v string
	if err := tx.QueryRow(ctx, `SELECT ghiseu_search_vector($1)::text`, text).Scan(&v); err != nil {
		return "", fmt.Errorf("search vector: %w", err)
	}
	return v, nil
}

// Confidential reports whether only holders of documents.read.confidential
// (and whoever registered it) may see the entry.
func (e Entry) Confidential() bool { return e.Confidentiality == "confidential" }

// Record registers e in its register and returns it with its year, number
// and registration time. It runs in the caller's transaction and should be
// its last step: from the counter's increment to the commit, every other
// registration in the same register-year waits, which is what keeps the
// numbers gapless and in the order of registration.
//
// at is the registration time; the zero value means now, read after the
// counter is locked so that numbers and times rise together.
func Record(ctx context.Context, tx pgx.Tx, e Entry, at time.Time) (Entry, error) {
	var closed *time.Time
	err := tx.QueryRow(ctx, `SELECT closed_at FROM register WHERE institution_id = $1 AND id = $2`, e.Institution, e.Register).Scan(&closed)
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, ErrNoRegister
	}
	if err != nil {
		return Entry{}, fmt.Errorf("register entry: %w", err)
	}
	if closed != nil {
		return Entry{}, ErrRegisterClosed
	}
	fileYear, err := checkFile(ctx, tx, e.Institution, e.File)
	if err != nil {
		return Entry{}, fmt.Errorf("register entry: %w", err)
	}
	if e.VerificationCode == "" {
		e.VerificationCode = NewVerificationCode()
	}
	var when *time.Time
	if !at.IsZero() {
		when = &at
	}
	// The increment locks the register-year's counter row until commit; a
	// rollback gives the number back. The year is the one of the moment of
	// registration in the institution's time zone.
	err = tx.QueryRow(ctx, `
		INSERT INTO register_counter AS c (institution_id, register_id, year, last_number)
		SELECT $1, $2, extract(year FROM coalesce($3::timestamptz, clock_timestamp()) AT TIME ZONE i.time_zone)::int, 1
		FROM institution i WHERE i.id = $1
		ON CONFLICT (institution_id, register_id, year) DO UPDATE SET last_number = c.last_number + 1
		RETURNING year, last_number`, e.Institution, e.Register, when).Scan(&e.Year, &e.Number)
	if err != nil {
		return Entry{}, fmt.Errorf("register entry: number: %w", err)
	}
	// Read the time only now, holding the counter: the next number cannot
	// be given before this transaction ends, so its time is later.
	var year int
	err = tx.QueryRow(ctx, `
		SELECT t, extract(year FROM t AT TIME ZONE i.time_zone)::int
		FROM (SELECT coalesce($2::timestamptz, clock_timestamp()) AS t) now, institution i WHERE i.id = $1`,
		e.Institution, when).Scan(&e.RegisteredAt, &year)
	if err != nil {
		return Entry{}, fmt.Errorf("register entry: time: %w", err)
	}
	if year != e.Year {
		// Midnight of 31 December passed while waiting for the counter. The
		// caller rolls back (giving the number back) and registers again.
		return Entry{}, ErrYearChanged
	}
	if e.File != uuid.Nil && fileYear != e.Year {
		return Entry{}, ErrFileYear
	}
	if e.ID == uuid.Nil {
		e.ID, _ = uuid.NewV7()
	}
	if e.Confidentiality == "" {
		e.Confidentiality = "public"
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO registry_entry (institution_id, register_id, year, number, id, registered_at, direction, channel,
			sender, recipient, subject, pages, attachments, confidentiality, answers_entry, registered_by,
			file_id, party_account_id, verification_code, content_search)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::text::tsvector)`,
		e.Institution, e.Register, e.Year, e.Number, e.ID, e.RegisteredAt, e.Direction, e.Channel,
		e.Sender, e.Recipient, e.Subject, e.Pages, e.Attachments, e.Confidentiality, nilIfZero(e.AnswersEntry), nilIfZero(e.RegisteredBy),
		nilIfZero(e.File), nilIfZero(e.Party), e.VerificationCode, e.ContentSearch)
	if err != nil {
		return Entry{}, fmt.Errorf("register entry: %w", constraintError(err))
	}
	if e.AnswersEntry != uuid.Nil {
		// The answer is also a link, seen from both entries, that stays
		// whatever later corrections do to the pointer.
		if _, err := AddLink(ctx, tx, e.Institution, e.ID, e.AnswersEntry, LinkAnswer, e.RegisteredBy, ""); err != nil {
			return Entry{}, fmt.Errorf("register entry: %w", err)
		}
	}
	e.Revision, e.ContentSearch = 1, ""
	return e, nil
}

// checkFile returns the year of an open file of the filing plan; no file
// (uuid.Nil) is fine.
func checkFile(ctx context.Context, tx pgx.Tx, institution, file uuid.UUID) (int, error) {
	if file == uuid.Nil {
		return 0, nil
	}
	var year int
	var closed *time.Time
	err := tx.QueryRow(ctx, `SELECT year, closed_at FROM filing_file WHERE institution_id = $1 AND id = $2`, institution, file).Scan(&year, &closed)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrNoFile
	}
	if err != nil {
		return 0, fmt.Errorf("file %s: %w", file, err)
	}
	if closed != nil {
		return 0, ErrFileClosed
	}
	return year, nil
}

// NewVerificationCode returns a random code of 10 characters from the
// base32 alphabet (A-Z, 2-7: no 0 or 1 to take for O or I), 50 bits.
func NewVerificationCode() string {
	return rand.Text()[:10]
}

// ErrYearChanged: the year turned while the registration waited for its
// number; roll back and register again.
var ErrYearChanged = errors.New("the year changed during registration: retry")

// Annul marks an entry annulled with a reason. It keeps its number.
func Annul(ctx context.Context, tx pgx.Tx, institution, id, by uuid.UUID, reason string) (Entry, error) {
	tag, err := tx.Exec(ctx, `UPDATE registry_entry SET annulled_at = now(), annulled_by = $3, annul_reason = $4
		WHERE institution_id = $1 AND id = $2 AND annulled_at IS NULL`, institution, id, nilIfZero(by), reason)
	if err != nil {
		return Entry{}, fmt.Errorf("annul entry %s: %w", id, err)
	}
	e, err := Get(ctx, tx, institution, id)
	if err != nil {
		return Entry{}, err
	}
	if tag.RowsAffected() == 0 {
		return e, ErrAlreadyAnnulled
	}
	return e, nil
}

// EntryColumns is the select list ScanEntry reads, over registry_entry e.
const EntryColumns = `e.institution_id, e.register_id, e.year, e.number, e.id, e.registered_at, e.direction, e.channel,
	e.sender, e.recipient, e.subject, e.pages, e.attachments, e.confidentiality, e.answers_entry, e.registered_by,
	e.annulled_at, e.annulled_by, coalesce(e.annul_reason, ''), e.file_id, e.party_account_id, e.verification_code,
	e.revision, e.updated_at`

// ScanEntry reads a row of EntryColumns.
func ScanEntry(r pgx.CollectableRow) (Entry, error) {
	var e Entry
	return e, scanEntry(r, &e)
}

// scanEntry reads a row of EntryColumns, and then of extra columns, into e
// and extra.
func scanEntry(r pgx.Row, e *Entry, extra ...any) error {
	var answers, by, annulledBy, file, party *uuid.UUID
	err := r.Scan(append([]any{&e.Institution, &e.Register, &e.Year, &e.Number, &e.ID, &e.RegisteredAt, &e.Direction, &e.Channel,
		&e.Sender, &e.Recipient, &e.Subject, &e.Pages, &e.Attachments, &e.Confidentiality, &answers, &by,
		&e.AnnulledAt, &annulledBy, &e.AnnulReason, &file, &party, &e.VerificationCode, &e.Revision, &e.UpdatedAt}, extra...)...)
	e.AnswersEntry, e.RegisteredBy, e.AnnulledBy, e.File, e.Party = orNil(answers), orNil(by), orNil(annulledBy), orNil(file), orNil(party)
	return err
}

// Get reads one entry.
func Get(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (Entry, error) {
	rows, err := tx.Query(ctx, `SELECT `+EntryColumns+` FROM registry_entry e WHERE e.institution_id = $1 AND e.id = $2`, institution, id)
	if err != nil {
		return Entry{}, fmt.Errorf("get entry %s: %w", id, err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, ScanEntry)
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get entry %s: %w", id, err)
	}
	return e, nil
}

// Correction is what a correction of an entry's metadata may change; nil
// fields stay as they are. Number, register, year, time, direction and
// channel never change.
type Correction struct {
	Sender          *string
	Recipient       *string
	Subject         *string
	Pages           *int
	Attachments     *int
	Confidentiality *string
	AnswersEntry    *uuid.UUID // uuid.Nil removes the link
	File            *uuid.UUID // uuid.Nil takes the entry out of its file
}

// correctable is the part of an entry a correction changes, as kept in
// registry_entry_revision.
type correctable struct {
	Sender          string    `json:"sender"`
	Recipient       string    `json:"recipient"`
	Subject         string    `json:"subject"`
	Pages           int       `json:"pages"`
	Attachments     int       `json:"attachments"`
	Confidentiality string    `json:"confidentiality"`
	AnswersEntry    uuid.UUID `json:"answersEntry"`
	File            uuid.UUID `json:"file"`
}

func correctableOf(e Entry) correctable {
	return correctable{e.Sender, e.Recipient, e.Subject, e.Pages, e.Attachments, e.Confidentiality, e.AnswersEntry, e.File}
}

// Correct applies c to the entry as its next revision and keeps the values
// it replaces, with who and why, in the entry's revisions. revision is the
// one the caller read: if the entry has moved on since, nothing changes and
// the error is ErrStale. An annulled entry can still be corrected (its
// record must stay accurate); a closed file takes no entry and gives none up.
func Correct(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, revision int, by uuid.UUID, reason string, c Correction) (before, after Entry, err error) {
	fail := func(err error) (Entry, Entry, error) {
		return Entry{}, Entry{}, fmt.Errorf("correct entry %s: %w", id, err)
	}
	rows, err := tx.Query(ctx, `SELECT `+EntryColumns+` FROM registry_entry e WHERE e.institution_id = $1 AND e.id = $2 FOR NO KEY UPDATE`, institution, id)
	if err != nil {
		return fail(err)
	}
	before, err = pgx.CollectExactlyOneRow(rows, ScanEntry)
	if errors.Is(err, pgx.ErrNoRows) {
		return fail(ErrNotFound)
	}
	if err != nil {
		return fail(err)
	}
	if before.Revision != revision {
		return fail(ErrStale)
	}
	after = before
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&after.Sender, c.Sender)
	set(&after.Recipient, c.Recipient)
	set(&after.Subject, c.Subject)
	set(&after.Confidentiality, c.Confidentiality)
	if c.Pages != nil {
		after.Pages = *c.Pages
	}
	if c.Attachments != nil {
		after.Attachments = *c.Attachments
	}
	if c.AnswersEntry != nil {
		after.AnswersEntry = *c.AnswersEntry
	}
	if c.File != nil && *c.File != before.File {
		for _, f := range []uuid.UUID{before.File, *c.File} {
			fileYear, err := checkFile(ctx, tx, institution, f)
			if err != nil {
				return fail(err)
			}
			if f == *c.File && f != uuid.Nil && fileYear != before.Year {
				return fail(ErrFileYear)
			}
		}
		after.File = *c.File
	}
	if correctableOf(after) == correctableOf(before) {
		return before, before, nil
	}
	old, err := json.Marshal(correctableOf(before))
	if err != nil {
		return fail(err)
	}
	updated, err := json.Marshal(correctableOf(after))
	if err != nil {
		return fail(err)
	}
	after.Revision = before.Revision + 1
	err = tx.QueryRow(ctx, `UPDATE registry_entry SET sender = $3, recipient = $4, subject = $5, pages = $6, attachments = $7,
			confidentiality = $8, answers_entry = $9, file_id = $10, revision = $11, updated_at = now(), updated_by = $12
		WHERE institution_id = $1 AND id = $2 RETURNING updated_at`,
		institution, id, after.Sender, after.Recipient, after.Subject, after.Pages, after.Attachments, after.Confidentiality,
		nilIfZero(after.AnswersEntry), nilIfZero(after.File), after.Revision, nilIfZero(by)).Scan(&after.UpdatedAt)
	if err != nil {
		return fail(constraintError(err))
	}
	_, err = tx.Exec(ctx, `INSERT INTO registry_entry_revision (institution_id, entry_id, revision, changed_by, reason, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, institution, id, after.Revision, nilIfZero(by), reason, old, updated)
	if err != nil {
		return fail(err)
	}
	if after.AnswersEntry != uuid.Nil && after.AnswersEntry != before.AnswersEntry {
		// The pointer names the entry it answers now; the links keep every
		// entry it was ever said to answer (a link is never removed).
		if _, err := AddLink(ctx, tx, institution, id, after.AnswersEntry, LinkAnswer, by, reason); err != nil {
			return fail(err)
		}
	}
	return before, after, nil
}

// Revision is one correction of an entry.
type Revision struct {
	Revision  int
	ChangedAt time.Time
	ChangedBy uuid.UUID
	Reason    string
	Before    json.RawMessage
	After     json.RawMessage
}

// Revisions lists the corrections of an entry, oldest first.
func Revisions(ctx context.Context, tx pgx.Tx, institution, entry uuid.UUID) ([]Revision, error) {
	rows, err := tx.Query(ctx, `SELECT revision, changed_at, changed_by, reason, before, after FROM registry_entry_revision
		WHERE institution_id = $1 AND entry_id = $2 ORDER BY revision`, institution, entry)
	if err != nil {
		return nil, fmt.Errorf("revisions of %s: %w", entry, err)
	}
	revs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Revision, error) {
		var v Revision
		var by *uuid.UUID
		err := r.Scan(&v.Revision, &v.ChangedAt, &by, &v.Reason, &v.Before, &v.After)
		v.ChangedBy = orNil(by)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("revisions of %s: %w", entry, err)
	}
	return revs, nil
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// Listed is an entry as a register's listing prints it: with the indicator
// of its file and the number of the entry it answers.
type Listed struct {
	Entry
	FileIndicator string
	// AnswersNumber and AnswersYear number the answered entry (0 when none);
	// AnswersRegister is its register's code.
	AnswersRegister string
	AnswersNumber   int64
	AnswersYear     int
	// AnsweredBy references ("CODE-number/year") the entries that answer
	// this one; Dispatched, the answers recorded under its own number
	// (AnswerSameNumber).
	AnsweredBy []string
	Dispatched []time.Time
}

// Period yields the entries of a register registered in [from, to), in
// the order of their numbers, as the register is printed. It reads row by
// row: a year of a busy register is never held in memory.
func Period(ctx context.Context, tx pgx.Tx, institution, register uuid.UUID, from, to time.Time) iter.Seq2[Listed, error] {
	return func(yield func(Listed, error) bool) {
		rows, err := tx.Query(ctx, `SELECT `+EntryColumns+`, coalesce(f.indicator, ''), coalesce(ar.code, ''),
				coalesce(a.number, 0), coalesce(a.year, 0),
				`+answeredByColumns+`
			FROM registry_entry e
			LEFT JOIN filing_file f ON f.institution_id = e.institution_id AND f.id = e.file_id
			LEFT JOIN registry_entry a ON a.institution_id = e.institution_id AND a.id = e.answers_entry
			LEFT JOIN register ar ON ar.institution_id = a.institution_id AND ar.id = a.register_id
			WHERE e.institution_id = $1 AND e.register_id = $2 AND e.registered_at >= $3 AND e.registered_at < $4
			ORDER BY e.year, e.number`, institution, register, from, to)
		if err != nil {
			yield(Listed{}, fmt.Errorf("register %s period: %w", register, err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var l Listed
			err := scanEntry(rows, &l.Entry, &l.FileIndicator, &l.AnswersRegister, &l.AnswersNumber, &l.AnswersYear,
				&l.AnsweredBy, &l.Dispatched)
			if err != nil {
				yield(Listed{}, fmt.Errorf("register %s period: %w", register, err))
				return
			}
			if !yield(l, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(Listed{}, fmt.Errorf("register %s period: %w", register, err))
		}
	}
}
