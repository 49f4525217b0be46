package requests

import (
	"time"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/events"
)

// EventData is the data of every ro.ghiseu.request.* event: ids and the
// registration, never personal data.
type EventData struct {
	RequestID    uuid.UUID  `json:"requestId"`
	TypeID       uuid.UUID  `json:"typeId"`
	TypeCode     string     `json:"typeCode"`
	TypeVersion  int        `json:"typeVersion"`
	Applicant    *uuid.UUID `json:"applicantAccountId"`
	DepartmentID uuid.UUID  `json:"departmentId"`
	Status       string     `json:"status"`
	HistoryID    int64      `json:"historyId"`
	At           time.Time  `json:"at"`
	RegisterCode *string    `json:"registerCode"`
	Number       *int64     `json:"number"`
	Year         *int       `json:"year"`
	RegisteredAt *time.Time `json:"registeredAt"`
	Deadline     *string    `json:"deadline"`
	EntryID      *uuid.UUID `json:"entryId"`
	Assignee     *uuid.UUID `json:"assigneeAccountId"`
	Actor        *uuid.UUID `json:"actorAccountId"`
	// Term is which term a deadline reminder is about (TermAnswer,
	// TermRefusal); absent elsewhere, and absent in a reminder means the
	// answer's.
	Term string `json:"term,omitempty"`
	// RefusalDeadline is the last day for a reasoned refusal, in a
	// reminder of that term.
	RefusalDeadline *string `json:"refusalDeadline,omitempty"`
}

// The terms a deadline reminder (ro.ghiseu.request.deadline.approaching)
// is about: the answer's, or public information's 5 days for a reasoned
// refusal (Law 544/2001 art. 7(2)).
const (
	TermAnswer  = "answer"
	TermRefusal = "refusal"
)

// Reminder is the data of a reminder of r's term (TermAnswer or
// TermRefusal), historyID being its latest change; ok is false when r has
// no such term.
func Reminder(r Request, term string, historyID int64, at time.Time) (d EventData, ok bool) {
	d = Data(r, historyID, r.Status, at, uuid.Nil)
	d.Term = term
	switch term {
	case TermAnswer:
		return d, r.Deadline != nil
	case TermRefusal:
		end, ok := r.RefusalDeadline()
		if !ok {
			return EventData{}, false
		}
		s := end.String()
		d.RefusalDeadline = &s
		return d, true
	}
	return EventData{}, false
}

// eventTypes names the event of each history action; actions without one
// announce nothing.
func eventTypes() map[string]string {
	return map[string]string{
		"submit":       events.TypeRequestSubmitted,
		"register":     events.TypeRequestRegistered,
		ActAssign:      events.TypeRequestAssigned,
		ActStart:       events.TypeRequestStarted,
		ActAskInfo:     events.TypeRequestInfoRequested,
		ActProvideInfo: events.TypeRequestInfoProvided,
		ActExtend:      events.TypeRequestExtended,
		ActResolve:     events.TypeRequestResolved,
		ActReject:      events.TypeRequestRejected,
		ActForward:     events.TypeRequestForwarded,
		ActFile:        events.TypeRequestFiled,
	}
}

// Event is the event announcing change c of r (as r is after it); ok is
// false when the change announces none.
func Event(r Request, c Change) (eventType string, data EventData, ok bool) {
	eventType, ok = eventTypes()[c.Action]
	if !ok {
		return "", EventData{}, false
	}
	return eventType, Data(r, c.ID, c.Status, c.At, c.Actor.Account), true
}

// Data describes r for an event about history row historyID.
func Data(r Request, historyID int64, status string, at time.Time, actor uuid.UUID) EventData {
	d := EventData{RequestID: r.ID, TypeID: r.Type, TypeCode: r.TypeCode, TypeVersion: r.TypeVersion,
		Applicant: ptr(r.Applicant), DepartmentID: r.Department, Status: status, HistoryID: historyID, At: at,
		EntryID: ptr(r.Entry), Assignee: ptr(r.Assignee), Actor: ptr(actor), RegisteredAt: r.RegisteredAt}
	if r.Number != 0 {
		d.RegisterCode, d.Number, d.Year = &r.RegisterCode, &r.Number, &r.Year
	}
	if r.Deadline != nil {
		s := r.Deadline.String()
		d.Deadline = &s
	}
	return d
}

func ptr(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
