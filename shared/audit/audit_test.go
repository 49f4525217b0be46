package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/errgroup"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// inScope runs fn as the application role: in tenant scope for an
// institution, in platform scope for uuid.Nil.
func inScope(t *testing.T, d *dbtest.DB, scope uuid.UUID, fn func(pgx.Tx) error) error {
	t.Helper()
	if scope == uuid.Nil {
		return db.PlatformTx(t.Context(), d.App, fn)
	}
	return db.TenantTx(t.Context(), d.App, scope, fn)
}

func mustAppend(t *testing.T, d *dbtest.DB, scope uuid.UUID, e Entry) Record {
	t.Helper()
	var rec Record
	err := inScope(t, d, scope, func(tx pgx.Tx) error {
		var err error
		rec, err = Append(t.Context(), tx, e)
		return err
	})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	return rec
}

// entry is an ordinary staff act in institution inst, numbered i so that
// rows differ.
func entry(inst uuid.UUID, i int) Entry {
	return Entry{
		Institution: inst, ActorID: uuid.New(), ActorKind: ActorStaff,
		Action: "role.assign", ObjectType: "account", ObjectID: fmt.Sprint(i),
		IP: "192.0.2.7", Old: map[string]any{"roles": []string{}}, New: map[string]any{"roles": []string{"clerk"}, "n": i},
		Reason: "ticket " + fmt.Sprint(i),
	}
}

func platformVerify(t *testing.T, d *dbtest.DB, inst uuid.UUID) Result {
	t.Helper()
	var res Result
	err := db.PlatformTx(t.Context(), d.App, func(tx pgx.Tx) error {
		var err error
		res, err = Verify(t.Context(), tx, inst)
		return err
	})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return res
}

func listAll(t *testing.T, d *dbtest.DB, scope uuid.UUID, f Filter) []Record {
	t.Helper()
	var out []Record
	err := inScope(t, d, scope, func(tx pgx.Tx) error {
		for {
			page, next, err := List(t.Context(), tx, f)
			if err != nil {
				return err
			}
			out = append(out, page...)
			if next == 0 {
				return nil
			}
			f.AfterSeq = next
		}
	})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	return out
}

func seqs(recs []Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

func TestAppend(t *testing.T) {
	d := dbtest.New(t)
	instA, instB := uuid.New(), uuid.New()
	tests := []struct {
		name    string
		scope   uuid.UUID // uuid.Nil: platform scope
		unset   bool      // no scope at all
		chain   uuid.UUID
		wantErr bool
	}{
		{name: "tenant, own chain", scope: instA, chain: instA},
		{name: "tenant, platform chain", scope: instA, chain: uuid.Nil},
		{name: "tenant, another institution's chain", scope: instA, chain: instB, wantErr: true},
		{name: "platform scope, an institution's chain", chain: instB},
		{name: "platform scope, platform chain", chain: uuid.Nil},
		{name: "no scope, platform chain", unset: true, chain: uuid.Nil},
		{name: "no scope, an institution's chain", unset: true, chain: instA, wantErr: true},
	}
	wantSeq := map[uuid.UUID]int64{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := entry(tt.chain, 1)
			var rec Record
			fn := func(tx pgx.Tx) error {
				var err error
				rec, err = Append(t.Context(), tx, e)
				return err
			}
			var err error
			if tt.unset {
				err = pgx.BeginFunc(t.Context(), d.App, fn)
			} else {
				err = inScope(t, d, tt.scope, fn)
			}
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "row-level security") {
					t.Fatalf("err = %v, want a row-level security error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantSeq[tt.chain]++
			if rec.Seq != wantSeq[tt.chain] || rec.Institution != tt.chain {
				t.Errorf("appended %s/%d, want %s/%d", rec.Institution, rec.Seq, tt.chain, wantSeq[tt.chain])
			}
			if rec.Seq == 1 && len(rec.PrevHash) != 0 {
				t.Errorf("first row's previous hash = %x, want empty", rec.PrevHash)
			}
			if len(rec.Hash) != 32 {
				t.Errorf("hash is %d bytes, want 32", len(rec.Hash))
			}
			if res := platformVerify(t, d, tt.chain); !res.OK() || res.Rows != rec.Seq {
				t.Errorf("verify: %+v", res)
			}
		})
	}
}

