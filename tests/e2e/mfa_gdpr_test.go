package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"
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
