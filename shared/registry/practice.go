package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// How an institution numbers the answers to its entries.
const (
	// AnswerInRegister: the answer is a new entry of the register the
	// institution names for answers, its outgoing register by default.
	AnswerInRegister = "answer_register"
	// AnswerSameNumber: the practice of the National Archives' instructions
	// for a register of incoming and outgoing documents: the answer is the
	// outgoing document ("ieșire") of the entry it answers, under that
	// entry's number, in its register (a Dispatch), and takes no number of
	// its own.
	AnswerSameNumber = "same_number"
)

// DefaultOwnAnnulMinutes is how long after registering an entry its
// registrar may annul it themselves when the institution has not said
// otherwise: long enough to notice a slip at the counter (a wrong register,
// a document registered twice), short enough that an entry someone may
// already have acted on (a receipt handed over, a number written on a
// paper) is annulled only by those who hold registry.annul.
const DefaultOwnAnnulMinutes = 30

// Practice is an institution's registry practice.
type Practice struct {
	Institution     uuid.UUID
	AnswerNumbering string // AnswerInRegister or AnswerSameNumber
	// AnswerRegister is where answers are numbered under AnswerInRegister;
	// uuid.Nil means the institution's first open outgoing register.
	AnswerRegister  uuid.UUID
	OwnAnnulMinutes int
	UpdatedAt       *time.Time
	UpdatedBy       uuid.UUID
}

// Errors of the practice.
var (
	ErrBadPractice = errors.New("unknown answer numbering practice")
	// ErrNoAnswerRegister: answers go to a register, and there is none
	// (no outgoing register, or the one named is closed or not outgoing).
	ErrNoAnswerRegister = errors.New("no open register for answers")
	ErrOwnAnnulWindow   = errors.New("the own-annulment window is 0 to 1440 minutes")
)

// OwnAnnulWindow is how long a registrar may annul their own entry.
func (p Practice) OwnAnnulWindow() time.Duration {
	return time.Duration(p.OwnAnnulMinutes) * time.Minute
}

// GetPractice reads the institution's practice, or the defaults.
func GetPractice(ctx context.Context, tx pgx.Tx, institution uuid.UUID) (Practice, error) {
	p := Practice{Institution: institution, AnswerNumbering: AnswerInRegister, OwnAnnulMinutes: DefaultOwnAnnulMinutes}
	var reg, by *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT answer_numbering, answer_register_id, own_annul_minutes, updated_at, updated_by
		FROM registry_practice WHERE institution_id = $1`, institution).Scan(&p.AnswerNumbering, &reg, &p.OwnAnnulMinutes, &p.UpdatedAt, &by)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return Practice{}, fmt.Errorf("registry practice: %w", err)
	}
	p.AnswerRegister, p.UpdatedBy = orNil(reg), orNil(by)
	return p, nil
}

// SetPractice stores the institution's practice and returns it with what
// it replaced. A named answer register must be an open outgoing register of
// the institution.
func SetPractice(ctx context.Context, tx pgx.Tx, p Practice, by uuid.UUID) (before, after Practice, err error) {
	if p.AnswerNumbering != AnswerInRegister && p.AnswerNumbering != AnswerSameNumber {
		return Practice{}, Practice{}, ErrBadPractice
	}
	if p.OwnAnnulMinutes < 0 || p.OwnAnnulMinutes > 1440 {
		return Practice{}, Practice{}, ErrOwnAnnulWindow
	}
	if p.AnswerRegister != uuid.Nil {
		r, err := GetRegister(ctx, tx, p.Institution, p.AnswerRegister)
		if errors.Is(err, ErrNoRegister) || err == nil && (r.ClosedAt != nil || r.Kind != "outgoing") {
			return Practice{}, Practice{}, ErrNoAnswerRegister
		}
		if err != nil {
			return Practice{}, Practice{}, err
		}
	}
	if before, err = GetPractice(ctx, tx, p.Institution); err != nil {
		return Practice{}, Practice{}, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO registry_practice (institution_id, answer_numbering, answer_register_id, own_annul_minutes, updated_by)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (institution_id) DO UPDATE SET answer_numbering = EXCLUDED.answer_numbering,
			answer_register_id = EXCLUDED.answer_register_id, own_annul_minutes = EXCLUDED.own_annul_minutes,
			updated_at = now(), updated_by = EXCLUDED.updated_by`,
		p.Institution, p.AnswerNumbering, nilIfZero(p.AnswerRegister), p.OwnAnnulMinutes, nilIfZero(by))
	if err != nil {
		return Practice{}, Practice{}, fmt.Errorf("set registry practice: %w", err)
	}
	after, err = GetPractice(ctx, tx, p.Institution)
	return before, after, err
}

