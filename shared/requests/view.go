package requests

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/deadlines"
)

// Summary is a request as the API shows it in lists and at the top of its
// detail, to the applicant and to staff alike.
type Summary struct {
	ID            uuid.UUID         `json:"id"`
	InstitutionID uuid.UUID         `json:"institutionId"`
	Type          TypeRef           `json:"type"`
	Title         string            `json:"title"`
	Status        string            `json:"status"`
	SubmittedAt   time.Time         `json:"submittedAt"`
	Registration  *RegistrationView `json:"registration"`
	Deadline      *string           `json:"deadline"`
	DaysLeft      *int              `json:"daysLeft"`
	Overdue       bool              `json:"overdue"`
	ExtendedDays  int               `json:"extendedDays"`
	DepartmentID  uuid.UUID         `json:"departmentId"`
	AssigneeID    *uuid.UUID        `json:"assigneeId"`
	ClosedAt      *time.Time        `json:"closedAt"`
	Answer        *AnswerNumber     `json:"answer"`
	// DuplicateOf is the earlier identical petition of the same applicant
	// this one is linked to (OG 27/2002 art. 16), or null.
	DuplicateOf *uuid.UUID `json:"duplicateOf"`
	Revision    int        `json:"revision"`

	// MaxExtensionDays: the one extension the law allows, while the request
	// is open, not yet extended and its term not over (0 otherwise).
	MaxExtensionDays int `json:"maxExtensionDays"`
	// RefusalDeadline: the last day for a reasoned refusal when the law
	// sets one (public information: 5 days), null otherwise.
	RefusalDeadline *string `json:"refusalDeadline"`
}

// TypeRef names the request type version a request was made with.
type TypeRef struct {
	ID      uuid.UUID `json:"id"`
	Code    string    `json:"code"`
	Version int       `json:"version"`
	Name    string    `json:"name"`
}

// RegistrationView is a request's registration.
type RegistrationView struct {
	EntryID          uuid.UUID `json:"entryId"`
	RegisterCode     string    `json:"registerCode"`
	Number           int64     `json:"number"`
	Year             int       `json:"year"`
	RegisteredAt     time.Time `json:"registeredAt"`
	VerificationCode string    `json:"verificationCode"`
	// ReceiptURL is where the applicant (and staff) download the receipt.
	ReceiptURL string `json:"receiptUrl"`
}

// AnswerNumber is the registration of the institution's answer.
type AnswerNumber struct {
	EntryID uuid.UUID `json:"entryId"`
	Number  int64     `json:"number"`
}

// Summarize describes r as of now.
func Summarize(r Request, now time.Time) Summary {
	s := Summary{ID: r.ID, InstitutionID: r.Institution, Type: TypeRef{ID: r.Type, Code: r.TypeCode, Version: r.TypeVersion,
		Name: r.TypeName}, Title: r.Title, Status: r.Status, SubmittedAt: r.Submitted, ExtendedDays: r.ExtendedDays,
		DepartmentID: r.Department, AssigneeID: ptr(r.Assignee), ClosedAt: r.ClosedAt, Revision: r.Revision,
		DuplicateOf: ptr(r.DuplicateOf)}
	if r.Number != 0 {
		s.Registration = &RegistrationView{EntryID: r.Entry, RegisterCode: r.RegisterCode, Number: r.Number, Year: r.Year,
			RegisteredAt: *r.RegisteredAt, VerificationCode: r.VerificationCode,
			ReceiptURL: "/api/institutions/" + r.Institution.String() + "/registry-entries/" + r.Entry.String() + "/receipt"}
	}
	if r.Deadline != nil {
		d := r.Deadline.String()
		s.Deadline = &d
		if Open(r.Status) {
			left, _ := r.DaysLeft(now)
			s.DaysLeft, s.Overdue = &left, left < 0
		}
	}
	if Open(r.Status) && r.Deadline != nil && r.ExtendedDays == 0 && !deadlines.DateOf(now).After(*r.Deadline) {
		s.MaxExtensionDays = r.MaxExtensionDays()
	}
	if due, ok := r.RefusalDeadline(); ok {
		d := due.String()
		s.RefusalDeadline = &d
	}
	if r.AnswerNumber != 0 {
		s.Answer = &AnswerNumber{EntryID: r.AnswerEntry, Number: r.AnswerNumber}
	}
	return s
}

