package e2e

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
)

// An auditor reads the institution's trail with filters, page by page,
// sees nothing of another institution, and the verification names a row
// changed behind the platform's back.
func TestAuditorReadsAndVerifiesTheTrail(t *testing.T) {
	p := startPlatform(t, "", nil, "audit-trail")
	tn := seedTenants(t, p)
	ctx := context.Background()
	for i := range 5 {
		for _, inst := range []uuid.UUID{tn.a, tn.b} {
			err := db.PlatformTx(ctx, p.db.App, func(tx pgx.Tx) error {
				_, err := audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: tn.accounts[registrar], ActorKind: audit.ActorStaff,
					Action: "registry.register", ObjectType: "entry", ObjectID: uuid.NewString(), New: map[string]int{"number": i + 1}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	c := &apiClient{t: t, base: p.functions["audit-trail"], http: http.DefaultClient, bearer: tn.session(t, p, auditor)}
	base := "/api/institutions/" + tn.a.String() + "/audit"

	type page struct {
		Records []struct {
			Seq    int64
			Action string
		}
		Next *int64
	}
	var seen []int64
	path := base + "?action=registry.register&limit=2"
	for range 10 {
		var pg page
		c.do(http.MethodGet, path, nil).want(t, http.StatusOK).json(t, &pg)
		for _, r := range pg.Records {
			if r.Action != "registry.register" {
				t.Fatalf("filter by action returned %q", r.Action)
			}
			seen = append(seen, r.Seq)
		}
		if pg.Next == nil {
			break
		}
		path = base + "?action=registry.register&limit=2&after=" + itoa(*pg.Next)
	}
	if len(seen) != 5 || seen[0] != 5 || seen[4] != 1 {
		t.Fatalf("pages gave seqs %v, want 5..1 (the institution's own five, newest first)", seen)
	}
	c.do(http.MethodGet, base+"?from=yesterday", nil).want(t, http.StatusUnprocessableEntity)

	var v struct {
		Rows        int64  `json:"rows"`
		Intact      bool   `json:"intact"`
		FirstBroken *int64 `json:"firstBroken"`
	}
	c.do(http.MethodGet, base+"/verification", nil).want(t, http.StatusOK).json(t, &v)
	if !v.Intact || v.Rows != 5 {
		t.Fatalf("verification of an untouched trail: %+v", v)
	}
	// Someone with database access edits row 3.
	if _, err := p.db.Owner.Exec(ctx, `BEGIN; SET LOCAL session_replication_role = replica;
		UPDATE audit_log SET new_value = '{"number": 99}' WHERE institution_id = '`+tn.a.String()+`' AND seq = 3; COMMIT;`); err != nil {
		t.Fatal(err)
	}
	c.do(http.MethodGet, base+"/verification", nil).want(t, http.StatusOK).json(t, &v)
	if v.Intact || v.FirstBroken == nil || *v.FirstBroken != 3 {
		t.Fatalf("verification after tampering with row 3: %+v", v)
	}
}

func itoa(n int64) string {
	return strconv.FormatInt(n, 10)
}
