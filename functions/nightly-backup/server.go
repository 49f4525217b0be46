package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/audit/anchor"
	"github.com/ghiseu/ghiseu/shared/backup"
	"github.com/ghiseu/ghiseu/shared/backup/retention"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/fixity"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/idempotency"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

// Source is this function's CloudEvents source.
const Source = "/ghiseu/functions/nightly-backup"

// PingType is the type of the PingSource's events.
const PingType = "dev.knative.sources.ping"

// lockKey is the advisory lock that keeps two backups from running at once
// (a tick and an administrator's request, or two instances).
const lockKey = 0x6768697365750001 // "ghiseu" + 1

type server struct {
	pool   *pgxpool.Pool
	outbox *events.Outbox
	log    *slog.Logger
	dumper *backup.Dumper
	store  *blob.Store
	bucket string
	policy retention.Policy
	fixity *fixity.Checker
	// anchors keeps the audit chains' heads in the backup bucket, at
	// every backup and every fixity check (shared/audit/anchor).
	anchors *anchor.Store
}

// The backups and the fixity of storage are the whole platform's: only
// its operators (backup.manage in a top-level institution) see and start
// them, not a subordinate institution's administrator.
func (s *server) routes(r *access.Router) {
	in := access.PathInstitution("institution")
	operators := access.Operator("backup.manage", in)
	r.Handle(access.Route{Pattern: "GET /api/institutions/{institution}/backups", Rule: operators, Handler: s.status})
	r.Handle(access.Route{Pattern: "POST /api/institutions/{institution}/backups", Rule: operators, Handler: s.request})
	r.Handle(access.Route{Pattern: "POST /api/institutions/{institution}/backups/fixity-checks", Rule: operators, Handler: s.requestFixity})
}

// handleEvent runs a backup on the nightly tick or an administrator's
// request. A backup already running answers at once: one is enough.
func (s *server) handleEvent(ctx context.Context, e cloudevents.Event) (*cloudevents.Event, error) {
	if e.Type() != PingType && e.Type() != events.TypeBackupRequested && e.Type() != events.TypeFixityRequested {
		return nil, runtime.Permanent(fmt.Errorf("nightly-backup does not handle %s events", e.Type()))
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(lockKey)).Scan(&locked); err != nil {
		return nil, err
	}
	if !locked {
		s.log.Info("a backup is already running: this one is skipped", "event_id", e.ID())
		return nil, nil
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(lockKey))
	if e.Type() == PingType && e.Source() == FixitySource {
		return nil, s.checkFixity(ctx, uuid.Nil)
	}
	if e.Type() == events.TypeFixityRequested {
		var data struct {
			RequestedBy uuid.UUID `json:"requestedBy"`
		}
		if err := e.DataAs(&data); err != nil {
			return nil, runtime.Permanent(fmt.Errorf("fixity request: %w", err))
		}
		return nil, s.checkFixity(ctx, data.RequestedBy)
	}
	return nil, s.run(ctx)
}

// run makes a backup and prunes, and announces the outcome. A failed
// backup is announced and answered 2xx: retrying at once would most likely
// fail the same way, and the next night comes.
func (s *server) run(ctx context.Context) error {
	started := time.Now()
	m, err := s.dumper.Backup(ctx)
	if err != nil {
		s.log.Error("backup failed", "error", err.Error())
		return s.announce(ctx, events.TypeBackupFailed, map[string]any{"startedAt": started, "error": err.Error()})
	}
	pruned, err := backup.Prune(ctx, s.store, s.bucket, "", s.policy, time.Now(), nil)
	if err != nil {
		// The backup is made; pruning is tried again next time.
		s.log.Error("prune backups", "error", err.Error())
	}
	data := map[string]any{"backupId": m.ID, "startedAt": m.StartedAt, "finishedAt": m.FinishedAt, "dumpBytes": m.Dump.Size,
		"documents": 0, "documentBytes": 0, "damagedDocuments": 0, "verified": nil, "verificationError": "",
		"pruned": len(pruned.Removed) + len(pruned.Incomplete)}
	if d := m.Documents; d != nil {
		data["documents"], data["documentBytes"], data["damagedDocuments"] = d.Objects, d.Bytes, len(d.Damaged)
	}
	if v := m.Verification; v != nil {
		data["verified"], data["verificationError"] = v.OK, v.Error
		if !v.OK {
			s.log.Error("backup verification failed", "backup_id", m.ID, "error", v.Error)
		}
	}
	s.anchor(ctx, "backup")
	s.log.Info("backup completed", "backup_id", m.ID, "dump_bytes", m.Dump.Size, "took", time.Since(started).String())
	return s.announce(ctx, events.TypeBackupCompleted, data)
}

