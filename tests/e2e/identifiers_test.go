package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/nationalid"
)

// A form's CNP and CUI fields (format cnp, cui) are checked as sign-up
// checks them: through the gateway and submit-request, a wrong code is a
// 422 naming the field, with the field's code followed by sign-up's code
// and sign-up's message, and nothing is stored; a right one is taken.
func TestSubmissionChecksIdentifiersAsSignUpDoes(t *testing.T) {
	p, gw, _ := requestsPlatform(t, nil)
	mp := newMailpit(t)
	lugoj := seed.InstitutionID(seed.LugojCIF)
	petition := seed.RequestTypeID(seed.LugojCIF, "petitie")
	fiscal := seed.RequestTypeID(seed.LugojCIF, "certificat-fiscal")
	c := signUpVerifiedAt(t, gw, mp, uniqueEmail("identificatori"), "o parolă lungă și bună")

	withCNP := func(cnp string) map[string]any {
		d := petitionData("Iluminat public")
		d["cnp"] = cnp
		return d
	}
	coSigner := petitionData("Iluminat public")
	coSigner["coSigners"] = []any{map[string]any{"name": "Ion Pop", "cnp": "1920822296090"}, map[string]any{"name": "Ana Pop", "cnp": "1920822476095"}}
	fiscalData := func(cui string) map[string]any {
		return map[string]any{"personType": "juridica", "taxpayerName": "Lugojana SRL", "cui": cui, "purpose": "Licitație", "years": []int{2025}}
	}

	for _, tc := range []struct {
		name        string
		typ         uuid.UUID
		data        map[string]any
		field, path string // path: the field's code, before sign-up's
		signUp      string
	}{
		{"a CNP with a wrong control digit", petition, withCNP("1920822296091"), "data.cnp", "cnp", nationalid.CodeCNPChecksum},
		{"a CNP born on 30 February", petition, withCNP("1920230296099"), "data.cnp", "cnp", nationalid.CodeCNPDate},
		{"a CNP of county 47", petition, withCNP("1920822476095"), "data.cnp", "cnp", nationalid.CodeCNPCounty},
		{"a CNP of county 00", petition, withCNP("1920822006096"), "data.cnp", "cnp", nationalid.CodeCNPCounty},
		{"a CNP with serial 000", petition, withCNP("1920822290006"), "data.cnp", "cnp", nationalid.CodeCNPSerial},
		{"a co-signer's CNP", petition, coSigner, "data.coSigners[1].cnp", "coSigners[].cnp", nationalid.CodeCNPCounty},
		{"a CUI with a wrong control digit", fiscal, fiscalData("RO18547291"), "data.cui", "cui", nationalid.CodeCUIChecksum},
		{"a CUI with a leading zero", fiscal, fiscalData("018547290"), "data.cui", "cui", nationalid.CodeCUIFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.submit(lugoj, tc.typ, tc.data, nil)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", r.status, r.body)
			}
			var prob struct {
				Errors []struct{ Field, Code, Message, MessageEn string } `json:"errors"`
			}
			r.json(t, &prob)
			signUp := &nationalid.Error{Code: tc.signUp}
			code := tc.path + "." + tc.signUp
			if len(prob.Errors) != 1 {
				t.Fatalf("errors %+v, want one for %s", prob.Errors, tc.field)
			}
			e := prob.Errors[0]
			if e.Field != tc.field || e.Code != code || e.Message != signUp.Message("ro") || e.MessageEn != signUp.Message("en") {
				t.Errorf("error %+v, want %s %s with sign-up's messages %q", e, tc.field, code, signUp.Message("ro"))
			}
			var made int
			platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT count(*) FROM request`).Scan(&made)
			})
			if made != 0 {
				t.Errorf("%d requests stored", made)
			}
		})
	}

	t.Run("right codes are taken", func(t *testing.T) {
		c.submit(lugoj, petition, withCNP("1920822296090"), nil).want(t, http.StatusCreated)
		c.submit(lugoj, fiscal, fiscalData("ro 18547290"), nil).want(t, http.StatusCreated)
	})
}