// What Append returns is what List reads back, and both hash alike: JSON
// and addresses come back in their canonical forms.
func TestRoundTrip(t *testing.T) {
	d := dbtest.New(t)
	inst := uuid.New()
	tests := []struct {
		name             string
		e                Entry
		wantIP           string
		wantOld, wantNew string
	}{
		{
			name: "system act, no values",
			e:    Entry{Institution: inst, ActorKind: ActorSystem, Action: "retention.purge"},
		},
		{
			name: "JSON is canonicalised",
			e: Entry{Institution: inst, ActorID: uuid.New(), ActorKind: ActorCitizen, Action: "account.update",
				Old: json.RawMessage(`{"b": 1.50, "a": [1], "a": 2}`), New: json.RawMessage(`[1e3, "\u0103"]`)},
			wantOld: `{"a": 2, "b": 1.50}`, wantNew: `[1000, "ă"]`,
		},
		{
			name: "IPv4 host",
			e:    Entry{Institution: inst, ActorID: uuid.New(), ActorKind: ActorMachine, Action: "x.read", IP: "192.0.2.1"},
			// inet prints a single host without its length.
			wantIP: "192.0.2.1",
		},
		{
			name:   "IPv6 host",
			e:      Entry{Institution: inst, ActorID: uuid.New(), ActorKind: ActorStaff, Action: "x.read", IP: "2001:DB8:0::1"},
			wantIP: "2001:db8::1",
		},
		{
			name:   "IPv4-mapped IPv6",
			e:      Entry{Institution: inst, ActorID: uuid.New(), ActorKind: ActorStaff, Action: "x.read", IP: "::ffff:192.0.2.1"},
			wantIP: "::ffff:192.0.2.1",
		},
		{
			name:   "network with host bits",
			e:      Entry{Institution: inst, ActorID: uuid.New(), ActorKind: ActorStaff, Action: "x.read", IP: "10.1.2.3/8"},
			wantIP: "10.1.2.3/8",
		},
		{
			name: "acting for someone, JSON null is not SQL null",
			e: Entry{Institution: inst, ActorID: uuid.New(), ActorKind: ActorStaff, OnBehalfOf: uuid.New(),
				Action: "request.submit", Old: json.RawMessage("null"), Reason: "la ghișeu"},
			wantOld: "null",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := mustAppend(t, d, inst, tt.e)
			if rec.IP != tt.wantIP || string(rec.Old) != tt.wantOld || string(rec.New) != tt.wantNew {
				t.Errorf("appended ip %q old %q new %q, want %q %q %q", rec.IP, rec.Old, rec.New, tt.wantIP, tt.wantOld, tt.wantNew)
			}
			if (tt.wantOld == "") != (rec.Old == nil) {
				t.Errorf("old = %#v: SQL NULL and JSON confused", rec.Old)
			}
			page, _, err := listOne(t, d, inst, rec.Seq)
			if err != nil {
				t.Fatal(err)
			}
			got := page
			if !got.OccurredAt.Equal(rec.OccurredAt) {
				t.Errorf("occurred_at read back %v, appended %v", got.OccurredAt, rec.OccurredAt)
			}
			got.OccurredAt = rec.OccurredAt
			if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", rec) {
				t.Errorf("read back\n%#v\nappended\n%#v", got, rec)
			}
			if res := platformVerify(t, d, inst); !res.OK() {
				t.Errorf("verify: %+v", res)
			}
		})
	}
}

// listOne reads the row seq back through List.
func listOne(t *testing.T, d *dbtest.DB, inst uuid.UUID, seq int64) (Record, int64, error) {
	var rec Record
	var next int64
	err := db.TenantTx(t.Context(), d.App, inst, func(tx pgx.Tx) error {
		page, n, err := List(t.Context(), tx, Filter{Institution: inst, AfterSeq: seq + 1, Limit: 1})
		if err != nil {
			return err
		}
		if len(page) != 1 || page[0].Seq != seq {
			return fmt.Errorf("list after %d: got seqs %v", seq+1, seqs(page))
		}
		rec, next = page[0], n
		return nil
	})
	return rec, next, err
}

