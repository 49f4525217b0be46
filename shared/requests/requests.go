// Package requests keeps citizens' requests: what was asked, with which
// request type version, its registration and legal deadline, its status,
// the history of every change and its files. Every change of status is an
// Action applied by Apply, whoever drives it (a clerk today, a workflow
// engine later), so the rules of what may follow what live in one place.
// All SQL of request, request_history and request_file is here.
package requests

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// Statuses of a request.
const (
	Submitted     = "submitted"
	Registered    = "registered"
	Assigned      = "assigned"
	InProgress    = "in_progress"
	InfoRequested = "info_requested"
	Extended      = "extended"
	Resolved      = "resolved"
	Rejected      = "rejected"
	FiledAway     = "filed_away"
	Forwarded     = "forwarded"
)

// Open reports whether a request in status s is still being worked on.
func Open(s string) bool {
	switch s {
	case Registered, Assigned, InProgress, InfoRequested, Extended:
		return true
	}
	return false
}

// Errors, usable with errors.Is.
var (
	ErrNotFound = errors.New("no such request")
	// ErrStale: the request changed since the caller read it.
	ErrStale = errors.New("the request changed since it was read")
	// ErrNotRegistered: staff act on a request once it has its number.
	ErrNotRegistered = errors.New("the request is not registered yet")
	// ErrClosed: the request is resolved, rejected, filed away or forwarded.
	ErrClosed = errors.New("the request is closed")
	// ErrTransition: the action does not apply in the request's status.
	ErrTransition = errors.New("the action does not apply to the request in its status")
	// ErrAlreadyExtended: the term is extended once.
	ErrAlreadyExtended = errors.New("the deadline was already extended once")
	// ErrExtension: the extension is longer than allowed (an
	// *ExtensionError says how long it may be).
	ErrExtension = errors.New("the extension is longer than allowed")
	// ErrExtensionLate: the term is prolonged after its last day (Law
	// 544/2001: the requester is told within the 10 days).
	ErrExtensionLate = errors.New("the term can no longer be extended: it has ended")
	// ErrNoteRequired: the action needs a text (a reason, a question, an answer).
	ErrNoteRequired = errors.New("the action needs a text")
	// ErrNoAnswer: a request is resolved with an answer document.
	ErrNoAnswer = errors.New("a request is resolved with an answer document")
	// ErrNoAssignee: an assignment names the clerk.
	ErrNoAssignee = errors.New("an assignment names the clerk")
	// ErrNoDestination: a forward names where the request goes.
	ErrNoDestination = errors.New("a forward names the institution it goes to")
	// ErrAlreadyRegistered: the request already has its number.
	ErrAlreadyRegistered = errors.New("the request is already registered")
)

// ExtensionError is an extension of Days outside 1 to Max, the most the
// request's law allows (15 days for a petition; 30 days in all for public
// information). It matches ErrExtension.
type ExtensionError struct{ Days, Max int }

func (e *ExtensionError) Error() string {
	return fmt.Sprintf("%s: %d days; 1 to %d", ErrExtension, e.Days, e.Max)
}

func (e *ExtensionError) Unwrap() error { return ErrExtension }

// ForwardDays is the term to forward a request addressed to the wrong
// institution (OG 27/2002 art. 6^1), from its registration.
const ForwardDays = 5

// Actor is who changes a request.
type Actor struct {
	Account uuid.UUID // uuid.Nil for the platform itself
	Kind    string    // an audit actor kind: citizen, staff, machine, system
	// For staff, filled when the change is written: their name and the
	// department they acted for, which sign the change as an institution
	// signs an answer.
	Name, Department string
}

