package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/audit/anchor"
	"github.com/ghiseu/ghiseu/shared/backup"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// The nightly tick makes a verified backup and announces it; the status
// and the metrics show it; an administrator's request makes another,
// through the Broker, and the retention keeps the newer of the day's two.
func TestNightlyBackupRunsOnTheTickAndOnRequest(t *testing.T) {
	p := startPlatform(t, "", nil, "nightly-backup", "notify")
	ctx := context.Background()
	protector, err := pii.New(pii.KeysConfig{Keys: "1:" + testKey(), IndexKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, p.db.App, protector, "parola demonstrației, lungă"); err != nil {
		t.Fatal(err)
	}
	admin := &apiClient{t: t, base: p.functions["nightly-backup"], http: &http.Client{Timeout: 30 * time.Second}}
	err = db.PlatformTx(ctx, p.db.App, func(tx pgx.Tx) (err error) {
		admin.bearer, _, err = access.OpenSession(ctx, tx, access.NewSession{Account: seed.AccountID("admin@primarialugoj.ro"), Kind: "api"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	status := "/api/institutions/" + seed.InstitutionID(seed.LugojCIF).String() + "/backups"
	type view struct {
		Last *struct {
			ID           string `json:"id"`
			DumpBytes    int64  `json:"dumpBytes"`
			Verification *struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			} `json:"verification"`
		} `json:"last"`
		Complete []string `json:"complete"`
	}
	var v view
	admin.do(http.MethodGet, status, nil).want(t, http.StatusOK).json(t, &v)
	if v.Last != nil || len(v.Complete) != 0 {
		t.Fatalf("before any backup: %+v", v)
	}

	tick := newEvent("dev.knative.sources.ping")
	tick.SetSource("/apis/v1/namespaces/ghiseu/pingsources/nightly-backup-daily")
	if code := postEvent(t, p.functions["nightly-backup"], tick); code/100 != 2 {
		t.Fatalf("nightly tick: %d", code)
	}
	admin.do(http.MethodGet, status, nil).want(t, http.StatusOK).json(t, &v)
	if v.Last == nil || v.Last.DumpBytes == 0 || v.Last.Verification == nil || !v.Last.Verification.OK {
		t.Fatalf("after the tick: %+v (verification %+v)", v.Last, v.Last.Verification)
	}
	first := v.Last.ID
	// The backup anchored the audit chains' heads beside it.
	if a, found, err := (&anchor.Store{Blob: p.blob, Bucket: p.documentsBucket + "-backups"}).Newest(ctx); err != nil || !found || a.Reason != "backup" {
		t.Errorf("anchor after the backup: %+v found %v, %v", a, found, err)
	}
	var completed int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE event_type = 'ro.ghiseu.backup.completed'`).Scan(&completed)
	})
	if completed != 1 {
		t.Errorf("backup.completed events: %d", completed)
	}
	resp, err := http.Get(p.functions["nightly-backup"] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"ghiseu_backup_last_success_timestamp_seconds ", "ghiseu_backup_last_verification_ok 1",
		`ghiseu_backup_last_size_bytes{part="dump"} ` + fmt.Sprint(v.Last.DumpBytes)} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %q:\n%s", want, metrics)
		}
	}

	// The weekly tick rereads the documents' share and the audit chains.
	weekly := newEvent("dev.knative.sources.ping")
	weekly.SetSource("/apis/v1/namespaces/ghiseu/pingsources/fixity-weekly")
	if code := postEvent(t, p.functions["nightly-backup"], weekly); code/100 != 2 {
		t.Fatalf("fixity tick: %d", code)
	}
	var fixityOK *bool
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (event -> 'data' ->> 'ok')::boolean FROM outbox WHERE event_type = 'ro.ghiseu.fixity.checked'`).Scan(&fixityOK)
	})
	if fixityOK == nil || !*fixityOK {
		t.Errorf("fixity checked: %v, want ok", fixityOK)
	}

	admin.do(http.MethodPost, status, map[string]any{}).want(t, http.StatusAccepted)
	var completedNow int
	poll.Until(t, 90*time.Second, "the requested backup, announced", func() bool {
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE event_type = 'ro.ghiseu.backup.completed'`).Scan(&completedNow)
		})
		return completedNow == 2
	})
	// The retention keeps the newest backup of each day: the requested one
	// takes the place of the nightly one.
	admin.do(http.MethodGet, status, nil).want(t, http.StatusOK).json(t, &v)
	if v.Last == nil || v.Last.ID == first || v.Complete[0] != v.Last.ID {
		t.Fatalf("complete backups %v (last %+v), want the requested one first", v.Complete, v.Last)
	}
	// (Unless midnight in Bucharest fell between the two.)
	want := 1
	if day(t, first) != day(t, v.Last.ID) {
		want = 2
	}
	if len(v.Complete) != want {
		t.Errorf("complete backups %v, want %d", v.Complete, want)
	}
}

// day is the Bucharest day a backup id's time falls on.
func day(t *testing.T, id string) string {
	t.Helper()
	at, err := time.Parse("20060102T150405.000Z", id)
	if err != nil {
		t.Fatal(err)
	}
	return at.In(bucharest(t)).Format(time.DateOnly)
}

// In the cluster a JobSink runs nightly-backup as a Job per event, with the
// event in a file under K_EVENT_PATH: the binary makes the backup and exits
// 0, and exits 3, which the Job's podFailurePolicy does not retry, for an
// event it can never handle. A backup that fails is announced, exits 0 (the
// next night comes), and the platform's administrators get a mail.
func TestNightlyBackupRunsAsAJob(t *testing.T) {
	p := startPlatform(t, "", nil, "notify")
	protector, err := pii.New(pii.KeysConfig{Keys: "1:" + testKey(), IndexKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(context.Background(), p.db.App, protector, "parola demonstrației, lungă"); err != nil {
		t.Fatal(err)
	}
	mp := newMailpit(t)
	const admin, failed = "admin@primarialugoj.ro", "Copia de siguranță a platformei Ghișeu nu s-a făcut"
	failureMails := func() int {
		n := 0
		for _, m := range mp.messagesTo(admin) {
			if m.Subject == failed {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name      string
		eventType string
		source    string
		env       map[string]string
		wantCode  int
		backups   int // complete backups after the job
		mailed    bool
	}{
		{name: "nightly tick", eventType: "dev.knative.sources.ping",
			source: "/apis/v1/namespaces/ghiseu/pingsources/nightly-backup-daily", wantCode: 0, backups: 1},
		{name: "not a backup event", eventType: "ro.ghiseu.account.registered", source: "/ghiseu/functions/auth", wantCode: 3, backups: 1},
		{name: "pg_dump fails", eventType: "dev.knative.sources.ping", source: "/apis/v1/namespaces/ghiseu/pingsources/nightly-backup-daily",
			env: map[string]string{"PG_DUMP": "/bin/false"}, wantCode: 0, backups: 1, mailed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mailsBefore := failureMails()
			e := newEvent(tt.eventType)
			e.SetSource(tt.source)
			// As the JobSink mounts it: the event in structured JSON.
			b, err := e.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "event"), b, 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(binDir, "nightly-backup"))
			cmd.Env = append(os.Environ(), "K_EVENT_PATH="+dir, "LOG_LEVEL=debug")
			for k, v := range p.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			for k, v := range tt.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			code := cmd.ProcessState.ExitCode()
			if code != tt.wantCode {
				t.Fatalf("exit code %d (%v), want %d:\n%s", code, err, tt.wantCode, out)
			}
			ids, err := backup.List(ctx, p.blob, p.documentsBucket+"-backups", "")
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != tt.backups {
				t.Errorf("complete backups %v, want %d:\n%s", ids, tt.backups, out)
			}
			if tt.mailed {
				poll.Until(t, 60*time.Second, "the administrator's mail about the failed backup", func() bool {
					return failureMails() == mailsBefore+1
				})
			}
		})
	}
	// One failed backup, one mail: the ones that went well told nobody.
	if n := failureMails(); n != 1 {
		t.Errorf("%d mails about a failed backup, want 1", n)
	}
}

// Backups and the fixity of storage are the platform's: a subordinate
// institution's administrator (who holds backup.manage in its own
// institution) neither sees nor starts them; the operators (backup.manage
// in the top-level institution) do, and start a fixity check whose result
// then shows beside the backups' status. One Idempotency-Key, one check.
func TestBackupsAndFixityBelongToTheOperators(t *testing.T) {
	// notify takes the check's announcement, as in production.
	p := startPlatform(t, "", nil, "nightly-backup", "notify")
	ctx := context.Background()
	protector, err := pii.New(pii.KeysConfig{Keys: "1:" + testKey(), IndexKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, p.db.App, protector, "parola demonstrației, lungă"); err != nil {
		t.Fatal(err)
	}
	as := func(email string) *apiClient {
		c := &apiClient{t: t, base: p.functions["nightly-backup"], http: &http.Client{Timeout: 30 * time.Second}}
		err := db.PlatformTx(ctx, p.db.App, func(tx pgx.Tx) (err error) {
			c.bearer, _, err = access.OpenSession(ctx, tx, access.NewSession{Account: seed.AccountID(email), Kind: "api"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	operator, subordinate := as("admin@primarialugoj.ro"), as("admin@daslugoj.ro")
	backups := func(cif string) string { return "/api/institutions/" + seed.InstitutionID(cif).String() + "/backups" }

	t.Run("a subordinate institution's administrator is refused", func(t *testing.T) {
		for _, path := range []string{backups(seed.DASCIF), backups(seed.LugojCIF)} {
			subordinate.do(http.MethodGet, path, nil).want(t, http.StatusForbidden)
			subordinate.do(http.MethodPost, path, map[string]any{}).want(t, http.StatusForbidden)
			subordinate.do(http.MethodPost, path+"/fixity-checks", map[string]any{}).want(t, http.StatusForbidden)
		}
		var asked int
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE event_type IN ('ro.ghiseu.backup.requested', 'ro.ghiseu.fixity.requested')`).
				Scan(&asked)
		})
		if asked != 0 {
			t.Errorf("%d backups or checks asked for by a refused caller", asked)
		}
	})

	type fixityView struct {
		Fixity *struct {
			OK          bool    `json:"ok"`
			Checked     int     `json:"checked"`
			AuditChains int     `json:"auditChains"`
			RequestedBy *string `json:"requestedBy"`
		} `json:"fixity"`
	}
	var v fixityView
	operator.do(http.MethodGet, backups(seed.LugojCIF), nil).want(t, http.StatusOK).json(t, &v)
	if v.Fixity != nil {
		t.Fatalf("before any check: %+v", v.Fixity)
	}
	key := "fixity-" + uuid.NewString()
	for range 2 {
		operator.do(http.MethodPost, backups(seed.LugojCIF)+"/fixity-checks", map[string]any{}, "Idempotency-Key", key).want(t, http.StatusAccepted)
	}
	poll.Until(t, 90*time.Second, "the fixity check's result in the backups' status", func() bool {
		operator.do(http.MethodGet, backups(seed.LugojCIF), nil).want(t, http.StatusOK).json(t, &v)
		return v.Fixity != nil
	})
	if !v.Fixity.OK || v.Fixity.AuditChains == 0 || v.Fixity.RequestedBy == nil ||
		*v.Fixity.RequestedBy != seed.AccountID("admin@primarialugoj.ro").String() {
		t.Errorf("fixity %+v, want an ok check asked for by the operator", v.Fixity)
	}
	var asked, audited int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM outbox WHERE event_type = 'ro.ghiseu.fixity.requested'),
			(SELECT count(*) FROM audit_log WHERE action = 'fixity.request')`).Scan(&asked, &audited)
	})
	if asked != 1 || audited != 1 {
		t.Errorf("one key sent twice asked %d checks with %d audit rows, want 1 and 1", asked, audited)
	}
}

// A superuser cuts an institution's audit trail and moves its head back,
// so that the chain verifies by itself: the weekly check compares it with
// the anchor of the heads the previous check wrote to the backup bucket,
// reports it broken, and writes no anchor of the cut trail.
func TestFixityCheckFindsACutAuditTrail(t *testing.T) {
	p := startPlatform(t, "", nil, "nightly-backup", "notify")
	ctx := context.Background()
	inst := uuid.New()
	for i := range 4 {
		err := db.TenantTx(ctx, p.db.App, inst, func(tx pgx.Tx) error {
			_, err := audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: uuid.New(), ActorKind: audit.ActorStaff,
				Action: "account.cnp.read", ObjectType: "account", ObjectID: fmt.Sprint(i)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	weekly := func() (ok bool, auditBroken int) {
		t.Helper()
		tick := newEvent("dev.knative.sources.ping")
		tick.SetSource("/apis/v1/namespaces/ghiseu/pingsources/fixity-weekly")
		if code := postEvent(t, p.functions["nightly-backup"], tick); code/100 != 2 {
			t.Fatalf("fixity tick: %d", code)
		}
		platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT ok, audit_broken FROM fixity_run ORDER BY finished_at DESC, id DESC LIMIT 1`).Scan(&ok, &auditBroken)
		})
		return ok, auditBroken
	}
	if ok, broken := weekly(); !ok || broken != 0 {
		t.Fatalf("first check: ok %v, %d chains broken", ok, broken)
	}
	anchors := &anchor.Store{Blob: p.blob, Bucket: p.documentsBucket + "-backups"}
	first, found, err := anchors.Newest(ctx)
	if err != nil || !found {
		t.Fatalf("no anchor after the check: %v", err)
	}
	if heads := first.Only(inst).Chains; first.Reason != "fixity" || len(heads) != 1 || heads[0].Seq != 4 {
		t.Fatalf("anchor %s (%s): %+v, want the chain's head at row 4", first.Key, first.Reason, heads)
	}

	err = pgx.BeginFunc(ctx, p.db.Owner, func(tx pgx.Tx) error {
		for _, sql := range []string{"ALTER TABLE audit_log DISABLE TRIGGER USER",
			"DELETE FROM audit_log WHERE institution_id = $1 AND seq > 2",
			`UPDATE audit_chain c SET last_seq = 2, last_hash = l.hash FROM audit_log l
				WHERE c.institution_id = $1 AND l.institution_id = $1 AND l.seq = 2`} {
			var args []any
			if strings.Contains(sql, "$1") {
				args = []any{inst}
			}
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "ALTER TABLE audit_log ENABLE TRIGGER USER")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var fixityEvent struct {
		OK          bool `json:"ok"`
		AuditBroken int  `json:"auditBroken"`
	}
	if ok, broken := weekly(); ok || broken != 1 {
		t.Errorf("check after the cut: ok %v, %d chains broken, want the cut one", ok, broken)
	}
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT event -> 'data' FROM outbox WHERE event_type = 'ro.ghiseu.fixity.checked'
			ORDER BY id DESC LIMIT 1`).Scan(&fixityEvent)
	})
	if fixityEvent.OK || fixityEvent.AuditBroken != 1 {
		t.Errorf("fixity.checked after the cut: %+v", fixityEvent)
	}
	if newest, _, err := anchors.Newest(ctx); err != nil || newest.Key != first.Key {
		t.Errorf("newest anchor %s (%v), want still %s: the cut trail must not be anchored", newest.Key, err, first.Key)
	}
}