func TestAppendRefuses(t *testing.T) {
	ok := Entry{ActorID: uuid.New(), ActorKind: ActorStaff, Action: "role.assign"}
	tests := []struct {
		name   string
		change func(*Entry)
		want   string
	}{
		{"no action", func(e *Entry) { e.Action = "" }, "no action"},
		{"unknown actor kind", func(e *Entry) { e.ActorKind = "robot" }, "unknown actor kind"},
		{"staff without id", func(e *Entry) { e.ActorID = uuid.Nil }, "needs an actor id"},
		{"system with id", func(e *Entry) { e.ActorKind = ActorSystem }, "without an actor id"},
		{"bad ip", func(e *Entry) { e.IP = "192.0.2.300" }, "ip"},
		{"ip with zone", func(e *Entry) { e.IP = "fe80::1%eth0" }, "zones"},
		{"ip with port", func(e *Entry) { e.IP = "192.0.2.1:443" }, "ip"},
		{"invalid JSON", func(e *Entry) { e.New = json.RawMessage("{") }, "new value"},
		{"unmarshallable", func(e *Entry) { e.Old = make(chan int) }, "old value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok
			tt.change(&e)
			// Append checks the entry before it touches the transaction.
			_, err := Append(t.Context(), nil, e)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestConcurrentAppendsAreGapless(t *testing.T) {
	d := dbtest.New(t)
	tests := []struct {
		name  string
		chain uuid.UUID
	}{
		{"institution chain", uuid.New()},
		{"platform chain", uuid.Nil},
	}
	const workers, each = 8, 10
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g errgroup.Group
			for w := range workers {
				g.Go(func() error {
					for i := range each {
						err := inScope(t, d, tt.chain, func(tx pgx.Tx) error {
							_, err := Append(t.Context(), tx, entry(tt.chain, w*each+i))
							return err
						})
						if err != nil {
							return err
						}
					}
					return nil
				})
			}
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			got := listAll(t, d, uuid.Nil, Filter{Institution: tt.chain, Limit: 7})
			want := make([]int64, workers*each)
			for i := range want {
				want[i] = int64(len(want) - i)
			}
			if !slices.Equal(seqs(got), want) {
				t.Errorf("seqs = %v, want %d down to 1", seqs(got), len(want))
			}
			if res := platformVerify(t, d, tt.chain); !res.OK() || res.Rows != workers*each {
				t.Errorf("verify: %+v", res)
			}
		})
	}
}

func TestRollbackLeavesNoGap(t *testing.T) {
	d := dbtest.New(t)
	inst := uuid.New()
	mustAppend(t, d, inst, entry(inst, 1))
	errAct := errors.New("the act failed")
	err := db.TenantTx(t.Context(), d.App, inst, func(tx pgx.Tx) error {
		if _, err := Append(t.Context(), tx, entry(inst, 2)); err != nil {
			return err
		}
		return errAct
	})
	if !errors.Is(err, errAct) {
		t.Fatalf("err = %v", err)
	}
	if rec := mustAppend(t, d, inst, entry(inst, 3)); rec.Seq != 2 {
		t.Errorf("after a rollback the next seq is %d, want 2", rec.Seq)
	}
	if got := seqs(listAll(t, d, inst, Filter{Institution: inst})); !slices.Equal(got, []int64{2, 1}) {
		t.Errorf("seqs = %v, want [2 1]", got)
	}
	if res := platformVerify(t, d, inst); !res.OK() || res.Rows != 2 {
		t.Errorf("verify: %+v", res)
	}
}

func TestAppendOnly(t *testing.T) {
	d := dbtest.New(t)
	inst := uuid.New()
	mustAppend(t, d, inst, entry(inst, 1))
	tests := []struct {
		name  string
		owner bool
		sql   string
		want  string
	}{
		{"app update", false, "UPDATE audit_log SET reason = 'x'", "permission denied"},
		{"app delete", false, "DELETE FROM audit_log", "permission denied"},
		{"app truncate", false, "TRUNCATE audit_log", "permission denied"},
		{"app moves the head", false, "DELETE FROM audit_chain", "permission denied"},
		{"owner update", true, "UPDATE audit_log SET reason = 'x'", "append-only"},
		{"owner delete", true, "DELETE FROM audit_log", "append-only"},
		{"owner truncate", true, "TRUNCATE audit_log", "append-only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.owner {
				_, err = d.Owner.Exec(t.Context(), tt.sql)
			} else {
				err = db.PlatformTx(t.Context(), d.App, func(tx pgx.Tx) error {
					_, err := tx.Exec(t.Context(), tt.sql)
					return err
				})
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(pgErr.Message, tt.want) {
				t.Errorf("err = %v, want %q (42501)", err, tt.want)
			}
		})
	}
	if res := platformVerify(t, d, inst); !res.OK() || res.Rows != 1 {
		t.Errorf("verify: %+v", res)
	}
}

