package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp/totp"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// A staff member of an institution that requires a second factor can do
// nothing but set one up; once set up, signing in asks for a code.
func TestInstitutionRequiresTOTPForStaff(t *testing.T) {
	p := authPlatform(t)
	ctx := context.Background()
	inst, staff := uuid.New(), uuid.New()
	email, password := uniqueEmail("functionar"), "parola funcționarului"
	if _, err := p.db.Owner.Exec(ctx, `INSERT INTO institution (id, cif, name, require_staff_mfa) VALUES ($1, $2, 'Primăria', true)`,
		inst, uuid.NewString()[:8]); err != nil {
		t.Fatal(err)
	}
	c := newBrowser(t, p.functions["auth"])
	// The account is created as an administrator would, then the password is set through the reset link.
	if _, err := p.db.Owner.Exec(ctx, `INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name)
		VALUES ($1, 'staff', $2, $3, now(), 'Funcționar')`, staff, inst, email); err != nil {
		t.Fatal(err)
	}
	c.do(http.MethodPost, "/api/auth/password-reset", map[string]string{"email": email}).want(t, http.StatusAccepted)
	token := newMailpit(t).waitForLink(email, 1)
	c.do(http.MethodPost, "/api/auth/password-reset/confirm", map[string]string{"token": token, "password": password}).want(t, http.StatusNoContent)

	c.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusOK)
	var me struct {
		MFASetupRequired bool `json:"mfaSetupRequired"`
	}
	c.do(http.MethodGet, "/api/auth/me", nil).want(t, http.StatusOK).json(t, &me)
	if !me.MFASetupRequired {
		t.Fatal("me does not say the second factor must be set up")
	}
	if r := c.do(http.MethodGet, "/api/auth/sessions", nil); r.problemCode() != "second_factor_required" {
		t.Fatalf("before setting up the second factor: %d %s", r.status, r.body)
	}

	var setup struct{ Secret string }
	c.do(http.MethodPost, "/api/auth/totp/setup", nil).want(t, http.StatusOK).json(t, &setup)
	c.do(http.MethodPost, "/api/auth/totp/enable", map[string]string{"code": "000000"}).want(t, http.StatusUnprocessableEntity)
	code, err := totp.GenerateCode(setup.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.do(http.MethodPost, "/api/auth/totp/enable", map[string]string{"code": code}).want(t, http.StatusNoContent)
	c.do(http.MethodGet, "/api/auth/sessions", nil).want(t, http.StatusOK)

	// Next sign-in: the password alone opens a session that can only finish signing in.
	fresh := newBrowser(t, p.functions["auth"])
	var res struct {
		MFARequired bool `json:"mfaRequired"`
	}
	fresh.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusOK).json(t, &res)
	if !res.MFARequired {
		t.Fatal("sign-in did not ask for the second factor")
	}
	if r := fresh.do(http.MethodGet, "/api/auth/sessions", nil); r.problemCode() != "second_factor_required" {
		t.Fatalf("with the second factor pending: %d %s", r.status, r.body)
	}
	fresh.do(http.MethodPost, "/api/auth/signin/totp", map[string]string{"code": "123456"}).want(t, http.StatusUnprocessableEntity)
	// The code that enabled the factor is spent: replaying it fails.
	fresh.do(http.MethodPost, "/api/auth/signin/totp", map[string]string{"code": code}).want(t, http.StatusUnprocessableEntity)
	// The next step's code (within the allowed skew) works, once.
	next, _ := totp.GenerateCode(setup.Secret, time.Now().Add(30*time.Second))
	fresh.do(http.MethodPost, "/api/auth/signin/totp", map[string]string{"code": next}).want(t, http.StatusNoContent)
	fresh.do(http.MethodGet, "/api/auth/sessions", nil).want(t, http.StatusOK)
}