// AnswerPlacement says where the answer to entry goes under the
// institution's practice: the register to number it in, or, with
// sameNumber, under the entry's own number (register is then the entry's).
func AnswerPlacement(ctx context.Context, tx pgx.Tx, institution, entry uuid.UUID) (register uuid.UUID, sameNumber bool, err error) {
	p, err := GetPractice(ctx, tx, institution)
	if err != nil {
		return uuid.Nil, false, err
	}
	if p.AnswerNumbering == AnswerSameNumber {
		e, err := Get(ctx, tx, institution, entry)
		if err != nil {
			return uuid.Nil, false, err
		}
		return e.Register, true, nil
	}
	if p.AnswerRegister != uuid.Nil {
		r, err := GetRegister(ctx, tx, institution, p.AnswerRegister)
		if err != nil {
			return uuid.Nil, false, err
		}
		if r.ClosedAt == nil {
			return r.ID, false, nil
		}
	}
	regs, err := ListRegisters(ctx, tx, institution)
	if err != nil {
		return uuid.Nil, false, err
	}
	for _, r := range regs {
		if r.Kind == "outgoing" && r.ClosedAt == nil {
			return r.ID, false, nil
		}
	}
	return uuid.Nil, false, ErrNoAnswerRegister
}

// Dispatch is an answer recorded under the number of the entry it answers
// (AnswerSameNumber): the outgoing half of that entry's row.
type Dispatch struct {
	Institution  uuid.UUID
	ID           uuid.UUID
	Entry        uuid.UUID
	DispatchedAt time.Time
	Recipient    string
	Subject      string
	RegisteredBy uuid.UUID
	Reference    string
}

// RecordDispatch records an answer under the number of the entry it
// answers. An annulled entry takes no answer.
func RecordDispatch(ctx context.Context, tx pgx.Tx, d Dispatch) (Dispatch, Entry, error) {
	e, err := Get(ctx, tx, d.Institution, d.Entry)
	if err != nil {
		return Dispatch{}, Entry{}, err
	}
	if e.AnnulledAt != nil {
		return Dispatch{}, Entry{}, ErrAlreadyAnnulled
	}
	if d.ID == uuid.Nil {
		d.ID = uuid.Must(uuid.NewV7())
	}
	err = tx.QueryRow(ctx, `INSERT INTO registry_dispatch (institution_id, id, entry_id, dispatched_at, recipient, subject, registered_by, reference)
		VALUES ($1, $2, $3, clock_timestamp(), $4, $5, $6, $7) RETURNING dispatched_at`,
		d.Institution, d.ID, d.Entry, d.Recipient, d.Subject, nilIfZero(d.RegisteredBy), d.Reference).Scan(&d.DispatchedAt)
	if err != nil {
		return Dispatch{}, Entry{}, fmt.Errorf("dispatch on entry %s: %w", d.Entry, err)
	}
	return d, e, nil
}

// Dispatches lists the answers recorded under an entry's number, oldest first.
func Dispatches(ctx context.Context, tx pgx.Tx, institution, entry uuid.UUID) ([]Dispatch, error) {
	rows, err := tx.Query(ctx, `SELECT institution_id, id, entry_id, dispatched_at, recipient, subject, registered_by, reference
		FROM registry_dispatch WHERE institution_id = $1 AND entry_id = $2 ORDER BY dispatched_at, id`, institution, entry)
	if err != nil {
		return nil, fmt.Errorf("dispatches of %s: %w", entry, err)
	}
	ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Dispatch, error) {
		var d Dispatch
		var by *uuid.UUID
		err := r.Scan(&d.Institution, &d.ID, &d.Entry, &d.DispatchedAt, &d.Recipient, &d.Subject, &by, &d.Reference)
		d.RegisteredBy = orNil(by)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("dispatches of %s: %w", entry, err)
	}
	return ds, nil
}

// Errors of the registrar's own annulment.
var (
	// ErrNotOwnEntry: without registry.annul, only the entry's registrar
	// may annul it.
	ErrNotOwnEntry = errors.New("only the registrar who registered the entry may annul it without registry.annul")
	// ErrOwnAnnulExpired: the registrar's window to annul their own entry
	// has passed; a holder of registry.annul may still.
	ErrOwnAnnulExpired = errors.New("the time to annul one's own entry has passed")
)

// AnnulOwn lets the registrar who registered an entry annul it, with a
// reason, within the institution's window (Practice.OwnAnnulMinutes) from
// its registration; now is the time of the request (a parameter, so that a
// test can move it). After the window, or for anyone else, only Annul, for
// holders of registry.annul.
func AnnulOwn(ctx context.Context, tx pgx.Tx, institution, id, by uuid.UUID, reason string, now time.Time) (Entry, error) {
	p, err := GetPractice(ctx, tx, institution)
	if err != nil {
		return Entry{}, err
	}
	e, err := Get(ctx, tx, institution, id)
	if err != nil {
		return Entry{}, err
	}
	if e.AnnulledAt != nil {
		return e, ErrAlreadyAnnulled
	}
	if by == uuid.Nil || e.RegisteredBy != by {
		return Entry{}, ErrNotOwnEntry
	}
	if now.Sub(e.RegisteredAt) > p.OwnAnnulWindow() {
		return Entry{}, ErrOwnAnnulExpired
	}
	return Annul(ctx, tx, institution, id, by, reason)
}
