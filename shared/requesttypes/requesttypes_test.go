package requesttypes_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

type fixture struct {
	d                    *dbtest.DB
	inst, dept, register uuid.UUID
}

func setUp(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{d: dbtest.New(t), inst: uuid.New(), dept: uuid.New(), register: uuid.New()}
	if _, err := f.d.Owner.Exec(ctx, `INSERT INTO institution (id, cif, name) VALUES ($1, '4358142', 'Primăria Lugoj')`, f.inst); err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Owner.Exec(ctx, `INSERT INTO department (institution_id, id, code, name, kind) VALUES ($1, $2, 'RRPA', 'Registratură', 'service')`, f.inst, f.dept); err != nil {
		t.Fatal(err)
	}
	err := db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error {
		return registry.CreateRegister(ctx, tx, registry.Register{Institution: f.inst, ID: f.register, Code: "I", Name: "Intrări", Kind: "incoming"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) version(name string) requesttypes.Version {
	return requesttypes.Version{Institution: f.inst, Name: name, Form: json.RawMessage(`{"type":"object","properties":{}}`),
		Attachments: []requesttypes.Attachment{{Kind: "act", Title: "Actul de identitate", Required: true, MediaTypes: []string{"application/pdf"}, MaxSize: 10 << 20}},
		Department:  f.dept, Regime: requesttypes.Petition, Register: f.register, VerifiedIdentity: true}
}

func (f fixture) tx(t *testing.T, fn func(context.Context, pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return db.TenantTx(ctx, f.d.App, f.inst, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// A type's versions are drafts until published and immutable after; the
// public catalogue shows each type's newest published version only.
func TestVersionsArePublishedAndThenImmutable(t *testing.T) {
	f := setUp(t)
	var typ requesttypes.Type
	err := f.tx(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		typ, _, err = requesttypes.Create(ctx, tx, requesttypes.Type{Institution: f.inst, Code: "petitie"}, f.version("Petiție"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	catalogue := func() []requesttypes.Version {
		t.Helper()
		var vs []requesttypes.Version
		// Anonymous: no institution, no account.
		err := db.ScopedTx(context.Background(), f.d.App, db.Scope{}, func(tx pgx.Tx) (err error) {
			vs, err = requesttypes.Published(context.Background(), tx, f.inst)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}
	if got := catalogue(); len(got) != 0 {
		t.Fatalf("a draft is in the public catalogue: %+v", got)
	}
	steps := []struct {
		name string
		run  func(ctx context.Context, tx pgx.Tx) error
		want error
	}{
		{"the same code again", func(ctx context.Context, tx pgx.Tx) error {
			_, _, err := requesttypes.Create(ctx, tx, requesttypes.Type{Institution: f.inst, Code: "petitie"}, f.version("x"))
			return err
		}, requesttypes.ErrCodeTaken},
		{"a second draft", func(ctx context.Context, tx pgx.Tx) error {
			v := f.version("x")
			v.Type = typ.ID
			_, err := requesttypes.NewDraft(ctx, tx, v)
			return err
		}, requesttypes.ErrDraftExists},
		{"edit the draft", func(ctx context.Context, tx pgx.Tx) error {
			v := f.version("Petiție (OG 27/2002)")
			v.Type, v.Version = typ.ID, 1
			_, err := requesttypes.UpdateDraft(ctx, tx, v)
			return err
		}, nil},
		{"publish", func(ctx context.Context, tx pgx.Tx) error {
			_, err := requesttypes.Publish(ctx, tx, f.inst, typ.ID, uuid.Nil)
			return err
		}, nil},
		{"publish with no draft", func(ctx context.Context, tx pgx.Tx) error {
			_, err := requesttypes.Publish(ctx, tx, f.inst, typ.ID, uuid.Nil)
			return err
		}, requesttypes.ErrNoDraft},
		{"edit the published version", func(ctx context.Context, tx pgx.Tx) error {
			v := f.version("altfel")
			v.Type, v.Version = typ.ID, 1
			_, err := requesttypes.UpdateDraft(ctx, tx, v)
			return err
		}, requesttypes.ErrPublished},
		{"a custom regime without days", func(ctx context.Context, tx pgx.Tx) error {
			v := f.version("x")
			v.Type, v.Regime = typ.ID, requesttypes.Custom
			_, err := requesttypes.NewDraft(ctx, tx, v)
			return err
		}, errAny},
		{"a draft of version 2", func(ctx context.Context, tx pgx.Tx) error {
			v := f.version("Petiție, versiunea 2")
			v.Type = typ.ID
			_, err := requesttypes.NewDraft(ctx, tx, v)
			return err
		}, nil},
		{"a department of nowhere", func(ctx context.Context, tx pgx.Tx) error {
			v := f.version("x")
			v.Type, v.Version, v.Department = typ.ID, 2, uuid.New()
			_, err := requesttypes.UpdateDraft(ctx, tx, v)
			return err
		}, requesttypes.ErrNoDepartment},
	}
	for _, s := range steps {
		err := f.tx(t, s.run)
		switch {
		case s.want == errAny && err == nil:
			t.Errorf("%s: succeeded", s.name)
		case s.want != errAny && !errors.Is(err, s.want):
			t.Errorf("%s: %v, want %v", s.name, err, s.want)
		}
	}
	got := catalogue()
	if len(got) != 1 || got[0].Version != 1 || got[0].Name != "Petiție (OG 27/2002)" || got[0].Code != "petitie" ||
		len(got[0].Attachments) != 1 || !got[0].Attachments[0].Required {
		t.Fatalf("catalogue %+v: want version 1 only (version 2 is a draft)", got)
	}
	// Immutable whoever asks, the owner included.
	ctx := context.Background()
	for _, stmt := range []string{`UPDATE request_type_version SET name = 'x' WHERE version = 1`, `DELETE FROM request_type_version WHERE version = 1`} {
		if _, err := f.d.Owner.Exec(ctx, stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
	if err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error { return requesttypes.Withdraw(ctx, tx, f.inst, typ.ID) }); err != nil {
		t.Fatal(err)
	}
	if got := catalogue(); len(got) != 0 {
		t.Fatalf("a withdrawn type is offered: %+v", got)
	}
}

var errAny = errors.New("any error")

// The institution sees every version of a type, drafts included, newest
// first; anyone else sees only the published ones. GetType tells a
// withdrawn type.
func TestVersionsAndType(t *testing.T) {
	f := setUp(t)
	var typ requesttypes.Type
	err := f.tx(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		if typ, _, err = requesttypes.Create(ctx, tx, requesttypes.Type{Institution: f.inst, Code: "audienta"}, f.version("Audiență")); err != nil {
			return err
		}
		if _, err = requesttypes.Publish(ctx, tx, f.inst, typ.ID, uuid.Nil); err != nil {
			return err
		}
		v := f.version("Audiență la primar")
		v.Type = typ.ID
		_, err = requesttypes.NewDraft(ctx, tx, v)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		scope db.Scope
		want  []int
	}{
		{"the institution", db.Scope{Institution: f.inst}, []int{2, 1}},
		{"anyone else", db.Scope{}, []int{1}},
		{"another institution", db.Scope{Institution: uuid.New()}, []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var vs []requesttypes.Version
			err := db.ScopedTx(ctx, f.d.App, tc.scope, func(tx pgx.Tx) (err error) {
				vs, err = requesttypes.Versions(ctx, tx, f.inst, typ.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, v := range vs {
				got = append(got, v.Version)
				if v.Code != "audienta" || v.Type != typ.ID {
					t.Errorf("version %d: %+v", v.Version, v)
				}
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) || (len(got) > 1 && got[1] != tc.want[1]) {
				t.Fatalf("versions %v, want %v", got, tc.want)
			}
		})
	}
	get := func(id uuid.UUID) (requesttypes.Type, error) {
		var got requesttypes.Type
		err := f.tx(t, func(ctx context.Context, tx pgx.Tx) (err error) {
			got, err = requesttypes.GetType(ctx, tx, f.inst, id)
			return err
		})
		return got, err
	}
	if got, err := get(typ.ID); err != nil || got.Code != "audienta" || got.WithdrawnAt != nil || got.CreatedAt.IsZero() {
		t.Fatalf("GetType: %+v, %v", got, err)
	}
	if _, err := get(uuid.New()); !errors.Is(err, requesttypes.ErrNotFound) {
		t.Fatalf("GetType of an unknown type: %v", err)
	}
	if err := f.tx(t, func(ctx context.Context, tx pgx.Tx) error { return requesttypes.Withdraw(ctx, tx, f.inst, typ.ID) }); err != nil {
		t.Fatal(err)
	}
	if got, err := get(typ.ID); err != nil || got.WithdrawnAt == nil {
		t.Fatalf("GetType after withdrawal: %+v, %v", got, err)
	}
}