// A citizen downloads all their data, then closes the account: personal
// data is pseudonymised, the row (and its link to registry records) stays,
// and nobody can sign in to it any more.
func TestCitizenExportsDataAndClosesAccount(t *testing.T) {
	p := authPlatform(t)
	mp := newMailpit(t)
	email, password := uniqueEmail("elena"), "parola Elenei e lungă"
	c := signUpVerified(t, p, mp, email, password)

	var export struct {
		Account struct {
			Email string `json:"email"`
			CNP   string `json:"cnp"`
		} `json:"account"`
		Sessions []any `json:"sessions"`
		Activity []struct {
			Action string `json:"action"`
		} `json:"activity"`
	}
	r := c.do(http.MethodGet, "/api/auth/me/export", nil).want(t, http.StatusOK)
	r.json(t, &export)
	if export.Account.Email != email || len(export.Account.CNP) != 13 || len(export.Sessions) == 0 {
		t.Fatalf("export = %+v", export)
	}
	actions := map[string]bool{}
	for _, a := range export.Activity {
		actions[a.Action] = true
	}
	if !actions["account.create"] || !actions["session.open"] {
		t.Fatalf("the export lacks the account's own activity: %v", actions)
	}
	if r.header.Get("Content-Disposition") == "" {
		t.Error("the export is not offered as a file")
	}

	c.do(http.MethodPost, "/api/auth/me/close", map[string]string{"password": "greșită, dar lungă"}).want(t, http.StatusUnprocessableEntity)
	c.do(http.MethodPost, "/api/auth/me/close", map[string]string{"password": password}).want(t, http.StatusNoContent)
	c.do(http.MethodGet, "/api/auth/me", nil).want(t, http.StatusUnauthorized)
	newBrowser(t, p.functions["auth"]).do(http.MethodPost, "/api/auth/signin",
		map[string]string{"email": email, "password": password}).want(t, http.StatusUnauthorized)

	var status, storedEmail string
	var cnpSealed []byte
	var cnpIndex []byte
	if err := p.db.Owner.QueryRow(context.Background(), `SELECT status, email, cnp_sealed, cnp_index FROM account WHERE id = (
		SELECT actor_id FROM audit_log WHERE action = 'account.close' ORDER BY occurred_at DESC LIMIT 1)`).
		Scan(&status, &storedEmail, &cnpSealed, &cnpIndex); err != nil {
		t.Fatal(err)
	}
	if status != "closed" || storedEmail == email || cnpSealed != nil || cnpIndex == nil {
		t.Fatalf("after closing: status %s, email %s, CNP sealed %v, index kept %v", status, storedEmail, cnpSealed != nil, cnpIndex != nil)
	}
	// The address is free again for a new account.
	newBrowser(t, p.functions["auth"]).do(http.MethodPost, "/api/auth/signup", map[string]string{"kind": "person", "email": email,
		"password": password, "displayName": "Elena", "cnp": newCNP(t)}).want(t, http.StatusAccepted)
}

