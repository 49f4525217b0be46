package requests

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/deadlines"
)

// Actions on a request. Each is one history row and one event.
const (
	ActAssign      = "assign"       // to a clerk
	ActStart       = "start"        // the clerk takes it up
	ActAskInfo     = "ask_info"     // ask the applicant for information
	ActProvideInfo = "provide_info" // the applicant answers
	ActExtend      = "extend"       // prolong the term, once
	ActResolve     = "resolve"      // answer, with a document
	ActReject      = "reject"       // refuse, with a reason
	ActForward     = "forward"      // send to the competent institution
	ActFile        = "file"         // file away (clasare), with a reason
)

// Action is a change someone asks of a request.
type Action struct {
	Kind string
	By   Actor
	// Note is the question, the answer or the reason.
	Note string
	// Assignee is the clerk (ActAssign).
	Assignee uuid.UUID
	// Days is the extension (ActExtend).
	Days int
	// Destination is the institution it is forwarded to (ActForward), by
	// name; DestinationID when it is on the platform.
	Destination   string
	DestinationID uuid.UUID
	// Files come with the action: the applicant's (ActProvideInfo), the
	// answer (ActResolve, at least one of kind KindAnswer).
	Files []File
	// Revision, when not zero, must be the request's current one.
	Revision int
	// At is when it happens; zero means now.
	At time.Time
}

// transition says from which statuses an action applies and the status
// it leaves; "" keeps the current one.
type transition struct {
	from []string
	to   string
}

// transitions is the table of what may follow what: the whole state
// machine. A workflow engine drives the same table.
func transitions() map[string]transition {
	open := []string{Registered, Assigned, InProgress, InfoRequested, Extended}
	return map[string]transition{
		ActAssign:      {from: open},
		ActStart:       {from: []string{Registered, Assigned}, to: InProgress},
		ActAskInfo:     {from: []string{Registered, Assigned, InProgress, Extended}, to: InfoRequested},
		ActProvideInfo: {from: []string{InfoRequested}, to: InProgress},
		ActExtend:      {from: []string{Registered, Assigned, InProgress, Extended}, to: Extended},
		ActResolve:     {from: open, to: Resolved},
		ActReject:      {from: open, to: Rejected},
		ActForward:     {from: open, to: Forwarded},
		ActFile:        {from: open, to: FiledAway},
	}
}