// Request is a citizen's request.
type Request struct {
	Institution uuid.UUID
	ID          uuid.UUID
	Type        uuid.UUID
	TypeVersion int
	Applicant   uuid.UUID
	Department  uuid.UUID
	Register    uuid.UUID
	Title       string
	// DataSealed is the form data, sealed by the caller (package pii).
	DataSealed []byte
	// ApplicantSealed is the applicant's identification and contact at
	// submission (an Applicant as JSON), sealed by the caller; nil for
	// requests made before it was kept.
	ApplicantSealed []byte
	// ContentIndex is the blind index (pii.Index of ContentKind) of the
	// type and form data: identical petitions have the same. Optional.
	ContentIndex []byte
	// DuplicateOf is the earlier identical petition this one is linked to.
	DuplicateOf uuid.UUID
	Identified  bool
	Status      string
	Submitted   time.Time

	Entry            uuid.UUID
	RegisterCode     string
	Number           int64
	Year             int
	RegisteredAt     *time.Time
	VerificationCode string
	Deadline         *deadlines.Date
	ExtendedDays     int
	Assignee         uuid.UUID
	ClosedAt         *time.Time
	AnswerEntry      uuid.UUID
	AnswerNumber     int64
	UpdatedAt        time.Time
	Revision         int

	// From the type version.
	TypeCode    string
	TypeName    string
	Regime      string
	CustomDays  int
	WorkingDays bool
}

// DeadlineRegime is the request's term, as its type version defines it.
func (r Request) DeadlineRegime() deadlines.Regime {
	switch r.Regime {
	case requesttypes.Petition:
		return deadlines.Regime{Kind: deadlines.Petition}
	case requesttypes.PublicInformation:
		return deadlines.Regime{Kind: deadlines.PublicInformation}
	default:
		return deadlines.Regime{Kind: deadlines.Custom, Days: r.CustomDays, WorkingDays: r.WorkingDays}
	}
}

// CustomExtensionMaxDays caps the extension of a custom term (an internal
// one, or another law's): the petitions' 15 days, OG 27/2002 being the
// general law of requests to public authorities.
const CustomExtensionMaxDays = deadlines.PetitionExtensionMaxDays

// MaxExtensionDays is the most days by which r's term may be prolonged,
// once: 15 for a petition (OG 27/2002 art. 9) and a custom term, 20 for
// public information, which may take 30 days in all (Law 544/2001
// art. 7(1)).
func (r Request) MaxExtensionDays() int {
	regime := r.DeadlineRegime()
	n, err := deadlines.MaxExtension(regime)
	if err != nil {
		return 0 // a custom regime the type no longer validates: no extension
	}
	if regime.Kind == deadlines.Custom {
		n = min(n, CustomExtensionMaxDays)
	}
	return n
}

// RefusalDeadline is the last day for a reasoned refusal, when the
// request's law sets a term of its own for it (public information: 5 days,
// Law 544/2001 art. 7(2)); ok is false otherwise or before registration.
func (r Request) RefusalDeadline() (d deadlines.Date, ok bool) {
	if r.RegisteredAt == nil {
		return deadlines.Date{}, false
	}
	d, ok, err := deadlines.RefusalDeadline(*r.RegisteredAt, r.DeadlineRegime())
	return d, ok && err == nil
}

// DaysLeft is the calendar days from today to the deadline (negative once
// past); ok is false when there is no deadline.
func (r Request) DaysLeft(now time.Time) (days int, ok bool) {
	if r.Deadline == nil {
		return 0, false
	}
	return deadlines.DaysLeft(deadlines.DateOf(now), *r.Deadline), true
}

// File is a file of a request.
type File struct {
	ID        int64
	Kind      string // an attachment kind of the type, KindInfo or KindAnswer
	Title     string
	Name      string
	SHA256    string
	Size      int64
	MediaType string
	ObjectKey string
	HistoryID int64
	Document  uuid.UUID // the registry's document, once registered
	AddedBy   uuid.UUID
	AddedAt   time.Time
}

// Kinds of files that are not attachment kinds of a type.
const (
	KindInfo   = "info"   // sent with an answer to an information request
	KindAnswer = "answer" // the institution's answer
)

// Change is a row of a request's history.
type Change struct {
	ID        int64
	At        time.Time
	Action    string
	Status    string // after the change
	Actor     Actor
	Note      string
	Details   map[string]any
	Public    bool // the applicant sees it
	RequestID uuid.UUID
}