// anchor writes an anchor of the audit chains' heads. Failing to is logged,
// not fatal to the backup: a refused anchor means the trail lost or changed
// an anchored row, which the weekly fixity check (or `make audit-verify`)
// reports by chain.
func (s *server) anchor(ctx context.Context, reason string) {
	var a anchor.Anchor
	err := db.PlatformTx(ctx, db.Snapshot{Pool: s.pool}, func(tx pgx.Tx) (err error) {
		a, err = s.anchors.Write(ctx, tx, reason)
		return err
	})
	var broken *anchor.Broken
	switch {
	case errors.As(err, &broken):
		for _, c := range broken.Chains {
			s.log.Error("audit chain contradicts its anchor; no new anchor written", "anchor", broken.Anchor.Key,
				"institution_id", c.Institution.String(), "seq", *c.FirstBroken, "reason", c.Reason)
		}
	case err != nil:
		s.log.Error("anchor the audit chains", "error", err.Error())
	default:
		s.log.Info("audit chains anchored", "anchor", a.Key, "chains", len(a.Chains))
	}
}

// announce writes a platform event through the outbox and publishes it.
func (s *server) announce(ctx context.Context, eventType string, data any) error {
	e, err := s.outbox.Catalogue().New(eventType, Source, uuid.Nil, data)
	if err != nil {
		return err
	}
	var id int64
	if err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		id, err = s.outbox.Add(ctx, tx, e)
		return err
	}); err != nil {
		return fmt.Errorf("announce %s: %w", eventType, err)
	}
	s.outbox.Publish(ctx, id)
	return nil
}

// statusView is the backups' state for operators, with the last fixity
// check's result beside it.
type statusView struct {
	Last     *lastBackup `json:"last"`
	Complete []string    `json:"complete"`
	Fixity   *fixityRun  `json:"fixity"`
}

type lastBackup struct {
	ID            string               `json:"id"`
	FinishedAt    time.Time            `json:"finishedAt"`
	AgeSeconds    int64                `json:"ageSeconds"`
	DumpBytes     int64                `json:"dumpBytes"`
	Documents     int                  `json:"documents"`
	DocumentBytes int64                `json:"documentBytes"`
	Damaged       []string             `json:"damagedDocuments"`
	Verification  *backup.Verification `json:"verification"`
	Database      backup.DatabaseBrief `json:"database"`
}

// last reads the newest complete backup's manifest; nil when there is none.
func (s *server) last(ctx context.Context) (*backup.Manifest, []string, error) {
	ids, err := backup.List(ctx, s.store, s.bucket, "")
	if err != nil || len(ids) == 0 {
		return nil, ids, err
	}
	r := &backup.Restorer{Blob: s.store, Bucket: s.bucket}
	m, err := r.Manifest(ctx, ids[0])
	if err != nil {
		return nil, ids, err
	}
	return &m, ids, nil
}

