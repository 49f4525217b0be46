package requests

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/deadlines"
)

// MaxOverviewDays bounds an overview's period: a year, one point a day.
const MaxOverviewDays = 366

// Day is one day of an institution's work, in Romanian days.
type Day struct {
	Day deadlines.Date
	// Received: requests registered that day.
	Received int
	// Resolved: requests answered that day.
	Resolved int
	// ClosedOtherwise: rejected, forwarded or filed away that day.
	ClosedOtherwise int
	// Overdue: requests still open at the day's end whose term ended before
	// it. A term is taken as it stands now, extension included.
	Overdue int
}

// Load is a department's open work today.
type Load struct {
	Department uuid.UUID
	Name       string
	Open       int
	Overdue    int
	// DueSoon: open, with at most three days left.
	DueSoon int
}

// Overview is the work of some departments of an institution: day by day
// over a period, and as it stands today.
type Overview struct {
	Days        []Day
	Departments []Load
}

// dueSoonDays is what "due soon" means: the deadline watch's last reminder.
const dueSoonDays = 3

// ReadOverview counts the registered requests of the departments, day by
// day from from to to (at most MaxOverviewDays), and each department's open
// work as of today.
func ReadOverview(ctx context.Context, tx pgx.Tx, institution uuid.UUID, departments []uuid.UUID, from, to, today deadlines.Date) (Overview, error) {
	if to.Before(from) || from.AddDays(MaxOverviewDays-1).Before(to) {
		return Overview{}, fmt.Errorf("overview %s to %s: the period must be 1 to %d days", from, to, MaxOverviewDays)
	}
	// Instants become Romanian days, as deadlines do. Only the requests
	// that can count in the period are crossed with its days.
	rows, err := tx.Query(ctx, `
		WITH days AS (
		  SELECT d::date AS day FROM generate_series($3::date, $4::date, interval '1 day') AS d
		), work AS (
		  SELECT r.registered_at AT TIME ZONE $5 AS registered, r.closed_at AT TIME ZONE $5 AS closed, r.status, r.deadline
		  FROM request r
		  WHERE r.institution_id = $1 AND r.department_id = ANY($2) AND r.registered_at IS NOT NULL
		    AND r.registered_at < ($4::date + 1)::timestamp AT TIME ZONE $5
		    AND (r.closed_at IS NULL OR r.closed_at >= $3::date::timestamp AT TIME ZONE $5)
		)
		SELECT days.day,
		  count(work.*) FILTER (WHERE work.registered::date = days.day),
		  count(work.*) FILTER (WHERE work.closed::date = days.day AND work.status = 'resolved'),
		  count(work.*) FILTER (WHERE work.closed::date = days.day AND work.status <> 'resolved'),
		  count(work.*) FILTER (WHERE work.registered < days.day + 1 AND (work.closed IS NULL OR work.closed >= days.day + 1)
		    AND work.deadline < days.day)
		FROM days LEFT JOIN work ON true
		GROUP BY days.day ORDER BY days.day`,
		institution, departments, from.String(), to.String(), deadlines.TimeZone)
	if err != nil {
		return Overview{}, fmt.Errorf("overview of %s: %w", institution, err)
	}
	days, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Day, error) {
		var d Day
		var day time.Time
		err := row.Scan(&day, &d.Received, &d.Resolved, &d.ClosedOtherwise, &d.Overdue)
		d.Day = deadlines.Date{Year: day.Year(), Month: day.Month(), Day: day.Day()}
		return d, err
	})
	if err != nil {
		return Overview{}, fmt.Errorf("overview of %s: %w", institution, err)
	}
	rows, err = tx.Query(ctx, `
		SELECT d.id, d.name, count(r.id),
		  count(r.id) FILTER (WHERE r.deadline < $3::date),
		  count(r.id) FILTER (WHERE r.deadline BETWEEN $3::date AND $3::date + $4::int)
		FROM department d
		LEFT JOIN request r ON r.institution_id = d.institution_id AND r.department_id = d.id
		  AND r.closed_at IS NULL AND r.deadline IS NOT NULL
		WHERE d.institution_id = $1 AND d.id = ANY($2)
		GROUP BY d.id, d.name ORDER BY d.name, d.id`,
		institution, departments, today.String(), dueSoonDays)
	if err != nil {
		return Overview{}, fmt.Errorf("department load of %s: %w", institution, err)
	}
	loads, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Load, error) {
		var l Load
		err := row.Scan(&l.Department, &l.Name, &l.Open, &l.Overdue, &l.DueSoon)
		return l, err
	})
	if err != nil {
		return Overview{}, fmt.Errorf("department load of %s: %w", institution, err)
	}
	return Overview{Days: days, Departments: loads}, nil
}