// Submit stores a new request, its submission in the history and its files.
func Submit(ctx context.Context, tx pgx.Tx, r Request, files []File, by Actor) (Request, Change, error) {
	if r.ID == uuid.Nil {
		r.ID = uuid.Must(uuid.NewV7())
	}
	r.Status = Submitted
	err := tx.QueryRow(ctx, `INSERT INTO request (institution_id, id, type_id, type_version, applicant_id, department_id,
			register_id, title, data_sealed, identified, applicant_sealed, content_index)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING submitted_at, updated_at, revision`,
		r.Institution, r.ID, r.Type, r.TypeVersion, r.Applicant, r.Department, r.Register, r.Title, r.DataSealed,
		r.Identified, r.ApplicantSealed, r.ContentIndex).Scan(&r.Submitted, &r.UpdatedAt, &r.Revision)
	if err != nil {
		return Request{}, Change{}, fmt.Errorf("submit request: %w", err)
	}
	c, err := addChange(ctx, tx, r, Change{Action: "submit", Status: Submitted, Actor: by, Public: true})
	if err != nil {
		return Request{}, Change{}, fmt.Errorf("submit request: %w", err)
	}
	if err := addFiles(ctx, tx, r, c.ID, by, files); err != nil {
		return Request{}, Change{}, fmt.Errorf("submit request: %w", err)
	}
	got, err := Get(ctx, tx, r.Institution, r.ID)
	return got, c, err
}

func addChange(ctx context.Context, tx pgx.Tx, r Request, c Change) (Change, error) {
	details := c.Details
	if details == nil {
		details = map[string]any{}
	}
	b, err := json.Marshal(details)
	if err != nil {
		return Change{}, err
	}
	c.RequestID = r.ID
	if c.Actor.Kind == "staff" && c.Actor.Account != uuid.Nil {
		// The signature: the staff member (an account of this institution,
		// which row-level security shows it) and the department the
		// request was in when they acted.
		var name, dept *string
		if err := tx.QueryRow(ctx, `SELECT (SELECT display_name FROM account WHERE id = $1),
				(SELECT name FROM department WHERE institution_id = $2 AND id = $3)`,
			c.Actor.Account, r.Institution, r.Department).Scan(&name, &dept); err != nil {
			return Change{}, fmt.Errorf("history of %s: who acted: %w", r.ID, err)
		}
		c.Actor.Name, c.Actor.Department = deref(name), deref(dept)
	}
	err = tx.QueryRow(ctx, `INSERT INTO request_history (institution_id, request_id, action, status, actor_id, actor_kind,
			note, details, public, actor_name, actor_department)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, nullif($10, ''), nullif($11, '')) RETURNING id, at`,
		r.Institution, r.ID, c.Action, c.Status, nilIfZero(c.Actor.Account), c.Actor.Kind, c.Note, b, c.Public,
		c.Actor.Name, c.Actor.Department).
		Scan(&c.ID, &c.At)
	if err != nil {
		return Change{}, fmt.Errorf("history of %s: %w", r.ID, err)
	}
	return c, nil
}

