package e2e

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// caller is one kind of caller in the authorization tests.
type caller string

const (
	anonymous        caller = "anonymous"
	citizen          caller = "citizen"
	otherCitizen     caller = "other citizen"
	registrar        caller = "registrar"
	clerk            caller = "clerk"
	headOfDepartment caller = "head_of_department"
	signatory        caller = "signatory"
	secretaryGeneral caller = "secretary_general"
	administrator    caller = "administrator"
	auditor          caller = "auditor"
	integration      caller = "integration"
	otherInstitution caller = "administrator of another institution"
)

// allCallers is every row of the authorization matrix: anonymous, two
// citizens, each seeded role of institution A, and another institution's
// administrator.
func allCallers() []caller {
	return []caller{anonymous, citizen, otherCitizen, registrar, clerk, headOfDepartment, signatory,
		secretaryGeneral, administrator, auditor, integration, otherInstitution}
}

// tenants is two institutions with an account for every caller.
type tenants struct {
	a, b       uuid.UUID // institutions
	department uuid.UUID // of a
	accounts   map[caller]uuid.UUID
}

// seedTenants writes two institutions and the accounts of every caller
// straight into the database, as the owner: what is under test is the API.
func seedTenants(t *testing.T, p *platform) *tenants {
	t.Helper()
	ctx := context.Background()
	tn := &tenants{a: uuid.New(), b: uuid.New(), department: uuid.New(), accounts: map[caller]uuid.UUID{}}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := p.db.Owner.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("seed: %v\n%s", err, sql)
		}
	}
	exec(`INSERT INTO institution (id, cif, name) VALUES ($1, $2, 'Primăria Municipiului Lugoj'), ($3, $4, 'Direcția de Asistență Socială Lugoj')`,
		tn.a, uuid.NewString()[:8], tn.b, uuid.NewString()[:8])
	exec(`INSERT INTO department (institution_id, id, kind, code, name) VALUES ($1, $2, 'service', 'URB', 'Serviciul Urbanism')`, tn.a, tn.department)
	for _, c := range allCallers() {
		if c == anonymous {
			continue
		}
		id := uuid.New()
		tn.accounts[c] = id
		email := uniqueEmail(string(c[:3]))
		switch c {
		case citizen, otherCitizen:
			exec(`INSERT INTO account (id, kind, email, email_verified_at, display_name) VALUES ($1, 'person', $2, now(), 'Cetățean')`, id, email)
			continue
		case integration:
			exec(`INSERT INTO account (id, kind, institution_id, email, display_name) VALUES ($1, 'machine', $2, $3, 'Sistemul HR')`, id, tn.a, email)
		case otherInstitution:
			exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, totp_enabled_at) VALUES ($1, 'staff', $2, $3, now(), 'Admin B', now())`, id, tn.b, email)
			exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason) VALUES ($1, $2, $3, 'administrator', $4::date, 'seed')`,
				tn.b, uuid.New(), id, dbtest.Day(-1))
			continue
		default:
			// Staff have set up their second factor, which the platform
			// asks of administrators by default: the sessions below are
			// what a complete sign-in opens.
			exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, totp_enabled_at) VALUES ($1, 'staff', $2, $3, now(), 'Funcționar', now())`, id, tn.a, email)
		}
		exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason) VALUES ($1, $2, $3, $4, $5::date, 'seed')`,
			tn.a, uuid.New(), id, string(c), dbtest.Day(-1))
	}
	return tn
}

// session opens a fresh API session for c (none for anonymous), so a route
// that ends the session cannot affect the next call.
func (tn *tenants) session(t *testing.T, p *platform, c caller) string {
	t.Helper()
	if c == anonymous {
		return ""
	}
	kind := "api"
	if c == integration {
		kind = "machine"
	}
	var token string
	err := db.PlatformTx(context.Background(), p.db.App, func(tx pgx.Tx) (err error) {
		token, _, err = access.OpenSession(context.Background(), tx, access.NewSession{Account: tn.accounts[c], Kind: kind})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}