// Apply applies a to the request, in tx: checks that it may follow the
// request's status, records it in the history with its files, and returns
// the request as it now is and the change (announce it with Event).
func Apply(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, a Action) (Request, Change, error) {
	tr, ok := transitions()[a.Kind]
	if !ok {
		return Request{}, Change{}, fmt.Errorf("%w: unknown action %q", ErrTransition, a.Kind)
	}
	r, err := getRequest(ctx, tx, institution, id, "FOR UPDATE OF r")
	if err != nil {
		return Request{}, Change{}, err
	}
	if a.Revision != 0 && a.Revision != r.Revision {
		return Request{}, Change{}, ErrStale
	}
	switch {
	case r.Status == Submitted:
		return Request{}, Change{}, ErrNotRegistered
	case !Open(r.Status):
		return Request{}, Change{}, ErrClosed
	case !slices.Contains(tr.from, r.Status):
		return Request{}, Change{}, fmt.Errorf("%w: %s on a request %s", ErrTransition, a.Kind, r.Status)
	}
	if a.At.IsZero() {
		a.At = time.Now()
	}
	a.Note = strings.TrimSpace(a.Note)
	c := Change{Action: a.Kind, Status: tr.to, Actor: a.By, Note: a.Note, Public: true, Details: map[string]any{}}
	if c.Status == "" {
		c.Status = r.Status
	}
	set := map[string]any{}

	switch a.Kind {
	case ActAssign:
		if a.Assignee == uuid.Nil {
			return Request{}, Change{}, ErrNoAssignee
		}
		if r.Status == Registered || r.Status == Assigned {
			c.Status = Assigned
		}
		set["assignee_id"] = a.Assignee
		c.Details["assignee"] = a.Assignee.String()
		// Who works on it inside the institution is not the applicant's business.
		c.Public = false
	case ActStart:
		if r.Assignee == uuid.Nil && a.By.Account != uuid.Nil {
			set["assignee_id"] = a.By.Account
		}
		c.Public = false
	case ActAskInfo, ActReject, ActFile, ActProvideInfo:
		if a.Note == "" {
			return Request{}, Change{}, ErrNoteRequired
		}
		// A refusal after the law's own term for it (Law 544/2001
		// art. 7(2): 5 days) is recorded as late, not refused: the
		// requester is owed the answer all the same.
		if due, ok := r.RefusalDeadline(); ok && a.Kind == ActReject {
			c.Details["refusalDeadline"] = due.String()
			c.Details["late"] = deadlines.DateOf(a.At).After(due)
		}
	case ActExtend:
		if a.Note == "" {
			return Request{}, Change{}, ErrNoteRequired
		}
		if r.ExtendedDays != 0 {
			return Request{}, Change{}, ErrAlreadyExtended
		}
		if most := r.MaxExtensionDays(); a.Days < 1 || a.Days > most {
			return Request{}, Change{}, &ExtensionError{Days: a.Days, Max: most}
		}
		// Announced to the applicant with this change, so a.At is when
		// they are told: within the term being prolonged.
		deadline, err := deadlines.ExtendedOn(*r.RegisteredAt, a.At, r.DeadlineRegime(), a.Days)
		if errors.Is(err, deadlines.ErrExtensionLate) {
			return Request{}, Change{}, fmt.Errorf("%w: %w", ErrExtensionLate, err)
		}
		if err != nil {
			return Request{}, Change{}, fmt.Errorf("%w: %w", ErrExtension, err)
		}
		set["extended_days"], set["deadline"] = a.Days, deadline.String()
		c.Details["days"], c.Details["deadline"] = a.Days, deadline.String()
	case ActResolve:
		if !hasKind(a.Files, KindAnswer) {
			return Request{}, Change{}, ErrNoAnswer
		}
	case ActForward:
		a.Destination = strings.TrimSpace(a.Destination)
		if a.Destination == "" {
			return Request{}, Change{}, ErrNoDestination
		}
		c.Details["destination"] = a.Destination
		if a.DestinationID != uuid.Nil {
			c.Details["destinationId"] = a.DestinationID.String()
		}
		// Late is recorded, not refused: a request sent to the wrong
		// institution must still reach the right one.
		limit := deadlines.DateOf(*r.RegisteredAt).AddDays(ForwardDays)
		c.Details["late"] = deadlines.DateOf(a.At).After(limit)
	}
	if !Open(c.Status) {
		set["closed_at"] = a.At
	}
	if err := update(ctx, tx, r, c.Status, set); err != nil {
		return Request{}, Change{}, err
	}
	if c, err = addChange(ctx, tx, r, c); err != nil {
		return Request{}, Change{}, err
	}
	if err := addFiles(ctx, tx, r, c.ID, a.By, a.Files); err != nil {
		return Request{}, Change{}, err
	}
	r, err = Get(ctx, tx, institution, id)
	return r, c, err
}

// update sets the request's status and the columns in set (names from
// this file only, never from input).
func update(ctx context.Context, tx pgx.Tx, r Request, status string, set map[string]any) error {
	sql := `UPDATE request SET status = $3, updated_at = now(), revision = revision + 1`
	args := []any{r.Institution, r.ID, status}
	for _, col := range []string{"assignee_id", "extended_days", "deadline", "closed_at"} {
		v, ok := set[col]
		if !ok {
			continue
		}
		args = append(args, v)
		cast := ""
		if col == "deadline" {
			cast = "::date"
		}
		sql += fmt.Sprintf(", %s = $%d%s", col, len(args), cast)
	}
	if _, err := tx.Exec(ctx, sql+` WHERE institution_id = $1 AND id = $2`, args...); err != nil {
		return fmt.Errorf("update request %s: %w", r.ID, err)
	}
	return nil
}

func hasKind(files []File, kind string) bool {
	for _, f := range files {
		if f.Kind == kind {
			return true
		}
	}
	return false
}