func addFiles(ctx context.Context, tx pgx.Tx, r Request, history int64, by Actor, files []File) error {
	for _, f := range files {
		_, err := tx.Exec(ctx, `INSERT INTO request_file (institution_id, request_id, kind, title, name, sha256, size,
				media_type, object_key, history_id, added_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			r.Institution, r.ID, f.Kind, f.Title, f.Name, f.SHA256, f.Size, f.MediaType, f.ObjectKey, history,
			nilIfZero(by.Account))
		if err != nil {
			return fmt.Errorf("file %s of %s: %w", f.Name, r.ID, err)
		}
	}
	return nil
}

const requestColumns = `r.institution_id, r.id, r.type_id, r.type_version, r.applicant_id, r.department_id, r.register_id,
	r.title, r.data_sealed, r.applicant_sealed, r.identified, r.status, r.submitted_at, r.entry_id, coalesce(r.register_code, ''),
	coalesce(r.number, 0), coalesce(r.year, 0), r.registered_at, coalesce(r.verification_code, ''), r.deadline,
	coalesce(r.extended_days, 0), r.assignee_id, r.closed_at, r.answer_entry_id, coalesce(r.answer_number, 0),
	r.updated_at, r.revision, t.code, v.name, v.regime, coalesce(v.custom_days, 0), v.working_days, r.content_index, r.duplicate_of`

// The type version is read without its row-level policy's "published"
// filter being a problem: a request is only ever made with a published one.
const requestFrom = ` FROM request r
	JOIN request_type t ON t.institution_id = r.institution_id AND t.id = r.type_id
	JOIN request_type_version v ON v.institution_id = r.institution_id AND v.type_id = r.type_id AND v.version = r.type_version`

func scanRequest(row pgx.CollectableRow) (Request, error) {
	var r Request
	var entry, assignee, answer, duplicateOf *uuid.UUID
	var deadline *time.Time
	err := row.Scan(&r.Institution, &r.ID, &r.Type, &r.TypeVersion, &r.Applicant, &r.Department, &r.Register, &r.Title,
		&r.DataSealed, &r.ApplicantSealed, &r.Identified, &r.Status, &r.Submitted, &entry, &r.RegisterCode, &r.Number, &r.Year,
		&r.RegisteredAt, &r.VerificationCode, &deadline, &r.ExtendedDays, &assignee, &r.ClosedAt, &answer,
		&r.AnswerNumber, &r.UpdatedAt, &r.Revision, &r.TypeCode, &r.TypeName, &r.Regime, &r.CustomDays, &r.WorkingDays,
		&r.ContentIndex, &duplicateOf)
	if err != nil {
		return Request{}, err
	}
	r.Entry, r.Assignee, r.AnswerEntry, r.DuplicateOf = orNil(entry), orNil(assignee), orNil(answer), orNil(duplicateOf)
	if deadline != nil {
		d := deadlines.Date{Year: deadline.Year(), Month: deadline.Month(), Day: deadline.Day()}
		r.Deadline = &d
	}
	return r, nil
}

// Get reads a request.
func Get(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (Request, error) {
	return getRequest(ctx, tx, institution, id, "")
}

// getRequest reads a request, locking it with lock ("FOR UPDATE OF r") when given.
func getRequest(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, lock string) (Request, error) {
	rows, err := tx.Query(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.institution_id = $1 AND r.id = $2 `+lock,
		institution, id)
	if err != nil {
		return Request{}, fmt.Errorf("get request %s: %w", id, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanRequest)
	if errors.Is(err, pgx.ErrNoRows) {
		return Request{}, ErrNotFound
	}
	if err != nil {
		return Request{}, fmt.Errorf("get request %s: %w", id, err)
	}
	return r, nil
}

// History lists a request's changes in order; publicOnly keeps those the
// applicant sees.
func History(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, publicOnly bool) ([]Change, error) {
	rows, err := tx.Query(ctx, `SELECT id, at, action, status, actor_id, actor_kind, note, details, public,
			coalesce(actor_name, ''), coalesce(actor_department, '') FROM request_history
		WHERE institution_id = $1 AND request_id = $2 AND (public OR NOT $3) ORDER BY id`, institution, id, publicOnly)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	changes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Change, error) {
		var c Change
		var actor *uuid.UUID
		var details []byte
		if err := row.Scan(&c.ID, &c.At, &c.Action, &c.Status, &actor, &c.Actor.Kind, &c.Note, &details, &c.Public,
			&c.Actor.Name, &c.Actor.Department); err != nil {
			return Change{}, err
		}
		c.Actor.Account, c.RequestID = orNil(actor), id
		return c, json.Unmarshal(details, &c.Details)
	})
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	return changes, nil
}

