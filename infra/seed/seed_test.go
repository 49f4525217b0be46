package seed_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/forms"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

const password = "parola demonstrației, destul de lungă"

func protector(t *testing.T) *pii.Protector {
	t.Helper()
	p, err := pii.New(pii.KeysConfig{Keys: "1:" + pii.GenerateKey(), IndexKey: pii.GenerateKey()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// counts is how many rows each table the seed writes holds.
func counts(t *testing.T, d *dbtest.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"institution", "department", "account", "role_assignment", "audit_log", "email_token", "outbox",
		"register", "request_type", "request_type_version"} {
		var n int
		// The owner is under FORCEd row-level security too: count in platform scope.
		err := db.PlatformTx(context.Background(), d.Owner, func(tx pgx.Tx) error {
			return tx.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n)
		})
		if err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

func TestSeedTwiceChangesNothing(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	p := protector(t)
	// The application role, as the local stack runs it: the seed must work
	// under row-level security.
	if err := seed.Demo(ctx, d.App, p, password); err != nil {
		t.Fatalf("first run: %v", err)
	}
	first := counts(t, d)
	if first["institution"] != 3 || first["account"] != len(seed.Accounts())+1 || first["role_assignment"] != len(seed.Accounts()) {
		t.Fatalf("after the first run: %v", first)
	}
	if first["request_type"] != 5 || first["request_type_version"] != 5 {
		t.Fatalf("after the first run: %d request types, %d versions; want Lugoj's 5", first["request_type"], first["request_type_version"])
	}
	if first["audit_log"] != 1 || first["email_token"] != 0 || first["outbox"] != 0 {
		t.Fatalf("the seed should audit once and mail nothing: %v", first)
	}
	if err := seed.Demo(ctx, d.App, p, password); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if second := counts(t, d); !mapsEqual(first, second) {
		t.Fatalf("the second run changed the counts: %v, then %v", first, second)
	}

	t.Run("an edited row is kept, not refused", func(t *testing.T) {
		if _, err := d.Owner.Exec(ctx, `UPDATE institution SET name = 'Primăria Lugoj (redenumită)' WHERE cif = $1`, seed.LugojCIF); err != nil {
			t.Fatal(err)
		}
		if err := seed.Demo(ctx, d.App, p, password); err != nil {
			t.Fatalf("run after an edit: %v", err)
		}
	})

	if err := seed.Demo(ctx, d.App, p, ""); err == nil {
		t.Error("an empty password was accepted")
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSeedOrganisationChartIsATree(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, d.App, protector(t), password); err != nil {
		t.Fatal(err)
	}
	for _, cif := range []string{seed.LugojCIF, seed.DASCIF, seed.SPCLEPCIF} {
		inst := seed.InstitutionID(cif)
		var ds []institutions.Department
		err := db.TenantTx(ctx, d.App, inst, func(tx pgx.Tx) error {
			var err error
			ds, err = institutions.Departments(ctx, tx, inst)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) < 3 {
			t.Fatalf("%s has %d departments", cif, len(ds))
		}
		// Every department is reached exactly once walking down from the
		// roots: no loops, no orphans, no department in two places.
		seen := map[string]int{}
		var walk func([]institutions.DepartmentNode)
		walk = func(nodes []institutions.DepartmentNode) {
			for _, n := range nodes {
				seen[n.ID.String()]++
				if n.InstitutionID != inst {
					t.Errorf("department %s of %s belongs to %s", n.Code, cif, n.InstitutionID)
				}
				walk(n.Children)
			}
		}
		walk(institutions.Chart(ds))
		if len(seen) != len(ds) {
			t.Errorf("%s: %d of %d departments are in the tree", cif, len(seen), len(ds))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s: department %s appears %d times", cif, id, n)
			}
		}
	}

	// Lugoj's chart has its directions with their services.
	var lugoj []institutions.DepartmentNode
	err := db.TenantTx(ctx, d.App, seed.InstitutionID(seed.LugojCIF), func(tx pgx.Tx) error {
		ds, err := institutions.Departments(ctx, tx, seed.InstitutionID(seed.LugojCIF))
		lugoj = institutions.Chart(ds)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	children := map[string][]string{}
	for _, n := range lugoj {
		for _, c := range n.Children {
			children[n.Code] = append(children[n.Code], c.Code)
		}
	}
	if !slices.Contains(children["DT"], "DT-UAT") || !slices.Contains(children["DE"], "DE-ITL") || len(lugoj) != 8 {
		t.Fatalf("Lugoj's chart: %d top-level units, children %v", len(lugoj), children)
	}
}

func TestSeedAccountsHaveTheirRolesAndPassword(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	keys := protector(t)
	if err := seed.Demo(ctx, d.App, keys, password); err != nil {
		t.Fatal(err)
	}
	for _, a := range seed.Accounts() {
		inst := seed.InstitutionID(a.Institution)
		var member institutions.StaffMember
		var hash string
		var sealedTOTP []byte
		err := db.TenantTx(ctx, d.App, inst, func(tx pgx.Tx) error {
			var err error
			if member, err = institutions.GetStaff(ctx, tx, inst, seed.AccountID(a.Email)); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT password_hash, totp_secret_sealed FROM account WHERE id = $1`, member.ID).Scan(&hash, &sealedTOTP)
		})
		if err != nil {
			t.Fatalf("%s: %v", a.Email, err)
		}
		if member.Email != a.Email || !member.EmailVerified || member.Status != "active" {
			t.Errorf("%s: %+v", a.Email, member)
		}
		// The platform's default asks administrators for a second factor:
		// the demo's have the demo secret set up, the others none.
		if wantTOTP := a.Role == "administrator"; member.MFAEnabled != wantTOTP {
			t.Errorf("%s (%s): second factor set up %v, want %v", a.Email, a.Role, member.MFAEnabled, wantTOTP)
		} else if wantTOTP {
			secret, err := keys.Open(sealedTOTP, "account.totp:"+member.ID.String())
			if err != nil || string(secret) != seed.DemoTOTPSecret {
				t.Errorf("%s: the sealed second factor is not the demo's (%v)", a.Email, err)
			}
		}
		if len(member.Roles) != 1 || member.Roles[0].Role != a.Role {
			t.Errorf("%s: roles %+v, want %s", a.Email, member.Roles, a.Role)
			continue
		}
		wantDept := a.Department != ""
		if got := member.Roles[0].DepartmentID; (got != nil) != wantDept ||
			(wantDept && *got != seed.DepartmentID(a.Institution, a.Department)) {
			t.Errorf("%s: role department %v, want %q", a.Email, got, a.Department)
		}
		if ok, err := argon2id.ComparePasswordAndHash(password, hash); err != nil || !ok {
			t.Errorf("%s: the password does not match its hash (%v)", a.Email, err)
		}
	}

	t.Run("every role of the catalogue but citizen and integration has a demo account in Lugoj", func(t *testing.T) {
		rows, err := d.Owner.Query(ctx, `SELECT code FROM role WHERE code NOT IN ('citizen', 'integration') ORDER BY code`)
		if err != nil {
			t.Fatal(err)
		}
		roles, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range roles {
			if !slices.ContainsFunc(seed.Accounts(), func(a seed.Account) bool { return a.Role == role && a.Institution == seed.LugojCIF }) {
				t.Errorf("no demo account for %s", role)
			}
		}
	})

	t.Run("the citizen is verified and its CNP sealed", func(t *testing.T) {
		var kind, masked string
		var verified bool
		var sealed []byte
		err := db.PlatformTx(ctx, d.App, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT kind, email_verified_at IS NOT NULL, cnp_masked, cnp_sealed FROM account WHERE id = $1`,
				seed.AccountID(seed.CitizenEmail)).Scan(&kind, &verified, &masked, &sealed)
		})
		if err != nil {
			t.Fatal(err)
		}
		if kind != "person" || !verified || masked == "" || len(sealed) == 0 || bytes.Contains(sealed, []byte("2900315351230")) {
			t.Fatalf("citizen: %s verified=%v masked=%q", kind, verified, masked)
		}
	})
}

// Lugoj offers its five request types, published, each with a form that
// compiles, its competent department, its legal term and the general
// register; anyone can read them.
func TestSeedRequestTypesArePublished(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	if err := seed.Demo(ctx, d.App, protector(t), password); err != nil {
		t.Fatal(err)
	}
	lugoj := seed.InstitutionID(seed.LugojCIF)
	var catalogue []requesttypes.Version
	// As the public catalogue reads it: a transaction acting for nobody.
	err := db.ScopedTx(ctx, d.App, db.Scope{}, func(tx pgx.Tx) (err error) {
		catalogue, err = requesttypes.Published(ctx, tx, lugoj)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]requesttypes.Version{}
	for _, v := range catalogue {
		byCode[v.Code] = v
	}
	tests := []struct {
		code, department, regime string
		days                     int
		workingDays, verified    bool
		required, optional       []string // attachment kinds
		formRequires             []string
	}{
		{"petitie", "RRPA", requesttypes.Petition, 0, false, false, nil, []string{"anexe"}, []string{"name", "address", "subject", "text"}},
		{"informatii-publice", "RRPA", requesttypes.PublicInformation, 0, false, true, nil, nil, []string{"name", "information"}},
		{"certificat-urbanism", "DT-UAT", requesttypes.Custom, 30, false, true, []string{"plan-situatie", "extras-cf"}, nil,
			[]string{"cadastralNumber", "purpose"}},
		{"certificat-fiscal", "DE-ITL", requesttypes.Custom, 2, true, true, nil, []string{"imputernicire"}, []string{"personType", "purpose"}},
		{"audienta", "CAB", requesttypes.Custom, 30, false, true, nil, nil, []string{"name", "preferredDate", "topic"}},
	}
	if len(catalogue) != len(tests) {
		t.Errorf("the catalogue has %d types, want %d", len(catalogue), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			v, ok := byCode[tt.code]
			if !ok {
				t.Fatalf("%s is not offered", tt.code)
			}
			if v.Type != seed.RequestTypeID(seed.LugojCIF, tt.code) || v.Version != 1 || v.PublishedAt == nil || v.Name == "" || v.Description == "" {
				t.Errorf("%+v", v)
			}
			if v.Department != seed.DepartmentID(seed.LugojCIF, tt.department) || v.Register != seed.RegisterID(seed.LugojCIF, "I") {
				t.Errorf("department %s, register %s", v.Department, v.Register)
			}
			if v.Regime != tt.regime || v.CustomDays != tt.days || v.WorkingDays != tt.workingDays || v.VerifiedIdentity != tt.verified {
				t.Errorf("regime %s, %d days (working %v), verified identity %v", v.Regime, v.CustomDays, v.WorkingDays, v.VerifiedIdentity)
			}
			var required, optional []string
			for _, a := range v.Attachments {
				if a.Title == "" || len(a.MediaTypes) == 0 || a.MaxSize <= 0 || a.MaxSize > 200<<20 {
					t.Errorf("attachment %+v", a)
				}
				if a.Required {
					required = append(required, a.Kind)
				} else {
					optional = append(optional, a.Kind)
				}
			}
			if !slices.Equal(required, tt.required) || !slices.Equal(optional, tt.optional) {
				t.Errorf("attachments: required %v, optional %v; want %v, %v", required, optional, tt.required, tt.optional)
			}
			form, err := forms.Compile(v.Form)
			if err != nil {
				t.Fatalf("the stored form does not compile: %v", err)
			}
			fields := map[string]bool{}
			for _, f := range form.Fields() {
				fields[f.Path] = f.Required
			}
			for _, name := range tt.formRequires {
				if !fields[name] {
					t.Errorf("the form does not require %s: %v", name, fields)
				}
			}
			if tt.code == "petitie" && fields["cnp"] {
				t.Error("the petition requires a CNP: OG 27/2002 asks for a name and an address")
			}
		})
	}
}
