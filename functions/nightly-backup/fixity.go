package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/fixity"
)

// FixitySource is the weekly PingSource's source: its tick runs the
// fixity check instead of a backup.
const FixitySource = "/apis/v1/namespaces/ghiseu/pingsources/fixity-weekly"

// checkFixity rereads this week's share of the stored documents and
// verifies every audit chain, and announces the outcome. Problems are
// logged at error level, with the keys of damaged objects.
func (s *server) checkFixity(ctx context.Context) error {
	rep, err := s.fixity.Run(ctx, fixity.RunNumber(time.Now(), s.fixity.RunsPerCycle))
	if err != nil {
		return fmt.Errorf("fixity: %w", err)
	}
	for _, m := range rep.Mismatches {
		s.log.Error("document changed behind the platform's back", "key", m.Object.Key, "institution_id", m.Object.Institution.String())
	}
	for _, o := range rep.MissingObjects {
		s.log.Error("document missing from storage", "key", o.Key, "institution_id", o.Institution.String())
	}
	var chains []audit.Result
	err = db.PlatformTx(ctx, db.Snapshot{Pool: s.pool}, func(tx pgx.Tx) (err error) {
		chains, err = audit.VerifyAll(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit chains: %w", err)
	}
	broken := 0
	for _, c := range chains {
		if !c.OK() {
			broken++
			s.log.Error("audit chain broken", "institution_id", c.Institution.String(), "seq", *c.FirstBroken, "reason", c.Reason)
		}
	}
	level := s.log.Info
	if !rep.OK() || broken > 0 {
		level = s.log.Error
	}
	level(rep.String(), "audit_chains", len(chains), "audit_broken", broken)
	return s.announce(ctx, events.TypeFixityChecked, map[string]any{"run": rep.Run, "runsPerCycle": rep.RunsPerCycle,
		"checked": rep.Checked, "bytes": rep.Bytes, "mismatched": rep.Mismatched, "missing": rep.Missing, "unreadable": rep.Failed,
		"ok": rep.OK() && broken == 0, "auditChains": len(chains), "auditBroken": broken})
}