// GetChange reads one row of a request's history.
func GetChange(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, change int64) (Change, error) {
	all, err := History(ctx, tx, institution, id, false)
	if err != nil {
		return Change{}, err
	}
	for _, c := range all {
		if c.ID == change {
			return c, nil
		}
	}
	return Change{}, ErrNotFound
}

// Files lists a request's files in the order they came.
func Files(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) ([]File, error) {
	rows, err := tx.Query(ctx, `SELECT id, kind, title, name, sha256, size, media_type, object_key, history_id, document_id,
			added_by, added_at
		FROM request_file WHERE institution_id = $1 AND request_id = $2 ORDER BY id`, institution, id)
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", id, err)
	}
	files, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (File, error) {
		var f File
		var doc, by *uuid.UUID
		err := row.Scan(&f.ID, &f.Kind, &f.Title, &f.Name, &f.SHA256, &f.Size, &f.MediaType, &f.ObjectKey, &f.HistoryID,
			&doc, &by, &f.AddedAt)
		f.Document, f.AddedBy = orNil(doc), orNil(by)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", id, err)
	}
	return files, nil
}

// Registration is what the registry answered for a request.
type Registration struct {
	Entry            uuid.UUID
	RegisterCode     string
	Number           int64
	Year             int
	RegisteredAt     time.Time
	VerificationCode string
	// Documents maps a file's SHA-256 to the registry's document made of it.
	Documents map[string]uuid.UUID
}

// Register records the request's registration and computes its legal
// deadline. A petition whose petitioner is not identified is then filed
// away, as OG 27/2002 art. 7 says: it keeps its number. The changes are
// returned in order, one event each.
func Register(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, reg Registration) (Request, []Change, error) {
	r, err := getRequest(ctx, tx, institution, id, "FOR UPDATE OF r")
	if err != nil {
		return Request{}, nil, err
	}
	if r.Number != 0 {
		return Request{}, nil, ErrAlreadyRegistered
	}
	deadline, err := deadlines.Deadline(reg.RegisteredAt, r.DeadlineRegime())
	if err != nil {
		return Request{}, nil, fmt.Errorf("deadline of %s: %w", id, err)
	}
	status, closed := Registered, (*time.Time)(nil)
	fileAway := r.Regime == requesttypes.Petition && !r.Identified
	if fileAway {
		status, closed = FiledAway, &reg.RegisteredAt
	}
	_, err = tx.Exec(ctx, `UPDATE request SET status = $3, entry_id = $4, register_code = $5, number = $6, year = $7,
			registered_at = $8, verification_code = $9, deadline = $10::date, closed_at = $11, updated_at = now(),
			revision = revision + 1
		WHERE institution_id = $1 AND id = $2`,
		institution, id, status, reg.Entry, reg.RegisterCode, reg.Number, reg.Year, reg.RegisteredAt, reg.VerificationCode,
		deadline.String(), closed)
	if err != nil {
		return Request{}, nil, fmt.Errorf("register request %s: %w", id, err)
	}
	for sha, doc := range reg.Documents {
		if _, err := tx.Exec(ctx, `UPDATE request_file SET document_id = $4
			WHERE institution_id = $1 AND request_id = $2 AND sha256 = $3 AND document_id IS NULL`,
			institution, id, sha, doc); err != nil {
			return Request{}, nil, fmt.Errorf("register request %s: %w", id, err)
		}
	}
	system := Actor{Kind: "system"}
	changes := []Change{{Action: "register", Status: Registered, Actor: system, Public: true,
		Details: map[string]any{"number": reg.Number, "year": reg.Year, "registerCode": reg.RegisterCode, "deadline": deadline.String()}}}
	if fileAway {
		changes = append(changes, Change{Action: "file", Status: FiledAway, Actor: system, Public: true,
			Note: "Petiția nu conține datele de identificare ale petiționarului și se clasează (OG 27/2002, art. 7)."})
	}
	for i, c := range changes {
		if changes[i], err = addChange(ctx, tx, r, c); err != nil {
			return Request{}, nil, err
		}
	}
	if r, err = Get(ctx, tx, institution, id); err != nil {
		return Request{}, nil, err
	}
	more, err := linkDuplicate(ctx, tx, r)
	if err != nil {
		return Request{}, nil, err
	}
	if len(more) == 0 {
		return r, changes, nil
	}
	r, err = Get(ctx, tx, institution, id)
	return r, append(changes, more...), err
}

