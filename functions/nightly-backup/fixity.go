package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/audit/anchor"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/fixity"
)

// FixitySource is the weekly PingSource's source: its tick runs the
// fixity check instead of a backup.
const FixitySource = "/apis/v1/namespaces/ghiseu/pingsources/fixity-weekly"

// checkFixity rereads this week's share of the stored documents and
// verifies every audit chain (against the newest anchor of their heads
// too, anchoring them anew when all is well), keeps the result (shown beside the backups'
// status) and announces it. Problems are logged at error level, with the
// keys of damaged objects. requestedBy is the operator who asked for it,
// uuid.Nil for the weekly tick.
func (s *server) checkFixity(ctx context.Context, requestedBy uuid.UUID) error {
	started := time.Now()
	rep, err := s.fixity.Run(ctx, fixity.RunNumber(started, s.fixity.RunsPerCycle))
	if err != nil {
		return fmt.Errorf("fixity: %w", err)
	}
	for _, m := range rep.Mismatches {
		s.log.Error("document changed behind the platform's back", "key", m.Object.Key, "institution_id", m.Object.Institution.String())
	}
	for _, o := range rep.MissingObjects {
		s.log.Error("document missing from storage", "key", o.Key, "institution_id", o.Institution.String())
	}
	// The chains by themselves, then against the newest anchor of their
	// heads: only that shows a tail cut and a head moved back.
	newest, anchored, err := s.anchors.Newest(ctx)
	if err != nil {
		return fmt.Errorf("audit anchors: %w", err)
	}
	var chains []audit.Result
	err = db.PlatformTx(ctx, db.Snapshot{Pool: s.pool}, func(tx pgx.Tx) (err error) {
		if chains, err = audit.VerifyAll(ctx, tx); err != nil || !anchored {
			return err
		}
		chains, err = anchor.Check(ctx, tx, newest, chains)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit chains: %w", err)
	}
	if !anchored {
		s.log.Warn("no anchor of the audit chains yet: the chains are verified by themselves only")
	}
	broken := 0
	for _, c := range chains {
		if !c.OK() {
			broken++
			s.log.Error("audit chain broken", "institution_id", c.Institution.String(), "seq", *c.FirstBroken, "reason", c.Reason,
				"anchor", newest.Key)
		}
	}
	if broken == 0 {
		s.anchor(ctx, "fixity")
	}
	level := s.log.Info
	if !rep.OK() || broken > 0 {
		level = s.log.Error
	}
	level(rep.String(), "audit_chains", len(chains), "audit_broken", broken)
	run := fixityRun{StartedAt: started, FinishedAt: time.Now(), Run: rep.Run, RunsPerCycle: rep.RunsPerCycle, Checked: int64(rep.Checked),
		Bytes: rep.Bytes, Mismatched: rep.Mismatched, Missing: rep.Missing, Unreadable: rep.Failed, AuditChains: len(chains),
		AuditBroken: broken, OK: rep.OK() && broken == 0}
	if requestedBy != uuid.Nil {
		run.RequestedBy = &requestedBy
	}
	if err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO fixity_run (started_at, finished_at, run, runs_per_cycle, checked, bytes, mismatched, missing,
				unreadable, audit_chains, audit_broken, ok, requested_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			run.StartedAt, run.FinishedAt, run.Run, run.RunsPerCycle, run.Checked, run.Bytes, run.Mismatched, run.Missing,
			run.Unreadable, run.AuditChains, run.AuditBroken, run.OK, run.RequestedBy)
		return err
	}); err != nil {
		return fmt.Errorf("keep the fixity result: %w", err)
	}
	return s.announce(ctx, events.TypeFixityChecked, map[string]any{"run": rep.Run, "runsPerCycle": rep.RunsPerCycle,
		"checked": rep.Checked, "bytes": rep.Bytes, "mismatched": rep.Mismatched, "missing": rep.Missing, "unreadable": rep.Failed,
		"ok": rep.OK() && broken == 0, "auditChains": len(chains), "auditBroken": broken})
}

// fixityRun is a fixity check's result as the backups' status shows it.
type fixityRun struct {
	StartedAt    time.Time  `json:"startedAt"`
	FinishedAt   time.Time  `json:"finishedAt"`
	Run          int        `json:"run"`
	RunsPerCycle int        `json:"runsPerCycle"`
	Checked      int64      `json:"checked"`
	Bytes        int64      `json:"bytes"`
	Mismatched   int        `json:"mismatched"`
	Missing      int        `json:"missing"`
	Unreadable   int        `json:"unreadable"`
	AuditChains  int        `json:"auditChains"`
	AuditBroken  int        `json:"auditBroken"`
	OK           bool       `json:"ok"`
	RequestedBy  *uuid.UUID `json:"requestedBy"`
}

// lastFixity is the newest fixity check's result; nil before the first.
// The runs are platform rows: only operators reach this (see routes).
func (s *server) lastFixity(ctx context.Context) (*fixityRun, error) {
	var f fixityRun
	err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT started_at, finished_at, run, runs_per_cycle, checked, bytes, mismatched, missing, unreadable,
				audit_chains, audit_broken, ok, requested_by
			FROM fixity_run ORDER BY finished_at DESC, id DESC LIMIT 1`).
			Scan(&f.StartedAt, &f.FinishedAt, &f.Run, &f.RunsPerCycle, &f.Checked, &f.Bytes, &f.Mismatched, &f.Missing, &f.Unreadable,
				&f.AuditChains, &f.AuditBroken, &f.OK, &f.RequestedBy)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last fixity run: %w", err)
	}
	return &f, nil
}
