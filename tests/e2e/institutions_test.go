package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/pii"
)

// institutionsPlatform runs the institutions function over the demo seed,
// with auth and notify to follow an invitation and use a machine client's
// secrets, and returns the platform and a function making an API client
// signed in as a demo account ("" for an anonymous one).
func institutionsPlatform(t *testing.T) (*platform, func(email string) *apiClient) {
	t.Helper()
	p := startPlatform(t, "", nil, "institutions", "auth", "notify")
	ctx := context.Background()
	protector, err := pii.New(pii.KeysConfig{Keys: "1:" + testKey(), IndexKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	// As the application role, as the local stack seeds.
	if err := seed.Demo(ctx, p.db.App, protector, "parola demonstrației, lungă"); err != nil {
		t.Fatalf("seed: %v", err)
	}
	as := func(email string) *apiClient {
		t.Helper()
		c := &apiClient{t: t, base: p.functions["institutions"], http: &http.Client{Timeout: 30 * time.Second}, ip: "198.51.100.7"}
		if email == "" {
			return c
		}
		err := db.PlatformTx(ctx, p.db.App, func(tx pgx.Tx) error {
			var err error
			c.bearer, _, err = access.OpenSession(ctx, tx, access.NewSession{Account: seed.AccountID(email), Kind: "api"})
			return err
		})
		if err != nil {
			t.Fatalf("session of %s: %v", email, err)
		}
		return c
	}
	return p, as
}

// platformQuery runs fn in platform scope as the owner, to look at what
// the function wrote.
func platformQuery(t *testing.T, p *platform, fn func(context.Context, pgx.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := db.PlatformTx(ctx, p.db.Owner, func(tx pgx.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

type institutionJSON struct {
	ID       uuid.UUID  `json:"id"`
	ParentID *uuid.UUID `json:"parentId"`
	CIF      string     `json:"cif"`
	Name     string     `json:"name"`
	Address  string     `json:"address"`
}

type departmentJSON struct {
	ID       uuid.UUID        `json:"id"`
	ParentID *uuid.UUID       `json:"parentId"`
	Code     string           `json:"code"`
	Name     string           `json:"name"`
	Children []departmentJSON `json:"children"`
}

type staffJSON struct {
	ID            uuid.UUID `json:"id"`
	InstitutionID uuid.UUID `json:"institutionId"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"emailVerified"`
	Roles         []struct {
		Role string `json:"role"`
	} `json:"roles"`
}

func TestInstitutionsDirectoryAndAdministration(t *testing.T) {
	p, as := institutionsPlatform(t)
	anonymous, admin := as(""), as("admin@primarialugoj.ro")
	lugoj, das := seed.InstitutionID(seed.LugojCIF), seed.InstitutionID(seed.DASCIF)
	lugojPath := "/api/institutions/" + lugoj.String()

	t.Run("the directory is public and pages by name", func(t *testing.T) {
		var all struct {
			Institutions []institutionJSON `json:"institutions"`
			Next         *string           `json:"next"`
		}
		anonymous.do(http.MethodGet, "/api/institutions", nil).want(t, http.StatusOK).json(t, &all)
		if len(all.Institutions) != 3 || all.Next != nil {
			t.Fatalf("directory: %+v", all)
		}
		var under struct{ Institutions []institutionJSON }
		anonymous.do(http.MethodGet, "/api/institutions?parent="+lugoj.String(), nil).want(t, http.StatusOK).json(t, &under)
		if len(under.Institutions) != 2 {
			t.Fatalf("under Lugoj: %+v", under)
		}
		var names []string
		path := "/api/institutions?limit=2"
		for range 5 {
			var page struct {
				Institutions []institutionJSON `json:"institutions"`
				Next         *string           `json:"next"`
			}
			anonymous.do(http.MethodGet, path, nil).want(t, http.StatusOK).json(t, &page)
			for _, i := range page.Institutions {
				names = append(names, i.Name)
			}
			if page.Next == nil {
				break
			}
			path = "/api/institutions?limit=2&after=" + *page.Next
		}
		if len(names) != 3 || names[0] != "Direcția de Asistență Socială Lugoj" {
			t.Fatalf("pages: %v", names)
		}
		anonymous.do(http.MethodGet, "/api/institutions?limit=0", nil).want(t, http.StatusUnprocessableEntity)
		anonymous.do(http.MethodGet, "/api/institutions/"+uuid.NewString(), nil).want(t, http.StatusNotFound)
		anonymous.do(http.MethodGet, "/api/institutions/lugoj", nil).want(t, http.StatusNotFound)

		var detail struct {
			institutionJSON
			Departments []departmentJSON `json:"departments"`
		}
		r := anonymous.do(http.MethodGet, lugojPath, nil).want(t, http.StatusOK)
		r.json(t, &detail)
		if r.header.Get("ETag") == "" || detail.CIF != seed.LugojCIF || detail.Address != "Piața Victoriei nr. 4, Lugoj, județul Timiș" {
			t.Fatalf("Lugoj: %s %+v", r.header.Get("ETag"), detail.institutionJSON)
		}
		if !hasChild(detail.Departments, "DT", "DT-UAT") || !hasChild(detail.Departments, "DE", "DE-BC") {
			t.Fatalf("organisation chart: %+v", detail.Departments)
		}
	})

	t.Run("an administrator manages the organisation chart", func(t *testing.T) {
		de := seed.DepartmentID(seed.LugojCIF, "DE")
		body := map[string]any{"kind": "service", "code": "DE-ACH", "name": "Serviciul Achiziții Publice", "parentId": de}
		var made departmentJSON
		admin.do(http.MethodPost, lugojPath+"/departments", body, "Idempotency-Key", "dep-1").want(t, http.StatusCreated).json(t, &made)
		var again departmentJSON
		admin.do(http.MethodPost, lugojPath+"/departments", body, "Idempotency-Key", "dep-1").want(t, http.StatusOK).json(t, &again)
		if again.ID != made.ID || made.ParentID == nil || *made.ParentID != de {
			t.Fatalf("made %+v, repeat %+v", made, again)
		}
		if r := admin.do(http.MethodPost, lugojPath+"/departments", map[string]any{"kind": "service", "code": "DE-ACH", "name": "Alt serviciu"}).
			want(t, http.StatusConflict); r.problemCode() != "department_exists" {
			t.Fatalf("code = %s", r.problemCode())
		}
		admin.do(http.MethodPost, lugojPath+"/departments", map[string]any{"kind": "service", "code": "X1", "name": "X", "parentId": uuid.New()}).
			want(t, http.StatusUnprocessableEntity)
		admin.do(http.MethodPost, lugojPath+"/departments", map[string]any{"kind": "department", "code": "", "name": ""}).
			want(t, http.StatusUnprocessableEntity)

		deptPath := lugojPath + "/departments/" + made.ID.String()
		tag := anonymous.do(http.MethodGet, deptPath, nil).want(t, http.StatusOK).header.Get("ETag")
		var renamed departmentJSON
		admin.do(http.MethodPatch, deptPath, map[string]any{"name": "Serviciul Achiziții Publice și Contracte"}, "If-Match", tag).
			want(t, http.StatusOK).json(t, &renamed)
		admin.do(http.MethodPatch, deptPath, map[string]any{"name": "Iar alt nume"}, "If-Match", tag).want(t, http.StatusPreconditionFailed)
		tag = anonymous.do(http.MethodGet, deptPath, nil).want(t, http.StatusOK).header.Get("ETag")
		if r := admin.do(http.MethodPatch, lugojPath+"/departments/"+de.String(), map[string]any{"parentId": made.ID}, "If-Match", "*").
			want(t, http.StatusUnprocessableEntity); !strings.Contains(string(r.body), "parentId.cycle") {
			t.Fatalf("moving a direction under its own service: %s", r.body)
		}
		if r := admin.do(http.MethodDelete, lugojPath+"/departments/"+de.String(), nil).want(t, http.StatusConflict); r.problemCode() != "department_has_children" {
			t.Fatalf("code = %s", r.problemCode())
		}
		uat := seed.DepartmentID(seed.LugojCIF, "DT-UAT")
		if r := admin.do(http.MethodDelete, lugojPath+"/departments/"+uat.String(), nil).want(t, http.StatusConflict); r.problemCode() != "department_has_roles" {
			t.Fatalf("code = %s", r.problemCode())
		}
		admin.do(http.MethodPatch, deptPath, map[string]any{"parentId": nil}, "If-Match", tag).want(t, http.StatusOK)
		admin.do(http.MethodDelete, deptPath, nil).want(t, http.StatusNoContent)
		anonymous.do(http.MethodGet, deptPath, nil).want(t, http.StatusNotFound)

		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			var audited, published int
			err := tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE institution_id = $1 AND object_id = $2`, lugoj, made.ID.String()).Scan(&audited)
			if err != nil {
				return err
			}
			err = tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE institution_id = $1 AND event->'data'->>'departmentId' = $2`,
				lugoj, made.ID.String()).Scan(&published)
			if audited != 4 || published != 4 {
				t.Errorf("create, rename, move, delete: %d audited, %d events; want 4 and 4", audited, published)
			}
			return err
		})
	})

	t.Run("an administrator creates a subordinated institution", func(t *testing.T) {
		body := map[string]any{"cif": "RO18547290", "name": "Clubul Sportiv Municipal Lugoj", "address": "Lugoj, județul Timiș"}
		var made institutionJSON
		admin.do(http.MethodPost, lugojPath+"/institutions", body, "Idempotency-Key", "inst-1").want(t, http.StatusCreated).json(t, &made)
		if made.CIF != "18547290" || made.ParentID == nil || *made.ParentID != lugoj {
			t.Fatalf("made %+v", made)
		}
		var again institutionJSON
		admin.do(http.MethodPost, lugojPath+"/institutions", body, "Idempotency-Key", "inst-1").want(t, http.StatusOK).json(t, &again)
		if again.ID != made.ID {
			t.Fatalf("repeat made another: %s, %s", made.ID, again.ID)
		}
		if r := admin.do(http.MethodPost, lugojPath+"/institutions", map[string]any{"cif": seed.DASCIF, "name": "Alt nume"}).
			want(t, http.StatusConflict); r.problemCode() != "institution_exists" {
			t.Fatalf("code = %s", r.problemCode())
		}
		r := admin.do(http.MethodPost, lugojPath+"/institutions", map[string]any{"cif": "18547291", "name": "Greșit", "timeZone": "Europe/Lugoj"}).
			want(t, http.StatusUnprocessableEntity)
		if body := string(r.body); !strings.Contains(body, "cui.checksum") || !strings.Contains(body, "timeZone.invalid") {
			t.Fatalf("per-field errors: %s", body)
		}
	})

	t.Run("an administrator invites a staff member, who sets a password and signs in", func(t *testing.T) {
		n := time.Now().UnixNano()
		email := fmt.Sprintf("ana.pop.%d@primarialugoj.ro", n)
		body := map[string]any{"email": fmt.Sprintf("Ana.Pop.%d@PrimariaLugoj.ro", n), "displayName": "Ana Pop", "phone": "0256 352 000"}
		var made staffJSON
		admin.do(http.MethodPost, lugojPath+"/staff", body, "Idempotency-Key", "staff-1").want(t, http.StatusCreated).json(t, &made)
		if made.Email != email || made.EmailVerified || made.InstitutionID != lugoj {
			t.Fatalf("made %+v", made)
		}
		admin.do(http.MethodPost, lugojPath+"/staff", body).want(t, http.StatusOK)
		if r := admin.do(http.MethodPost, lugojPath+"/staff", map[string]any{"email": email, "displayName": "Ana Popa"}).
			want(t, http.StatusConflict); r.problemCode() != "staff_exists" {
			t.Fatalf("code = %s", r.problemCode())
		}
		if r := admin.do(http.MethodPost, lugojPath+"/staff", map[string]any{"email": seed.CitizenEmail, "displayName": "Ioana"}).
			want(t, http.StatusConflict); r.problemCode() != "email_taken" {
			t.Fatalf("code = %s", r.problemCode())
		}
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			rows, err := tx.Query(ctx, `SELECT event FROM outbox WHERE event_type = $1 AND event->'data'->>'accountId' = $2`,
				events.TypeAccountInvited, made.ID.String())
			if err != nil {
				return err
			}
			invitations, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
			if err != nil {
				return err
			}
			if len(invitations) != 1 {
				t.Fatalf("%d invitation events, want 1 (a repeat mails nothing)", len(invitations))
			}
			var e struct {
				Source string `json:"source"`
				Data   struct {
					Link      string    `json:"link"`
					ExpiresAt time.Time `json:"expiresAt"`
				} `json:"data"`
			}
			if err := json.Unmarshal(invitations[0], &e); err != nil {
				return err
			}
			if !strings.HasPrefix(e.Data.Link, "http://ghiseu.test/reset-password?token=") || time.Until(e.Data.ExpiresAt) < 6*24*time.Hour ||
				e.Source != "/ghiseu/functions/institutions" {
				t.Errorf("invitation: %+v", e)
			}
			return nil
		})
		token := newMailpit(t).waitForLink(email, 1)
		browser := newBrowser(t, p.functions["auth"])
		password := "parola Anei, aleasă de ea"
		browser.do(http.MethodPost, "/api/auth/password-reset/confirm", map[string]string{"token": token, "password": password}).
			want(t, http.StatusNoContent)
		browser.do(http.MethodPost, "/api/auth/signin", map[string]string{"email": email, "password": password}).want(t, http.StatusOK)
	})

	t.Run("a machine client's secret is shown once and rotation keeps the old one a day", func(t *testing.T) {
		var made struct {
			ID           uuid.UUID `json:"id"`
			ClientID     string    `json:"clientId"`
			ClientSecret string    `json:"clientSecret"`
		}
		admin.do(http.MethodPost, lugojPath+"/machine-clients", map[string]any{"name": "Sistemul de registratură al județului"}).
			want(t, http.StatusCreated).json(t, &made)
		if !strings.HasPrefix(made.ClientID, "mc_") || len(made.ClientID) != 23 || made.ClientSecret == "" {
			t.Fatalf("made %+v", made)
		}
		repeat := admin.do(http.MethodPost, lugojPath+"/machine-clients", map[string]any{"name": "Sistemul de registratură al județului"}).
			want(t, http.StatusOK)
		list := admin.do(http.MethodGet, lugojPath+"/machine-clients", nil).want(t, http.StatusOK)
		for _, body := range [][]byte{repeat.body, list.body} {
			if strings.Contains(string(body), made.ClientSecret) || strings.Contains(string(body), "clientSecret") {
				t.Fatalf("a secret was shown again: %s", body)
			}
		}
		var rotated struct {
			ClientSecret             string    `json:"clientSecret"`
			PreviousSecretValidUntil time.Time `json:"previousSecretValidUntil"`
		}
		clientPath := lugojPath + "/machine-clients/" + made.ID.String()
		admin.do(http.MethodPost, clientPath+"/rotate", nil).want(t, http.StatusOK).json(t, &rotated)
		if rotated.ClientSecret == made.ClientSecret || time.Until(rotated.PreviousSecretValidUntil) < 23*time.Hour {
			t.Fatalf("rotated %+v", rotated)
		}
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			var current, previous string
			var until time.Time
			if err := tx.QueryRow(ctx, `SELECT secret_hash, previous_secret_hash, previous_valid_until FROM machine_credential WHERE client_id = $1`,
				made.ClientID).Scan(&current, &previous, &until); err != nil {
				return err
			}
			newOK, err1 := argon2id.ComparePasswordAndHash(rotated.ClientSecret, current)
			oldOK, err2 := argon2id.ComparePasswordAndHash(made.ClientSecret, previous)
			if !newOK || !oldOK || err1 != nil || err2 != nil || time.Until(until) < 23*time.Hour {
				t.Errorf("after rotation: new secret %v, old secret %v (until %s) %v %v", newOK, oldOK, until, err1, err2)
			}
			return nil
		})
		// Both secrets get a token from auth, for a day.
		system := &apiClient{t: t, base: p.functions["auth"], http: http.DefaultClient, ip: "203.0.113.20"}
		var grant struct {
			AccessToken string `json:"accessToken"`
		}
		for _, secret := range []string{made.ClientSecret, rotated.ClientSecret} {
			system.do(http.MethodPost, "/api/auth/token", map[string]string{"clientId": made.ClientID, "clientSecret": secret}).
				want(t, http.StatusOK).json(t, &grant)
		}
		// The client has no role yet: its token is taken (403, not 401) on a
		// guarded route, though nothing is allowed.
		system.base, system.bearer = p.functions["institutions"], grant.AccessToken
		system.do(http.MethodGet, lugojPath+"/staff", nil).want(t, http.StatusForbidden)

		admin.do(http.MethodDelete, clientPath, nil).want(t, http.StatusNoContent)
		admin.do(http.MethodDelete, clientPath, nil).want(t, http.StatusNoContent)
		// Its token is refused at once, and no secret gets another.
		system.do(http.MethodGet, lugojPath+"/staff", nil).want(t, http.StatusUnauthorized)
		system.base, system.bearer = p.functions["auth"], ""
		system.do(http.MethodPost, "/api/auth/token", map[string]string{"clientId": made.ClientID, "clientSecret": rotated.ClientSecret}).
			want(t, http.StatusUnauthorized)
		if r := admin.do(http.MethodPost, clientPath+"/rotate", nil).want(t, http.StatusConflict); r.problemCode() != "machine_client_closed" {
			t.Fatalf("code = %s", r.problemCode())
		}
		admin.do(http.MethodPost, lugojPath+"/machine-clients/"+uuid.NewString()+"/rotate", nil).want(t, http.StatusNotFound)
	})

	t.Run("an update made from a stale read is refused", func(t *testing.T) {
		tag := anonymous.do(http.MethodGet, lugojPath, nil).want(t, http.StatusOK).header.Get("ETag")
		admin.do(http.MethodPatch, lugojPath, map[string]any{"address": "Piața Victoriei nr. 4, 305500 Lugoj"}).want(t, http.StatusPreconditionRequired)
		r := admin.do(http.MethodPatch, lugojPath, map[string]any{"address": "Piața Victoriei nr. 4, 305500 Lugoj"}, "If-Match", tag).
			want(t, http.StatusOK)
		if r.header.Get("ETag") == "" || r.header.Get("ETag") == tag {
			t.Fatalf("ETag after the change: %q (was %q)", r.header.Get("ETag"), tag)
		}
		if r := admin.do(http.MethodPatch, lugojPath, map[string]any{"name": "Primăria Lugoj"}, "If-Match", tag).
			want(t, http.StatusPreconditionFailed); r.problemCode() != "precondition_failed" {
			t.Fatalf("code = %s", r.problemCode())
		}
		admin.do(http.MethodPatch, lugojPath, map[string]any{"timeZone": "Local"}, "If-Match", r.header.Get("ETag")).
			want(t, http.StatusUnprocessableEntity)
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			var before, after string
			err := tx.QueryRow(ctx, `SELECT old_value->>'address', new_value->>'address' FROM audit_log
				WHERE institution_id = $1 AND action = 'institution.update' ORDER BY seq DESC LIMIT 1`, lugoj).Scan(&before, &after)
			if err == nil && (before != "Piața Victoriei nr. 4, Lugoj, județul Timiș" || after != "Piața Victoriei nr. 4, 305500 Lugoj") {
				t.Errorf("audited %q → %q", before, after)
			}
			return err
		})
	})

	t.Run("only those holding the permission there may act", func(t *testing.T) {
		clerk, otherAdmin, citizen := as("urbanism@primarialugoj.ro"), as("admin@daslugoj.ro"), as(seed.CitizenEmail)
		dept := map[string]any{"kind": "office", "code": "BIROU", "name": "Biroul"}
		if r := clerk.do(http.MethodPost, lugojPath+"/departments", dept).want(t, http.StatusForbidden); r.problemCode() != "forbidden" {
			t.Fatalf("code = %s", r.problemCode())
		}
		otherAdmin.do(http.MethodPost, lugojPath+"/departments", dept).want(t, http.StatusForbidden)
		otherAdmin.do(http.MethodPatch, lugojPath, map[string]any{"name": "Preluată"}, "If-Match", "*").want(t, http.StatusForbidden)
		otherAdmin.do(http.MethodPost, lugojPath+"/machine-clients", map[string]any{"name": "Intrus"}).want(t, http.StatusForbidden)
		anonymous.do(http.MethodPost, lugojPath+"/staff", map[string]any{"email": "x@example.ro", "displayName": "X"}).
			want(t, http.StatusUnauthorized)
		anonymous.do(http.MethodGet, lugojPath+"/staff", nil).want(t, http.StatusUnauthorized)
		citizen.do(http.MethodGet, lugojPath+"/staff", nil).want(t, http.StatusForbidden)
		citizen.do(http.MethodGet, lugojPath+"/machine-clients", nil).want(t, http.StatusForbidden)
		// The administrator of Lugoj is not the administrator of the
		// institutions under it.
		admin.do(http.MethodGet, "/api/institutions/"+das.String()+"/staff", nil).want(t, http.StatusForbidden)
		// Nothing was written by the refused requests.
		anonymous.do(http.MethodGet, lugojPath, nil).want(t, http.StatusOK)
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			var n int
			err := tx.QueryRow(ctx, `SELECT count(*) FROM department WHERE code = 'BIROU'`).Scan(&n)
			if err == nil && n != 0 {
				t.Errorf("a refused request made a department")
			}
			return err
		})
	})

	t.Run("staff see only their own institution's staff", func(t *testing.T) {
		auditor := as("auditor@primarialugoj.ro")
		var emails []string
		path := lugojPath + "/staff?limit=3"
		for range 10 {
			var page struct {
				Staff []staffJSON `json:"staff"`
				Next  *string     `json:"next"`
			}
			auditor.do(http.MethodGet, path, nil).want(t, http.StatusOK).json(t, &page)
			for _, s := range page.Staff {
				if s.InstitutionID != lugoj {
					t.Errorf("%s of %s listed in Lugoj", s.Email, s.InstitutionID)
				}
				emails = append(emails, s.Email)
			}
			if page.Next == nil {
				break
			}
			path = lugojPath + "/staff?limit=3&after=" + *page.Next
		}
		// Seven demo accounts of Lugoj and the one invited above.
		if len(emails) != 8 || !slices.Contains(emails, "admin@primarialugoj.ro") || slices.Contains(emails, "admin@daslugoj.ro") {
			t.Fatalf("Lugoj's staff: %v", emails)
		}
		var das struct{ Staff []staffJSON }
		as("admin@daslugoj.ro").do(http.MethodGet, "/api/institutions/"+seed.InstitutionID(seed.DASCIF).String()+"/staff", nil).
			want(t, http.StatusOK).json(t, &das)
		if len(das.Staff) != 1 || das.Staff[0].Email != "admin@daslugoj.ro" || das.Staff[0].Roles[0].Role != "administrator" {
			t.Fatalf("DAS's staff: %+v", das.Staff)
		}
	})
}

func hasChild(nodes []departmentJSON, parent, child string) bool {
	for _, n := range nodes {
		if n.Code == parent {
			for _, c := range n.Children {
				if c.Code == child {
					return true
				}
			}
		}
		if hasChild(n.Children, parent, child) {
			return true
		}
	}
	return false
}
