package requests

import (
	"fmt"
	"time"

	"github.com/google/uuid"
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
	Revision      int               `json:"revision"`
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
		DepartmentID: r.Department, AssigneeID: ptr(r.Assignee), ClosedAt: r.ClosedAt, Revision: r.Revision}
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
	if r.AnswerNumber != 0 {
		s.Answer = &AnswerNumber{EntryID: r.AnswerEntry, Number: r.AnswerNumber}
	}
	return s
}

// HistoryRow is a row of a request's history as the API shows it.
type HistoryRow struct {
	ID      int64          `json:"id"`
	At      time.Time      `json:"at"`
	Action  string         `json:"action"`
	Status  string         `json:"status"`
	ActorID *uuid.UUID     `json:"actorId"`
	Actor   string         `json:"actorKind"`
	Note    string         `json:"note"`
	Details map[string]any `json:"details"`
}

// Row describes c.
func Row(c Change) HistoryRow {
	return HistoryRow{ID: c.ID, At: c.At, Action: c.Action, Status: c.Status, ActorID: ptr(c.Actor.Account),
		Actor: c.Actor.Kind, Note: c.Note, Details: c.Details}
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
