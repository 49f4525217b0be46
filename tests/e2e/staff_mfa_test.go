package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"

	"github.com/ghiseu/ghiseu/shared/institutions"
)

// Staff who hold an administrative permission must set up a second factor
// by default: a clerk signs in with the password alone, is made an
// administrator while signed in and from the next request can do nothing
// but set the factor up; once set up, signing in asks for a code. The
// institution may relax the default through the API (audited), and its
// administrators then work with the password alone.
func TestAdministratorsNeedASecondFactorByDefault(t *testing.T) {
	p := startPlatform(t, "", nil, "auth", "institutions")
	ctx := context.Background()
	inst := uuid.New()
	if _, err := p.db.Owner.Exec(ctx, `INSERT INTO institution (id, cif, name) VALUES ($1, $2, 'Primăria')`, inst, uuid.NewString()[:8]); err != nil {
		t.Fatal(err)
	}
	password := "parola funcționarei e lungă"
	hash, err := argon2id.CreateHash(password, institutions.HashParams())
	if err != nil {
		t.Fatal(err)
	}
	// staff adds a staff account with a password and a role from a fixed past day.
	staff := func(name, role string) (uuid.UUID, string) {
		id, email := uuid.New(), uniqueEmail(name)
		if _, err := p.db.Owner.Exec(ctx, `INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, password_hash)
			VALUES ($1, 'staff', $2, $3, now(), $4, $5)`, id, inst, email, name, hash); err != nil {
			t.Fatal(err)
		}
		grantRole(t, p, inst, id, role)
		return id, email
	}
	signIn := func(email string) (*apiClient, bool) {
		var res struct {
			Token            string `json:"token"`
			MFARequired      bool   `json:"mfaRequired"`
			MFASetupRequired bool   `json:"mfaSetupRequired"`
		}
		newBrowser(t, p.functions["auth"]).do(http.MethodPost, "/api/auth/signin",
			map[string]string{"email": email, "password": password, "session": "api"}).want(t, http.StatusOK).json(t, &res)
		if res.MFARequired {
			t.Fatalf("%s has no second factor, yet sign-in asks for its code", email)
		}
		return &apiClient{t: t, base: p.functions["auth"], http: http.DefaultClient, bearer: res.Token}, res.MFASetupRequired
	}
	setupRequired := func(c *apiClient) bool {
		var me struct {
			MFASetupRequired bool `json:"mfaSetupRequired"`
		}
		c.do(http.MethodGet, "/api/auth/me", nil).want(t, http.StatusOK).json(t, &me)
		return me.MFASetupRequired
	}

	clerk, clerkEmail := staff("Ana Funcționar", "clerk")
	c, required := signIn(clerkEmail)
	if required || setupRequired(c) {
		t.Fatal("a clerk is asked to set up a second factor: only administrative permissions need one by default")
	}
	c.do(http.MethodGet, "/api/auth/sessions", nil).want(t, http.StatusOK)

	// Made an administrator while signed in: from the next request on.
	grantRole(t, p, inst, clerk, "administrator")
	if r := c.do(http.MethodGet, "/api/auth/sessions", nil); r.problemCode() != "second_factor_required" {
		t.Fatalf("an administrator without a second factor: %d %s", r.status, r.body)
	}
	admin := *c
	admin.base = p.functions["institutions"]
	if r := admin.do(http.MethodPatch, "/api/institutions/"+inst.String(), map[string]any{"requireAdminMfa": false}, "If-Match", `"x"`); r.problemCode() != "second_factor_required" {
		t.Fatalf("an administrator without a second factor relaxed the rule: %d %s", r.status, r.body)
	}
	if !setupRequired(c) {
		t.Fatal("me does not say the second factor must be set up")
	}
	if _, required := signIn(clerkEmail); !required {
		t.Fatal("sign-in does not say the second factor must be set up")
	}

	// Set up: the session works again, and the next sign-in asks for a code.
	var setup struct {
		Secret string `json:"secret"`
	}
	c.do(http.MethodPost, "/api/auth/totp/setup", nil).want(t, http.StatusOK).json(t, &setup)
	code, err := totp.GenerateCode(setup.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.do(http.MethodPost, "/api/auth/totp/enable", map[string]string{"code": code}).want(t, http.StatusNoContent)
	c.do(http.MethodGet, "/api/auth/sessions", nil).want(t, http.StatusOK)
	var second struct {
		MFARequired bool `json:"mfaRequired"`
	}
	newBrowser(t, p.functions["auth"]).do(http.MethodPost, "/api/auth/signin",
		map[string]string{"email": clerkEmail, "password": password}).want(t, http.StatusOK).json(t, &second)
	if !second.MFARequired {
		t.Fatal("with the factor set up, sign-in does not ask for its code")
	}

	// The institution relaxes the default, through the API, audited.
	var cur struct {
		RequireAdminMFA bool `json:"requireAdminMfa"`
	}
	r := admin.do(http.MethodGet, "/api/institutions/"+inst.String(), nil).want(t, http.StatusOK)
	r.json(t, &cur)
	if !cur.RequireAdminMFA {
		t.Fatal("a new institution does not require a second factor of its administrators")
	}
	r = admin.do(http.MethodPatch, "/api/institutions/"+inst.String(), map[string]any{"requireAdminMfa": false}, "If-Match", r.header.Get("ETag")).
		want(t, http.StatusOK)
	r.json(t, &cur)
	if cur.RequireAdminMFA {
		t.Fatal("the institution did not relax the rule")
	}
	var audited []byte
	if err := p.db.Owner.QueryRow(ctx, `SELECT new_value FROM audit_log WHERE institution_id = $1 AND action = 'institution.update'
		AND actor_id = $2`, inst, clerk).Scan(&audited); err != nil {
		t.Fatalf("the relaxation is not audited: %v", err)
	}
	var after struct {
		RequireAdminMFA *bool `json:"requireAdminMfa"`
	}
	if err := json.Unmarshal(audited, &after); err != nil || after.RequireAdminMFA == nil || *after.RequireAdminMFA {
		t.Fatalf("the audit row's new values %s do not show the relaxation", audited)
	}
	_, otherEmail := staff("Dan Administrator", "administrator")
	other, required := signIn(otherEmail)
	if required {
		t.Fatal("the institution relaxed the rule, yet its administrator must set up a second factor")
	}
	other.do(http.MethodGet, "/api/auth/sessions", nil).want(t, http.StatusOK)
}

// grantRole gives account role in inst from a fixed past day (the day is
// irrelevant here; a fixed one does not depend on the database's clock).
func grantRole(t *testing.T, p *platform, inst, account uuid.UUID, role string) {
	t.Helper()
	if _, err := p.db.Owner.Exec(context.Background(), `INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason)
		VALUES ($1, $2, $3, $4, '2025-01-01', 'test')`, inst, uuid.New(), account, role); err != nil {
		t.Fatal(err)
	}
}