func TestTenantIsolation(t *testing.T) {
	d := dbtest.New(t)
	instA, instB := uuid.New(), uuid.New()
	mustAppend(t, d, instA, entry(instA, 1))
	mustAppend(t, d, instA, entry(uuid.Nil, 2))
	mustAppend(t, d, instB, entry(instB, 3))
	tests := []struct {
		name  string
		scope uuid.UUID // uuid.Nil: platform scope
		chain uuid.UUID
		want  int
	}{
		{"tenant reads its own chain", instA, instA, 1},
		{"tenant cannot read another institution's", instB, instA, 0},
		{"tenant cannot read the platform chain", instA, uuid.Nil, 0},
		{"platform reads an institution's chain", uuid.Nil, instB, 1},
		{"platform reads the platform chain", uuid.Nil, uuid.Nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listAll(t, d, tt.scope, Filter{Institution: tt.chain}); len(got) != tt.want {
				t.Errorf("read %d rows, want %d", len(got), tt.want)
			}
		})
	}
	var results []Result
	err := db.PlatformTx(t.Context(), d.App, func(tx pgx.Tx) error {
		var err error
		results, err = VerifyAll(t.Context(), tx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Errorf("VerifyAll found %d chains, want 3: %+v", len(results), results)
	}
	for _, r := range results {
		if !r.OK() || r.Rows != 1 {
			t.Errorf("verify: %+v", r)
		}
	}
}

// tamper changes the log or the head of chain as the owner, with the
// append-only trigger off, as someone with the database's keys could.
type tamper func(ctx context.Context, tx pgx.Tx, chain uuid.UUID) error

func execSQL(sql string) tamper {
	return func(ctx context.Context, tx pgx.Tx, chain uuid.UUID) error {
		_, err := tx.Exec(ctx, sql, chain)
		return err
	}
}

// rehash changes row seq's action and stores a hash recomputed to match, as
// someone who knows the algorithm would.
func rehash(seq int64) tamper {
	return func(ctx context.Context, tx pgx.Tx, chain uuid.UUID) error {
		var r row
		err := tx.QueryRow(ctx, `SELECT `+columns+` FROM audit_log WHERE institution_id = $1 AND seq = $2`,
			chain, seq).Scan(r.dest()...)
		if err != nil {
			return err
		}
		action := "role.revoke"
		r.Action = &action
		r.Hash = r.sum()
		_, err = tx.Exec(ctx, `UPDATE audit_log SET action = $3, hash = $4 WHERE institution_id = $1 AND seq = $2`,
			chain, seq, action, r.Hash)
		return err
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	d := dbtest.New(t)
	const rows = 5
	tests := []struct {
		name       string
		tamper     tamper
		wantBroken int64 // 0: intact
		wantReason string
	}{
		{name: "untouched"},
		{
			name:       "a field of row 3 changed",
			tamper:     execSQL(`UPDATE audit_log SET object_id = 'other' WHERE institution_id = $1 AND seq = 3`),
			wantBroken: 3, wantReason: "hash does not match the row's contents",
		},
		{
			name:       "a JSON value of row 2 changed",
			tamper:     execSQL(`UPDATE audit_log SET new_value = '{"roles": ["admin"]}' WHERE institution_id = $1 AND seq = 2`),
			wantBroken: 2, wantReason: "hash does not match the row's contents",
		},
		{
			name:       "the time of row 4 moved by a microsecond",
			tamper:     execSQL(`UPDATE audit_log SET occurred_at = occurred_at + interval '1 microsecond' WHERE institution_id = $1 AND seq = 4`),
			wantBroken: 4, wantReason: "hash does not match the row's contents",
		},
		{
			name:       "the address of row 1 removed",
			tamper:     execSQL(`UPDATE audit_log SET ip = NULL WHERE institution_id = $1 AND seq = 1`),
			wantBroken: 1, wantReason: "hash does not match the row's contents",
		},
		{
			name:       "row 3 deleted",
			tamper:     execSQL(`DELETE FROM audit_log WHERE institution_id = $1 AND seq = 3`),
			wantBroken: 4, wantReason: "sequence gap: 3 missing",
		},
		{
			name:       "rows 2 and 3 deleted",
			tamper:     execSQL(`DELETE FROM audit_log WHERE institution_id = $1 AND seq IN (2, 3)`),
			wantBroken: 4, wantReason: "sequence gap: 2 to 3 missing",
		},
		{
			name:       "the first row deleted",
			tamper:     execSQL(`DELETE FROM audit_log WHERE institution_id = $1 AND seq = 1`),
			wantBroken: 2, wantReason: "sequence gap: 1 missing",
		},
		{
			name:       "the last row deleted",
			tamper:     execSQL(`DELETE FROM audit_log WHERE institution_id = $1 AND seq = 5`),
			wantBroken: 5, wantReason: "chain head says last seq is 5 but the log ends at 4",
		},
		{
			name: "rows 2 and 4 swapped",
			tamper: execSQL(`
				UPDATE audit_log a SET occurred_at = b.occurred_at, actor_id = b.actor_id, actor_kind = b.actor_kind,
					on_behalf_of = b.on_behalf_of, action = b.action, object_type = b.object_type, object_id = b.object_id,
					ip = b.ip, old_value = b.old_value, new_value = b.new_value, reason = b.reason,
					prev_hash = b.prev_hash, hash = b.hash
				FROM audit_log b
				WHERE a.institution_id = $1 AND b.institution_id = $1 AND a.seq IN (2, 4) AND b.seq IN (2, 4) AND a.seq <> b.seq`),
			wantBroken: 2, wantReason: "previous hash does not match row 1",
		},
		{
			name:       "row 3 changed and rehashed",
			tamper:     rehash(3),
			wantBroken: 4, wantReason: "previous hash does not match row 3",
		},
		{
			name:       "the last row changed and rehashed",
			tamper:     rehash(5),
			wantBroken: 5, wantReason: "chain head's hash does not match row 5",
		},
		{
			name:       "the head moved back",
			tamper:     execSQL(`UPDATE audit_chain SET last_seq = 3 WHERE institution_id = $1`),
			wantBroken: 4, wantReason: "chain head says last seq is 3 but the log ends at 5",
		},
		{
			name:       "the head deleted",
			tamper:     execSQL(`DELETE FROM audit_chain WHERE institution_id = $1`),
			wantBroken: 1, wantReason: "chain head is missing but the log ends at 5",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case has its own chain, next to an untouched one.
			chain, bystander := uuid.New(), uuid.New()
			for i := range rows {
				e := entry(chain, i)
				if i == 1 {
					// A system act and an act for someone, so NULLs are covered.
					e.ActorID, e.ActorKind, e.IP, e.Old = uuid.Nil, ActorSystem, "", nil
				}
				if i == 2 {
					e.OnBehalfOf = uuid.New()
				}
				mustAppend(t, d, chain, e)
				mustAppend(t, d, bystander, entry(bystander, i))
			}
			if tt.tamper != nil {
				err := pgx.BeginFunc(t.Context(), d.Owner, func(tx pgx.Tx) error {
					if _, err := tx.Exec(t.Context(), "SET LOCAL session_replication_role = replica"); err != nil {
						return err
					}
					return tt.tamper(t.Context(), tx, chain)
				})
				if err != nil {
					t.Fatalf("tamper: %v", err)
				}
			}
			res := platformVerify(t, d, chain)
			var got int64
			if res.FirstBroken != nil {
				got = *res.FirstBroken
			}
			if got != tt.wantBroken || res.Reason != tt.wantReason {
				t.Errorf("first broken %d %q, want %d %q", got, res.Reason, tt.wantBroken, tt.wantReason)
			}
			if res := platformVerify(t, d, bystander); !res.OK() || res.Rows != rows {
				t.Errorf("the untouched chain: %+v", res)
			}
		})
	}
}

func TestList(t *testing.T) {
	d := dbtest.New(t)
	inst := uuid.New()
	alice, bob := uuid.New(), uuid.New()
	var recs []Record // recs[i] has seq i+1
	for i, e := range []Entry{
		{ActorID: alice, Action: "role.assign", ObjectType: "account", ObjectID: "1"},
		{ActorID: bob, Action: "account.cnp.read", ObjectType: "account", ObjectID: "1"},
		{ActorID: alice, Action: "account.cnp.read", ObjectType: "account", ObjectID: "2"},
		{ActorID: bob, Action: "role.assign", ObjectType: "request", ObjectID: "1"},
		{ActorID: alice, Action: "role.assign", ObjectType: "account", ObjectID: "1"},
	} {
		e.Institution, e.ActorKind = inst, ActorStaff
		recs = append(recs, mustAppend(t, d, inst, e))
		if recs[i].Seq != int64(i+1) {
			t.Fatalf("seq %d, want %d", recs[i].Seq, i+1)
		}
	}
	// Another chain's rows never show.
	other := uuid.New()
	mustAppend(t, d, uuid.Nil, Entry{Institution: other, ActorID: alice, ActorKind: ActorStaff, Action: "role.assign", ObjectType: "account", ObjectID: "1"})

	tests := []struct {
		name string
		f    Filter
		want []int64
	}{
		{"everything, newest first", Filter{}, []int64{5, 4, 3, 2, 1}},
		{"by actor", Filter{ActorID: alice}, []int64{5, 3, 1}},
		{"by action", Filter{Action: "account.cnp.read"}, []int64{3, 2}},
		{"by object", Filter{ObjectType: "account", ObjectID: "1"}, []int64{5, 2, 1}},
		{"by object type", Filter{ObjectType: "request"}, []int64{4}},
		{"from, inclusive", Filter{From: recs[2].OccurredAt}, []int64{5, 4, 3}},
		{"to, exclusive", Filter{To: recs[2].OccurredAt}, []int64{2, 1}},
		{"between", Filter{From: recs[1].OccurredAt, To: recs[3].OccurredAt}, []int64{3, 2}},
		{"after a cursor", Filter{AfterSeq: 3}, []int64{2, 1}},
		{"actor and action", Filter{ActorID: alice, Action: "role.assign"}, []int64{5, 1}},
		{"nothing matches", Filter{ActorID: uuid.New()}, nil},
		{"pages of 2", Filter{Limit: 2}, []int64{5, 4, 3, 2, 1}},
		{"pages of 1 by actor", Filter{Limit: 1, ActorID: bob}, []int64{4, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Institution = inst
			if got := seqs(listAll(t, d, inst, tt.f)); !slices.Equal(got, tt.want) {
				t.Errorf("seqs = %v, want %v", got, tt.want)
			}
		})
	}

	// The cursor: next is the page's last seq while more follow, then 0.
	pages := []struct {
		after    int64
		want     []int64
		wantNext int64
	}{
		{0, []int64{5, 4}, 4},
		{4, []int64{3, 2}, 2},
		{2, []int64{1}, 0},
	}
	for _, p := range pages {
		err := db.TenantTx(t.Context(), d.App, inst, func(tx pgx.Tx) error {
			got, next, err := List(t.Context(), tx, Filter{Institution: inst, AfterSeq: p.after, Limit: 2})
			if err != nil {
				return err
			}
			if !slices.Equal(seqs(got), p.want) || next != p.wantNext {
				t.Errorf("after %d: seqs %v next %d, want %v next %d", p.after, seqs(got), next, p.want, p.wantNext)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A last page that is exactly full has no next.
	err := db.TenantTx(t.Context(), d.App, inst, func(tx pgx.Tx) error {
		got, next, err := List(t.Context(), tx, Filter{Institution: inst, AfterSeq: 3, Limit: 2})
		if err != nil {
			return err
		}
		if !slices.Equal(seqs(got), []int64{2, 1}) || next != 0 {
			t.Errorf("seqs %v next %d, want [2 1] next 0", seqs(got), next)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The hash depends on no session setting: rows appended under one time zone
// and date style verify under another.
func TestVerifyIgnoresSessionSettings(t *testing.T) {
	d := dbtest.New(t)
	inst := uuid.New()
	settings := []struct{ name, sql string }{
		{"Chatham, SQL", "SET LOCAL TimeZone = 'Pacific/Chatham'; SET LOCAL DateStyle = 'SQL, DMY'"},
		{"UTC, ISO", "SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL extra_float_digits = -15"},
		{"St Johns, German", "SET LOCAL TimeZone = 'America/St_Johns'; SET LOCAL DateStyle = 'German'; SET LOCAL bytea_output = 'escape'"},
	}
	for i, s := range settings {
		err := db.TenantTx(t.Context(), d.App, inst, func(tx pgx.Tx) error {
			if _, err := tx.Exec(t.Context(), s.sql); err != nil {
				return err
			}
			e := entry(inst, i)
			e.New = json.RawMessage(`{"amount": 12.3400, "at": "2024-01-02"}`)
			_, err := Append(t.Context(), tx, e)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range settings {
		t.Run(s.name, func(t *testing.T) {
			err := db.PlatformTx(t.Context(), d.App, func(tx pgx.Tx) error {
				if _, err := tx.Exec(t.Context(), s.sql); err != nil {
					return err
				}
				res, err := Verify(t.Context(), tx, inst)
				if err != nil {
					return err
				}
				if !res.OK() || res.Rows != int64(len(settings)) {
					t.Errorf("verify: %+v", res)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