// SummarizeForApplicant describes r to its applicant: without who it is
// assigned to, which is the institution's own business (as the assignment
// is not in the applicant's history).
func SummarizeForApplicant(r Request, now time.Time) Summary {
	s := Summarize(r, now)
	s.AssigneeID = nil
	return s
}

// HistoryRow is a row of a request's history as the API shows it.
type HistoryRow struct {
	ID      int64      `json:"id"`
	At      time.Time  `json:"at"`
	Action  string     `json:"action"`
	Status  string     `json:"status"`
	ActorID *uuid.UUID `json:"actorId"`
	Actor   string     `json:"actorKind"`
	// ActorName and ActorDepartment sign a staff member's change (empty for
	// anyone else, and for changes written before they were kept).
	ActorName       string         `json:"actorName,omitempty"`
	ActorDepartment string         `json:"actorDepartment,omitempty"`
	Note            string         `json:"note"`
	Details         map[string]any `json:"details"`
}

// Row describes c.
func Row(c Change) HistoryRow {
	return HistoryRow{ID: c.ID, At: c.At, Action: c.Action, Status: c.Status, ActorID: ptr(c.Actor.Account),
		Actor: c.Actor.Kind, ActorName: c.Actor.Name, ActorDepartment: c.Actor.Department, Note: c.Note, Details: c.Details}
}

// ApplicantRow describes c to its applicant: a staff member is named as
// they sign (name and department), and nothing else of them is shown, not
// even which account they are.
func ApplicantRow(c Change) HistoryRow {
	row := Row(c)
	if c.Actor.Kind == "staff" {
		row.ActorID = nil
	}
	return row
}

// Applicant is who made a request, as their account said at submission:
// what the department handling it needs to know who applied and how to
// reach them. The CNP is kept and shown masked only.
type Applicant struct {
	Kind      string `json:"kind"` // person or company
	Name      string `json:"name"`
	CNPMasked string `json:"cnpMasked,omitempty"`
	CUI       string `json:"cui,omitempty"`
	Email     string `json:"email"`
	Phone     string `json:"phone,omitempty"`
	// Address is the one the form gave, if it asked for one.
	Address string `json:"address,omitempty"`
}

// FormAddress is the postal address a request's form data gives at its top
// level ("address", "postalAddress" or "adresa"): a text as written, or an
// object's parts (street, number, locality, county, postal code) joined.
// It is empty when the form gives none.
func FormAddress(data json.RawMessage) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return ""
	}
	for _, name := range []string{"address", "postalAddress", "adresa"} {
		raw, ok := top[name]
		if !ok {
			continue
		}
		var text string
		if json.Unmarshal(raw, &text) == nil && strings.TrimSpace(text) != "" {
			return strings.TrimSpace(text)
		}
		var parts map[string]any
		if json.Unmarshal(raw, &parts) != nil {
			continue
		}
		var out []string
		for _, key := range []string{"street", "number", "locality", "county", "postalCode"} {
			if v, ok := parts[key].(string); ok && strings.TrimSpace(v) != "" {
				out = append(out, strings.TrimSpace(v))
			}
		}
		if len(out) > 0 {
			return strings.Join(out, ", ")
		}
	}
	return ""
}

// Path is where a request is read (submit-request's route): by its
// applicant, and by staff who read its department's requests.
func Path(institution, id uuid.UUID) string {
	return "/api/institutions/" + institution.String() + "/requests/" + id.String()
}

// FilePath is where a file of a request is downloaded (submit-request's
// route), by whoever may read the request.
func FilePath(institution, id uuid.UUID, file int64) string {
	return fmt.Sprintf("%s/files/%d", Path(institution, id), file)
}

// SealContext binds a request's sealed form data to the request: a sealed
// value copied to another request does not open. Whoever seals or opens
// the data (submit-request, auth's export) uses it.
func SealContext(institution, id uuid.UUID) string {
	return "request.data:" + institution.String() + ":" + id.String()
}