// RegisterAnswer records the registration of the institution's answer
// (outgoing, linked to the request's entry).
func RegisterAnswer(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, reg Registration) (Request, Change, error) {
	r, err := getRequest(ctx, tx, institution, id, "FOR UPDATE OF r")
	if err != nil {
		return Request{}, Change{}, err
	}
	if r.AnswerNumber != 0 {
		return Request{}, Change{}, ErrAlreadyRegistered
	}
	_, err = tx.Exec(ctx, `UPDATE request SET answer_entry_id = $3, answer_number = $4, updated_at = now(), revision = revision + 1
		WHERE institution_id = $1 AND id = $2`, institution, id, reg.Entry, reg.Number)
	if err != nil {
		return Request{}, Change{}, fmt.Errorf("register answer of %s: %w", id, err)
	}
	// The identical petitions resolved with this answer have it too.
	if _, err = tx.Exec(ctx, `UPDATE request SET answer_entry_id = $3, answer_number = $4, updated_at = now(), revision = revision + 1
		WHERE institution_id = $1 AND duplicate_of = $2 AND status = 'resolved' AND answer_number IS NULL`,
		institution, id, reg.Entry, reg.Number); err != nil {
		return Request{}, Change{}, fmt.Errorf("register answer of %s: %w", id, err)
	}
	for sha, doc := range reg.Documents {
		if _, err := tx.Exec(ctx, `UPDATE request_file SET document_id = $4
			WHERE institution_id = $1 AND request_id = $2 AND sha256 = $3 AND kind = 'answer' AND document_id IS NULL`,
			institution, id, sha, doc); err != nil {
			return Request{}, Change{}, fmt.Errorf("register answer of %s: %w", id, err)
		}
	}
	c, err := addChange(ctx, tx, r, Change{Action: "answer_registered", Status: r.Status, Actor: Actor{Kind: "system"},
		Public: true, Details: map[string]any{"number": reg.Number, "year": reg.Year, "registerCode": reg.RegisterCode}})
	if err != nil {
		return Request{}, Change{}, err
	}
	r, err = Get(ctx, tx, institution, id)
	return r, c, err
}

// Public is what anyone holding a request's number, year and verification
// code may learn: nothing personal.
type Public struct {
	Status       string
	TypeName     string
	RegisterCode string
	Number       int64
	Year         int
	RegisteredAt time.Time
	Deadline     deadlines.Date
	UpdatedAt    time.Time
}

// PublicStatus finds a request by its number, year and verification code,
// the code as someone copied it (in any case, with spaces).
func PublicStatus(ctx context.Context, tx pgx.Tx, institution uuid.UUID, year int, number int64, code string) (Public, error) {
	code = registry.CanonicalVerificationCode(code)
	rows, err := tx.Query(ctx, `SELECT `+requestColumns+requestFrom+`
		WHERE r.institution_id = $1 AND r.year = $2 AND r.number = $3`, institution, year, number)
	if err != nil {
		return Public{}, fmt.Errorf("public status: %w", err)
	}
	found, err := pgx.CollectRows(rows, scanRequest)
	if err != nil {
		return Public{}, fmt.Errorf("public status: %w", err)
	}
	for _, r := range found {
		if subtle.ConstantTimeCompare([]byte(r.VerificationCode), []byte(code)) == 1 && r.Deadline != nil {
			return Public{Status: r.Status, TypeName: r.TypeName, RegisterCode: r.RegisterCode, Number: r.Number, Year: r.Year,
				RegisteredAt: *r.RegisteredAt, Deadline: *r.Deadline, UpdatedAt: r.UpdatedAt}, nil
		}
	}
	return Public{}, ErrNotFound
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