// A citizen with two requests exports their data: both requests are in
// it, with the form data in clear, the files as links that download the
// very bytes sent, the information request and the answer given, the
// institution's answer, and the notifications sent. Opening each
// request's sealed form data is audited in its institution.
func TestExportHoldsTheCitizensRequests(t *testing.T) {
	p, gw, as := requestsPlatform(t, nil)
	mp := newMailpit(t)
	lugoj := seed.InstitutionID(seed.LugojCIF)
	citizen := signUpVerifiedAt(t, gw, mp, uniqueEmail("exporta"), "o parolă lungă și bună")
	clerk := as("urbanism@primarialugoj.ro")

	photo := pngBytes()
	petition := citizen.submit(lugoj, seed.RequestTypeID(seed.LugojCIF, "petitie"), petitionData("Iluminat pe strada Morii"),
		[]declared{{kind: "anexe", name: "strada.png", body: photo}}).want(t, http.StatusCreated)
	plan, extract := textPDF(t, "Plan de situație"), textPDF(t, "Extras de carte funciară")
	urbanism := citizen.submit(lugoj, seed.RequestTypeID(seed.LugojCIF, "certificat-urbanism"), urbanismForm(), []declared{
		{kind: "plan-situatie", name: "plan.pdf", body: plan}, {kind: "extras-cf", name: "cf.pdf", body: extract}}).want(t, http.StatusCreated)
	var first, second requestView
	petition.json(t, &first)
	urbanism.json(t, &second)
	citizen.waitRegistered(lugoj, first.ID)
	citizen.waitRegistered(lugoj, second.ID)

	// The institution asks for information, the citizen answers with a file, and the request is resolved with an answer.
	base := "/api/institutions/" + lugoj.String() + "/requests/" + second.ID.String()
	clerk.do(http.MethodPost, base+"/info-request", map[string]string{"question": "Trimiteți ridicarea topografică."}).want(t, http.StatusOK)
	survey := textPDF(t, "Ridicare topografică")
	info, _ := json.Marshal(map[string]any{"text": "Am atașat ridicarea.", "files": []map[string]any{{"name": "ridicare.pdf", "size": len(survey)}}})
	citizen.postMultipart(base+"/info", "answer", string(info), []filePart{{filename: "ridicare.pdf", body: bytes.NewReader(survey)}}).
		want(t, http.StatusOK)
	certificate := textPDF(t, "Certificat de urbanism nr. 7")
	resolution, _ := json.Marshal(map[string]any{"note": "Certificatul a fost emis.", "files": []map[string]string{{"name": "certificat.pdf"}}})
	clerk.postMultipart(base+"/resolution", "resolution", string(resolution), []filePart{{filename: "certificat.pdf", body: bytes.NewReader(certificate)}}).
		want(t, http.StatusOK)

	type exportView struct {
		Account struct {
			CNP string `json:"cnp"`
		} `json:"account"`
		Requests []struct {
			ID    uuid.UUID       `json:"id"`
			Data  json.RawMessage `json:"data"`
			Files []struct {
				Kind string `json:"kind"`
				Name string `json:"name"`
				URL  string `json:"url"`
			} `json:"files"`
			History             []struct{ Action string } `json:"history"`
			InformationRequests []struct {
				Question string  `json:"question"`
				Answer   *string `json:"answer"`
				FileIDs  []int64 `json:"fileIds"`
			} `json:"informationRequests"`
			Outcome *struct {
				Action  string  `json:"action"`
				Message string  `json:"message"`
				FileIDs []int64 `json:"fileIds"`
			} `json:"outcome"`
		} `json:"requests"`
		Notifications []struct{ Kind string } `json:"notifications"`
		Messages      []struct {
			Template string `json:"template"`
			Channel  string `json:"channel"`
		} `json:"messages"`
	}
	var export exportView
	// The notifications are made as notify takes the events: wait for the registrations' mails.
	poll.Until(t, 60*time.Second, "the registrations' messages in the export", func() bool {
		citizen.do(http.MethodGet, "/api/auth/me/export", nil).want(t, http.StatusOK).json(t, &export)
		n := 0
		for _, m := range export.Messages {
			if m.Template == "request-registered" {
				n++
			}
		}
		return n >= 2
	})
	if len(export.Account.CNP) != 13 || len(export.Requests) != 2 {
		t.Fatalf("export: CNP %q, %d requests, want 2", export.Account.CNP, len(export.Requests))
	}
	sent := map[string][]byte{"strada.png": photo, "plan.pdf": plan, "cf.pdf": extract, "ridicare.pdf": survey, "certificat.pdf": certificate}
	got := map[uuid.UUID]bool{}
	for _, req := range export.Requests {
		got[req.ID] = true
		switch req.ID {
		case first.ID:
			if !strings.Contains(string(req.Data), "strada Morii") || len(req.Files) != 1 || req.Outcome != nil {
				t.Errorf("the petition: data %s, files %+v, outcome %+v", req.Data, req.Files, req.Outcome)
			}
		case second.ID:
			if len(req.Data) < 3 || len(req.Files) != 4 {
				t.Errorf("the urbanism request: data %s, files %+v", req.Data, req.Files)
			}
			if len(req.InformationRequests) != 1 || req.InformationRequests[0].Question != "Trimiteți ridicarea topografică." ||
				req.InformationRequests[0].Answer == nil || *req.InformationRequests[0].Answer != "Am atașat ridicarea." ||
				len(req.InformationRequests[0].FileIDs) != 1 {
				t.Errorf("information requests %+v", req.InformationRequests)
			}
			if req.Outcome == nil || req.Outcome.Action != "resolve" || req.Outcome.Message != "Certificatul a fost emis." || len(req.Outcome.FileIDs) != 1 {
				t.Errorf("outcome %+v", req.Outcome)
			}
		}
		for _, f := range req.Files {
			body := citizen.do(http.MethodGet, f.URL, nil).want(t, http.StatusOK).body
			if want, ok := sent[f.Name]; !ok || !bytes.Equal(body, want) {
				t.Errorf("%s (%s) at %s: %d bytes, not the ones sent", f.Name, f.Kind, f.URL, len(body))
			}
		}
	}
	if !got[first.ID] || !got[second.ID] {
		t.Errorf("the export holds %v, want both requests", got)
	}
	var audited int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(DISTINCT object_id) FROM audit_log WHERE action = 'request.data.export' AND institution_id = $1`,
			lugoj).Scan(&audited)
	})
	if audited != 2 {
		t.Errorf("the export's reads of the form data: %d requests audited, want 2", audited)
	}
	// Nobody else's: another citizen's export holds no request.
	other := signUpVerifiedAt(t, gw, mp, uniqueEmail("altcineva"), "o altă parolă lungă")
	var empty exportView
	other.do(http.MethodGet, "/api/auth/me/export", nil).want(t, http.StatusOK).json(t, &empty)
	if len(empty.Requests) != 0 || len(empty.Messages) > 1 {
		t.Errorf("another citizen's export: %d requests, %d messages", len(empty.Requests), len(empty.Messages))
	}
}
