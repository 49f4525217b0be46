// Package registry gives documents their legal registration numbers: per
// register and calendar year (in the institution's time zone), from 1,
// unique, without gaps, increasing with registration time. All SQL of
// registers and registry entries is here.
package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Errors, usable with errors.Is.
var (
	ErrNoRegister      = errors.New("no such register")
	ErrRegisterClosed  = errors.New("the register is closed")
	ErrNotFound        = errors.New("no such registry entry")
	ErrAlreadyAnnulled = errors.New("the entry is already annulled")
)

// Register is a book of numbers: incoming, outgoing, internal or another.
type Register struct {
	Institution uuid.UUID
	ID          uuid.UUID
	Code        string
	Name        string
	Kind        string
}

// CreateRegister adds a register to its institution.
func CreateRegister(ctx context.Context, tx pgx.Tx, r Register) error {
	if _, err := tx.Exec(ctx, `INSERT INTO register (institution_id, id, code, name, kind) VALUES ($1, $2, $3, $4, $5)`,
		r.Institution, r.ID, r.Code, r.Name, r.Kind); err != nil {
		return fmt.Errorf("create register %s: %w", r.Code, err)
	}
	return nil
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
}

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
	if e.ID == uuid.Nil {
		e.ID, _ = uuid.NewV7()
	}
	if e.Confidentiality == "" {
		e.Confidentiality = "public"
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO registry_entry (institution_id, register_id, year, number, id, registered_at, direction, channel,
			sender, recipient, subject, pages, attachments, confidentiality, answers_entry, registered_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		e.Institution, e.Register, e.Year, e.Number, e.ID, e.RegisteredAt, e.Direction, e.Channel,
		e.Sender, e.Recipient, e.Subject, e.Pages, e.Attachments, e.Confidentiality, nilIfZero(e.AnswersEntry), nilIfZero(e.RegisteredBy))
	if err != nil {
		return Entry{}, fmt.Errorf("register entry: %w", err)
	}
	return e, nil
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

// Get reads one entry.
func Get(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (Entry, error) {
	rows, err := tx.Query(ctx, `
		SELECT institution_id, register_id, year, number, id, registered_at, direction, channel, sender, recipient, subject,
		       pages, attachments, confidentiality, coalesce(answers_entry, '00000000-0000-0000-0000-000000000000'),
		       coalesce(registered_by, '00000000-0000-0000-0000-000000000000'), annulled_at,
		       coalesce(annulled_by, '00000000-0000-0000-0000-000000000000'), coalesce(annul_reason, '')
		FROM registry_entry WHERE institution_id = $1 AND id = $2`, institution, id)
	if err != nil {
		return Entry{}, fmt.Errorf("get entry %s: %w", id, err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.Institution, &e.Register, &e.Year, &e.Number, &e.ID, &e.RegisteredAt, &e.Direction, &e.Channel,
			&e.Sender, &e.Recipient, &e.Subject, &e.Pages, &e.Attachments, &e.Confidentiality, &e.AnswersEntry,
			&e.RegisteredBy, &e.AnnulledAt, &e.AnnulledBy, &e.AnnulReason)
		return e, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("get entry %s: %w", id, err)
	}
	return e, nil
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