// status shows the last complete backup, its size and age, and its
// verification.
func (s *server) status(w http.ResponseWriter, r *http.Request) {
	m, ids, err := s.last(r.Context())
	if err != nil {
		s.fail(w, "backup status", err)
		return
	}
	fixityLast, err := s.lastFixity(r.Context())
	if err != nil {
		s.fail(w, "backup status: fixity", err)
		return
	}
	out := statusView{Complete: ids, Fixity: fixityLast}
	if out.Complete == nil {
		out.Complete = []string{}
	}
	if m != nil {
		l := &lastBackup{ID: m.ID, FinishedAt: m.FinishedAt, AgeSeconds: int64(time.Since(m.FinishedAt).Seconds()),
			DumpBytes: m.Dump.Size, Verification: m.Verification, Damaged: []string{},
			Database: backup.DatabaseBrief{ServerVersion: m.Database.ServerVersion, WALPosition: m.Database.WALPosition, Tables: len(m.Database.Rows)}}
		if d := m.Documents; d != nil {
			l.Documents, l.DocumentBytes = d.Objects, d.Bytes
			if d.Damaged != nil {
				l.Damaged = d.Damaged
			}
		}
		out.Last = l
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// request asks for a backup now, through the Broker, like the nightly
// tick; answered 202 at once, since a backup outlasts an HTTP request.
func (s *server) request(w http.ResponseWriter, r *http.Request) {
	s.ask(w, r, events.TypeBackupRequested, "backup.request")
}

// requestFixity asks for a fixity check now, like the weekly tick.
func (s *server) requestFixity(w http.ResponseWriter, r *http.Request) {
	s.ask(w, r, events.TypeFixityRequested, "fixity.request")
}

// ask announces eventType for the operator's institution, in its
// transaction, beside the audit row action, and answers 202. A retry with
// the same Idempotency-Key gets the first answer and asks nothing again.
func (s *server) ask(w http.ResponseWriter, r *http.Request, eventType, action string) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	p := access.FromContext(ctx)
	key := r.Header.Get("Idempotency-Key")
	e, err := s.outbox.Catalogue().New(eventType, Source, inst,
		map[string]any{"requestedBy": p.Account, "institutionId": inst})
	if err != nil {
		s.fail(w, action, err)
		return
	}
	answer := idempotency.Answer{Status: http.StatusAccepted, Body: json.RawMessage(`{"status":"requested"}`)}
	var replay *idempotency.Answer
	var id int64
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if key != "" {
			if replay, err = idempotency.Claim(ctx, tx, p.Account, key, idempotency.Hash([]byte(eventType), []byte(inst.String()))); err != nil || replay != nil {
				return err
			}
		}
		if id, err = s.outbox.Add(ctx, tx, e); err != nil {
			return err
		}
		if _, err = audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
			Action: action, ObjectType: "backup", IP: access.ClientIP(r)}); err != nil {
			return err
		}
		if key != "" {
			return idempotency.Store(ctx, tx, p.Account, key, answer)
		}
		return nil
	})
	switch {
	case idempotency.WriteProblem(w, err):
		return
	case err != nil:
		s.fail(w, action, err)
		return
	case replay != nil:
		answer = *replay
	default:
		s.outbox.Publish(ctx, id)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(answer.Status)
	_, _ = w.Write(answer.Body)
}

// metrics serves the last backup's state in the Prometheus text format.
func (s *server) metrics(w http.ResponseWriter, r *http.Request) {
	m, _, err := s.last(r.Context())
	if err != nil {
		s.log.Error("metrics", "error", err.Error())
		http.Error(w, "backup status unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintln(w, "# HELP ghiseu_backup_last_success_timestamp_seconds When the last complete backup finished.")
	fmt.Fprintln(w, "# TYPE ghiseu_backup_last_success_timestamp_seconds gauge")
	fmt.Fprintln(w, "# HELP ghiseu_backup_last_size_bytes The last complete backup's dump, encrypted, and the documents it covers.")
	fmt.Fprintln(w, "# TYPE ghiseu_backup_last_size_bytes gauge")
	fmt.Fprintln(w, "# HELP ghiseu_backup_last_verification_ok 1 when the last backup restored with its manifest's rows, 0 when not, absent when unverified.")
	fmt.Fprintln(w, "# TYPE ghiseu_backup_last_verification_ok gauge")
	if m == nil {
		return
	}
	fmt.Fprintf(w, "ghiseu_backup_last_success_timestamp_seconds %d\n", m.FinishedAt.Unix())
	fmt.Fprintf(w, "ghiseu_backup_last_size_bytes{part=\"dump\"} %d\n", m.Dump.Size)
	if m.Documents != nil {
		fmt.Fprintf(w, "ghiseu_backup_last_size_bytes{part=\"documents\"} %d\n", m.Documents.Bytes)
	}
	if v := m.Verification; v != nil {
		ok := 0
		if v.OK {
			ok = 1
		}
		fmt.Fprintf(w, "ghiseu_backup_last_verification_ok %d\n", ok)
	}
}

func (s *server) fail(w http.ResponseWriter, what string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.Error(what, "error", err.Error())
	httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
		Detail: "something went wrong on our side; try again"})
}
