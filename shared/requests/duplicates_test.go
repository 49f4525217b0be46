package requests_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// submitContent submits and registers a request of the regime's type whose
// content index is index (what submit-request computes from the form).
func (f fixture) submitContent(t *testing.T, regime string, index string, at time.Time) (requests.Request, []requests.Change) {
	t.Helper()
	return f.submitRequest(t, regime, requests.Request{Identified: true, ContentIndex: []byte(index)}, nil, at)
}

// Identical petitions of one applicant (OG 27/2002 art. 16): linked to the
// first and marked while it is open, answered with it, and filed away with
// the reference to its answer once it was answered. Other content and
// other regimes are left alone.
func TestIdenticalPetitionsAreLinkedAndAnsweredOnce(t *testing.T) {
	f := setUp(t)
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	first, _ := f.submitContent(t, requesttypes.Petition, "groapa din strada Bălcescu", at)
	if first.DuplicateOf != uuid.Nil {
		t.Fatalf("the first petition is a duplicate of %s", first.DuplicateOf)
	}
	second, changes := f.submitContent(t, requesttypes.Petition, "groapa din strada Bălcescu", at.Add(time.Hour))
	other, _ := f.submitContent(t, requesttypes.Petition, "iluminatul din parc", at.Add(2*time.Hour))
	info, _ := f.submitContent(t, requesttypes.PublicInformation, "groapa din strada Bălcescu", at.Add(3*time.Hour))

	tests := []struct {
		name        string
		r           requests.Request
		duplicateOf uuid.UUID
	}{
		{"identical petition", second, first.ID},
		{"another text", other, uuid.Nil},
		{"an information request (Law 544 has no such rule)", info, uuid.Nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.DuplicateOf != tt.duplicateOf || tt.r.Status != requests.Registered {
				t.Errorf("duplicate of %s, status %s; want %s, registered", tt.r.DuplicateOf, tt.r.Status, tt.duplicateOf)
			}
			if s := requests.Summarize(tt.r, at); (s.DuplicateOf != nil) != (tt.duplicateOf != uuid.Nil) {
				t.Errorf("summary's duplicateOf = %v", s.DuplicateOf)
			}
		})
	}
	if last := changes[len(changes)-1]; last.Action != requests.ActLinkDuplicate || !last.Public || !strings.Contains(last.Note, "art. 16") ||
		!strings.Contains(last.Note, "I-1/2026") {
		t.Errorf("last change of the identical petition = %+v, want the public link to I-1/2026", last)
	}
	// The clerk sees the link from both entries in the registry.
	err := f.tx(func(ctx context.Context, tx pgx.Tx) error {
		for _, side := range []struct {
			entry, other uuid.UUID
		}{{second.Entry, first.Entry}, {first.Entry, second.Entry}} {
			links, err := registry.Links(ctx, tx, f.inst, side.entry)
			if err != nil {
				return err
			}
			if len(links) != 1 || links[0].Kind != registry.LinkDuplicate || links[0].Other != side.other {
				t.Errorf("links of %s = %+v, want the duplicate link to %s", side.entry, links, side.other)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Answering the first answers the identical one.
	var resolved []requests.DuplicateResolution
	err = f.tx(func(ctx context.Context, tx pgx.Tx) error {
		r, c, err := requests.Apply(ctx, tx, f.inst, first.ID, requests.Action{Kind: requests.ActResolve, By: staff, Note: "Groapa a fost astupată.",
			Files: []requests.File{{Kind: requests.KindAnswer, Title: "Răspuns", Name: "r.pdf", SHA256: strings.Repeat("b", 64), Size: 3,
				MediaType: "application/pdf", ObjectKey: "r"}}})
		if err != nil {
			return err
		}
		if resolved, err = requests.ResolveDuplicates(ctx, tx, r, c); err != nil {
			return err
		}
		answer, err := registry.Record(ctx, tx, registry.Entry{Institution: f.inst, Register: f.register, Direction: "outgoing",
			Channel: "portal", Recipient: "Ioana", Subject: "Răspuns", AnswersEntry: first.Entry}, time.Time{})
		if err != nil {
			return err
		}
		_, _, err = requests.RegisterAnswer(ctx, tx, f.inst, first.ID, requests.Registration{Entry: answer.ID, RegisterCode: "I", Number: answer.Number, Year: answer.Year})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resolved) != 1 || resolved[0].Request.ID != second.ID || resolved[0].Request.Status != requests.Resolved ||
		!strings.HasPrefix(resolved[0].Change.Note, "Groapa a fost astupată.") || !strings.Contains(resolved[0].Change.Note, "I-1/2026") {
		t.Fatalf("resolved with the first = %+v", resolved)
	}
	var firstNow, secondNow requests.Request
	_ = f.tx(func(ctx context.Context, tx pgx.Tx) (err error) {
		if firstNow, err = requests.Get(ctx, tx, f.inst, first.ID); err != nil {
			return err
		}
		secondNow, err = requests.Get(ctx, tx, f.inst, second.ID)
		return err
	})
	if secondNow.AnswerNumber == 0 || secondNow.AnswerNumber != firstNow.AnswerNumber || secondNow.AnswerEntry != firstNow.AnswerEntry {
		t.Errorf("the identical petition's answer = %d, the first's %d: want one answer", secondNow.AnswerNumber, firstNow.AnswerNumber)
	}

	// A third identical one, after the answer: filed away at the first's
	// number, with the mention that it was answered.
	third, changes := f.submitContent(t, requesttypes.Petition, "groapa din strada Bălcescu", at.Add(24*time.Hour))
	if third.Status != requests.FiledAway || third.DuplicateOf != first.ID || third.AnswerNumber != firstNow.AnswerNumber {
		t.Fatalf("after the answer: status %s, duplicate of %s, answer %d; want filed away at %s with answer %d",
			third.Status, third.DuplicateOf, third.AnswerNumber, first.ID, firstNow.AnswerNumber)
	}
	if last := changes[len(changes)-1]; last.Action != requests.ActFile || !strings.Contains(last.Note, "s-a răspuns") || !strings.Contains(last.Note, "alin. (2)") {
		t.Errorf("the filing = %+v", last)
	}
}
