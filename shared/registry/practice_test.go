package registry_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/registry"
)

func (f fixture) tx(t *testing.T, fn func(ctx context.Context, tx pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

func (f fixture) staff(t *testing.T, email string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	if _, err := f.d.Owner.Exec(context.Background(), `INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'staff', $2, $3, 'Registrator')`,
		id, f.inst, email); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f fixture) entry(t *testing.T, e registry.Entry, at time.Time) registry.Entry {
	t.Helper()
	e.Institution = f.inst
	if e.Register == uuid.Nil {
		e.Register = f.incoming
	}
	if e.Direction == "" {
		e.Direction, e.Sender = "incoming", "Ion Popescu"
	}
	if e.Subject == "" {
		e.Subject = "Petiție"
	}
	e.Channel = "counter"
	var out registry.Entry
	if err := f.tx(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		out, err = registry.Record(ctx, tx, e, at)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// The answer's place follows the institution's practice: by default the
// outgoing register, a named outgoing register, or under the number of the
// entry it answers; the receipt's and listings' relations show the link
// either way.
func TestAnswerPlacementByPractice(t *testing.T) {
	f := setUp(t)
	admin := f.staff(t, "admin@example.ro")
	second := uuid.New()
	if err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		return registry.CreateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: second, Code: "E2", Name: "Ieșiri 2", Kind: "outgoing"})
	}); err != nil {
		t.Fatal(err)
	}
	petition := f.entry(t, registry.Entry{}, time.Time{})

	tests := []struct {
		name       string
		practice   *registry.Practice
		register   uuid.UUID
		sameNumber bool
		err        error
	}{
		{"default: the first open outgoing register", nil, f.outgoing, false, nil},
		{"a named outgoing register", &registry.Practice{AnswerNumbering: registry.AnswerInRegister, AnswerRegister: second, OwnAnnulMinutes: 30}, second, false, nil},
		{"same number: the answered entry's register", &registry.Practice{AnswerNumbering: registry.AnswerSameNumber, OwnAnnulMinutes: 30}, f.incoming, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
				if tt.practice != nil {
					p := *tt.practice
					p.Institution = f.inst
					if _, _, err := registry.SetPractice(ctx, tx, p, admin); err != nil {
						return err
					}
				}
				reg, same, err := registry.AnswerPlacement(ctx, tx, f.inst, petition.ID)
				if err != nil {
					return err
				}
				if reg != tt.register || same != tt.sameNumber {
					t.Errorf("placement = %s, same number %v; want %s, %v", reg, same, tt.register, tt.sameNumber)
				}
				return nil
			})
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
		})
	}

	// An incoming register cannot be the answer register.
	err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		_, _, err := registry.SetPractice(ctx, tx, registry.Practice{Institution: f.inst, AnswerNumbering: registry.AnswerInRegister,
			AnswerRegister: f.incoming, OwnAnnulMinutes: 30}, admin)
		return err
	})
	if !errors.Is(err, registry.ErrNoAnswerRegister) {
		t.Fatalf("incoming register as the answer register: err = %v, want ErrNoAnswerRegister", err)
	}

	// Answer in the register: its own number, linked both ways.
	answer := f.entry(t, registry.Entry{Register: f.outgoing, Direction: "outgoing", Recipient: "Ion Popescu", Subject: "Răspuns",
		AnswersEntry: petition.ID}, time.Time{})
	// Answer on the same number: a dispatch on the petition's row.
	var d registry.Dispatch
	if err := f.tx(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		d, _, err = registry.RecordDispatch(ctx, tx, registry.Dispatch{Institution: f.inst, Entry: petition.ID, Recipient: "Ion Popescu", Subject: "Răspuns 2"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	err = f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		rel, err := registry.Relations(ctx, tx, f.inst, []uuid.UUID{petition.ID, answer.ID})
		if err != nil {
			return err
		}
		wantBy := "E-" + itoa(answer.Number) + "/" + itoa(int64(answer.Year))
		if got := rel[petition.ID]; len(got.AnsweredBy) != 1 || got.AnsweredBy[0] != wantBy || len(got.Dispatched) != 1 || !got.Dispatched[0].Equal(d.DispatchedAt) {
			t.Errorf("petition's relation = %+v, want answered by %s and one dispatch at %s", got, wantBy, d.DispatchedAt)
		}
		if got, want := rel[answer.ID].Answers, "I-"+itoa(petition.Number)+"/"+itoa(int64(petition.Year)); got != want {
			t.Errorf("answer's relation = %q, want %q", got, want)
		}
		ds, err := registry.Dispatches(ctx, tx, f.inst, petition.ID)
		if err != nil {
			return err
		}
		if len(ds) != 1 || ds[0].ID != d.ID || ds[0].Subject != "Răspuns 2" {
			t.Errorf("dispatches = %+v", ds)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A dispatch is never changed.
	if err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE registry_dispatch SET subject = 'x' WHERE institution_id = $1`, f.inst)
		return err
	}); err == nil {
		t.Error("a dispatch was updated")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// An entry links to any number of others; every link shows from both sides;
// a second link adds and never overwrites; links cannot be changed or
// deleted; a corrected answer pointer keeps the earlier link.
func TestManyLinksWithBackLinks(t *testing.T) {
	f := setUp(t)
	clerk := f.staff(t, "clerk@example.ro")
	a := f.entry(t, registry.Entry{}, time.Time{})
	b := f.entry(t, registry.Entry{}, time.Time{})
	c := f.entry(t, registry.Entry{}, time.Time{})
	err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		for _, other := range []uuid.UUID{b.ID, c.ID} {
			added, err := registry.AddLink(ctx, tx, f.inst, a.ID, other, registry.LinkRelated, clerk, "aceeași problemă")
			if err != nil || !added {
				t.Fatalf("link %s: added %v, err %v", other, added, err)
			}
		}
		if added, err := registry.AddLink(ctx, tx, f.inst, a.ID, b.ID, registry.LinkRelated, clerk, "din nou"); err != nil || added {
			t.Fatalf("the same link again: added %v, err %v; want nothing added", added, err)
		}
		if _, err := registry.AddLink(ctx, tx, f.inst, a.ID, a.ID, registry.LinkRelated, clerk, ""); !errors.Is(err, registry.ErrSelfLink) {
			t.Fatalf("self link: err = %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := registry.AddLink(ctx, tx, f.inst, a.ID, uuid.New(), registry.LinkRelated, clerk, "")
		return err
	}); !errors.Is(err, registry.ErrNoLinkedEntry) {
		t.Fatalf("link to nothing: err = %v", err)
	}
	err = f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		links, err := registry.Links(ctx, tx, f.inst, a.ID)
		if err != nil {
			return err
		}
		if len(links) != 2 || !links[0].Outgoing || !links[1].Outgoing || links[0].Other != b.ID || links[1].Other != c.ID || links[0].Note != "aceeași problemă" {
			t.Errorf("links of a = %+v, want to b and to c", links)
		}
		back, err := registry.Links(ctx, tx, f.inst, b.ID)
		if err != nil {
			return err
		}
		if len(back) != 1 || back[0].Outgoing || back[0].Other != a.ID || back[0].OtherNumber != a.Number || back[0].LinkedBy != clerk {
			t.Errorf("links of b = %+v, want a back-link from a", back)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{`UPDATE registry_link SET note = 'x'`, `DELETE FROM registry_link`} {
		if err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			return err
		}); err == nil {
			t.Errorf("%s: allowed", sql)
		}
	}

	// The old single pointer: correcting it to another entry adds a link
	// and keeps the first.
	answer := f.entry(t, registry.Entry{Register: f.outgoing, Direction: "outgoing", Recipient: "Ion Popescu", AnswersEntry: b.ID}, time.Time{})
	err = f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		if _, _, err := registry.Correct(ctx, tx, f.inst, answer.ID, 1, clerk, "răspunde de fapt la c", registry.Correction{AnswersEntry: &c.ID}); err != nil {
			return err
		}
		links, err := registry.Links(ctx, tx, f.inst, answer.ID)
		if err != nil {
			return err
		}
		if len(links) != 2 || links[0].Other != b.ID || links[1].Other != c.ID || links[0].Kind != registry.LinkAnswer {
			t.Errorf("links of the answer = %+v, want answers to b and to c", links)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The registrar who registered an entry annuls it within the institution's
// window and not after it; another registrar never (without
// registry.annul, which the handler checks before calling Annul).
func TestRegistrarAnnulsOwnEntryWithinWindow(t *testing.T) {
	f := setUp(t)
	registrar := f.staff(t, "registrar@example.ro")
	colleague := f.staff(t, "colleague@example.ro")
	now := time.Now()
	recent := f.entry(t, registry.Entry{RegisteredBy: registrar}, now.Add(-29*time.Minute))
	old := f.entry(t, registry.Entry{RegisteredBy: registrar}, now.Add(-31*time.Minute))
	other := f.entry(t, registry.Entry{RegisteredBy: registrar}, now.Add(-time.Minute))

	tests := []struct {
		name  string
		entry registry.Entry
		by    uuid.UUID
		err   error
	}{
		{"someone else's entry", other, colleague, registry.ErrNotOwnEntry},
		{"own entry after 31 minutes", old, registrar, registry.ErrOwnAnnulExpired},
		{"own entry within 29 minutes", recent, registrar, nil},
		{"own entry again", recent, registrar, registry.ErrAlreadyAnnulled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e registry.Entry
			err := f.tx(t, func(ctx context.Context, tx pgx.Tx) (err error) {
				e, err = registry.AnnulOwn(ctx, tx, f.inst, tt.entry.ID, tt.by, "registru greșit", now)
				return err
			})
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err == nil && (e.AnnulledAt == nil || e.AnnulledBy != registrar || e.AnnulReason != "registru greșit") {
				t.Errorf("entry = %+v, want annulled by the registrar with the reason", e)
			}
		})
	}

	// A longer window set by the institution lets the old one be annulled.
	err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error {
		if _, _, err := registry.SetPractice(ctx, tx, registry.Practice{Institution: f.inst, AnswerNumbering: registry.AnswerInRegister, OwnAnnulMinutes: 60}, registrar); err != nil {
			return err
		}
		_, err := registry.AnnulOwn(ctx, tx, f.inst, old.ID, registrar, "dublură", now)
		return err
	})
	if err != nil {
		t.Fatalf("with a 60-minute window: %v", err)
	}
}
