package requests

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// Cursor is where a page of a list ends; the next page starts after it.
type Cursor struct {
	At       time.Time `json:"t,omitzero"` // "my requests": submission time
	Deadline string    `json:"d,omitempty"`
	ID       uuid.UUID `json:"i"`
}

// Encode is the cursor as an opaque token.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor reads a token made by Encode.
func ParseCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == uuid.Nil {
		return Cursor{}, fmt.Errorf("cursor: not one of ours")
	}
	return c, nil
}

// Mine lists the requests of the account tx acts for (row-level security
// shows it only its own), newest first, after the cursor when given.
func Mine(ctx context.Context, tx pgx.Tx, applicant uuid.UUID, after *Cursor, limit int) ([]Request, *Cursor, error) {
	args := []any{applicant, limit + 1}
	where := ""
	if after != nil {
		args = append(args, after.At, after.ID)
		where = ` AND (r.submitted_at, r.id) < ($3, $4)`
	}
	rows, err := tx.Query(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.applicant_id = $1`+where+`
		ORDER BY r.submitted_at DESC, r.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("my requests: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanRequest)
	if err != nil {
		return nil, nil, fmt.Errorf("my requests: %w", err)
	}
	if len(list) <= limit {
		return list, nil, nil
	}
	list = list[:limit]
	last := list[limit-1]
	return list, &Cursor{At: last.Submitted, ID: last.ID}, nil
}

// WorkFilter narrows a work list.
type WorkFilter struct {
	// Departments keeps the requests of these departments; nil keeps all.
	Departments []uuid.UUID
	// Assignee keeps the requests assigned to this clerk.
	Assignee uuid.UUID
}

// Work lists an institution's open, registered requests by deadline (the
// most urgent first), after the cursor when given.
func Work(ctx context.Context, tx pgx.Tx, institution uuid.UUID, f WorkFilter, after *Cursor, limit int) ([]Request, *Cursor, error) {
	args := []any{institution, limit + 1}
	where := ` WHERE r.institution_id = $1 AND r.closed_at IS NULL AND r.deadline IS NOT NULL`
	if f.Departments != nil {
		args = append(args, f.Departments)
		where += fmt.Sprintf(` AND r.department_id = ANY($%d)`, len(args))
	}
	if f.Assignee != uuid.Nil {
		args = append(args, f.Assignee)
		where += fmt.Sprintf(` AND r.assignee_id = $%d`, len(args))
	}
	if after != nil {
		args = append(args, after.Deadline, after.ID)
		where += fmt.Sprintf(` AND (r.deadline, r.id) > ($%d::date, $%d)`, len(args)-1, len(args))
	}
	rows, err := tx.Query(ctx, `SELECT `+requestColumns+requestFrom+where+` ORDER BY r.deadline, r.id LIMIT $2`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("work list: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanRequest)
	if err != nil {
		return nil, nil, fmt.Errorf("work list: %w", err)
	}
	if len(list) <= limit {
		return list, nil, nil
	}
	list = list[:limit]
	last := list[limit-1]
	return list, &Cursor{Deadline: last.Deadline.String(), ID: last.ID}, nil
}

// ParsePage reads a list's limit (1-100, def when absent) and cursor from
// a query, with the fields at fault when they are wrong.
func ParsePage(q url.Values, def int) (limit int, after *Cursor, errs []httpapi.FieldError) {
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			errs = append(errs, httpapi.Field("limit", "limit.range", "Între 1 și 100.", "Between 1 and 100."))
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		c, err := ParseCursor(v)
		if err != nil {
			errs = append(errs, httpapi.Field("cursor", "cursor.invalid", "Cursor nevalid.", "Invalid cursor."))
		}
		after = &c
	}
	return limit, after, errs
}

// Due lists the open requests of every institution whose deadline is
// days away from today, for each of days (0: today is the last day), with
// the id of their latest change. tx is in platform scope.
func Due(ctx context.Context, tx pgx.Tx, today deadlines.Date, days []int) ([]Request, []int64, error) {
	rows, err := tx.Query(ctx, `SELECT `+requestColumns+`, (SELECT max(h.id) FROM request_history h
			WHERE h.institution_id = r.institution_id AND h.request_id = r.id)`+requestFrom+`
		WHERE r.closed_at IS NULL AND r.deadline IS NOT NULL AND (r.deadline - $1::date) = ANY($2)
		ORDER BY r.deadline, r.institution_id, r.id`, today.String(), days)
	if err != nil {
		return nil, nil, fmt.Errorf("due requests: %w", err)
	}
	var last []int64
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Request, error) {
		var id int64
		r, err := scanRequest(extraColumn{row, &id})
		last = append(last, id)
		return r, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("due requests: %w", err)
	}
	return list, last, nil
}

// refusalLookback bounds the registrations DueForRefusal reads: a reasoned
// refusal's 5 days (Law 544/2001 art. 7(2)), moved past a weekend and the
// longest run of public holidays, end well within it.
const refusalLookback = 31

// DueForRefusal lists the open requests of every institution whose term
// for a reasoned refusal (RefusalDeadline: public information's 5 days)
// ends days away from today, for each of days (0: today is the last day),
// with the id of their latest change. tx is in platform scope.
func DueForRefusal(ctx context.Context, tx pgx.Tx, today deadlines.Date, days []int) ([]Request, []int64, error) {
	// The term is counted in Go, as everywhere; the query only narrows the
	// candidates to the open ones of a regime with a refusal term,
	// registered recently (on Romanian days).
	rows, err := tx.Query(ctx, `SELECT `+requestColumns+`, (SELECT max(h.id) FROM request_history h
			WHERE h.institution_id = r.institution_id AND h.request_id = r.id)`+requestFrom+`
		WHERE r.closed_at IS NULL AND r.registered_at IS NOT NULL AND v.regime = $1
			AND (r.registered_at AT TIME ZONE '`+deadlines.TimeZone+`')::date >= $2::date
		ORDER BY r.registered_at, r.institution_id, r.id`,
		requesttypes.PublicInformation, today.AddDays(-refusalLookback).String())
	if err != nil {
		return nil, nil, fmt.Errorf("requests due a refusal: %w", err)
	}
	var last []int64
	candidates, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Request, error) {
		var id int64
		r, err := scanRequest(extraColumn{row, &id})
		last = append(last, id)
		return r, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("requests due a refusal: %w", err)
	}
	var due []Request
	var dueLast []int64
	for i, r := range candidates {
		end, ok := r.RefusalDeadline()
		if ok && slices.Contains(days, deadlines.DaysLeft(today, end)) {
			due = append(due, r)
			dueLast = append(dueLast, last[i])
		}
	}
	return due, dueLast, nil
}

// extraColumn scans a request row followed by one more column.
type extraColumn struct {
	pgx.CollectableRow
	extra any
}

func (e extraColumn) Scan(dest ...any) error {
	return e.CollectableRow.Scan(append(dest, e.extra)...)
}
