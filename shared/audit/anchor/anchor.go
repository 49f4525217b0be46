// Package anchor keeps the audit chains' heads outside the database they
// protect. The chains (shared/audit) show any row changed or removed inside
// the log, but their heads live in the same database: someone with the
// superuser's rights can delete the last rows and move the head back, and the
// chain still verifies. An anchor is a small JSON object in the backup
// bucket, written once under a key of its own (never replaced), holding
// every chain's head at that moment; Check compares the database with it
// and names the first row missing or different.
package anchor

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/blob"
)

// Version is the anchor format this package writes and reads.
const Version = 1

// DefaultPrefix is where anchors go in the backup bucket, beside the backups.
const DefaultPrefix = "audit-anchors"

// keyLayout names an anchor by the time it was taken: fixed width, so key
// order is time order and the newest anchor is the last key.
const keyLayout = "20060102T150405.000000000Z"

// ErrBroken: the database no longer holds a row an anchor holds; see Broken.
var ErrBroken = errors.New("the audit trail does not match its newest anchor")

// Head is one chain's head when the anchor was taken.
type Head struct {
	// Institution is the chain; uuid.Nil is the platform chain.
	Institution uuid.UUID `json:"institution"`
	// Seq and Hash (hex SHA-256) are the chain's last row's.
	Seq  int64  `json:"lastSeq"`
	Hash string `json:"lastHash"`
	// OccurredAt is the last row's time (zero if the head's row is gone).
	OccurredAt time.Time `json:"occurredAt"`
}

// Anchor is every chain's head at one moment.
type Anchor struct {
	Version int       `json:"version"`
	TakenAt time.Time `json:"takenAt"`
	// Reason says what took it: "backup", "fixity".
	Reason string `json:"reason"`
	Chains []Head `json:"chains"`
	// Key is where it is stored (not part of the object).
	Key string `json:"-"`
}

// Only returns a with institution's chain alone.
func (a Anchor) Only(institution uuid.UUID) Anchor {
	one := a
	one.Chains = nil
	for _, h := range a.Chains {
		if h.Institution == institution {
			one.Chains = append(one.Chains, h)
		}
	}
	return one
}

// Heads reads every chain's head. q must see every chain: a platform-scope
// transaction, REPEATABLE READ so that heads and rows agree.
func Heads(ctx context.Context, q audit.Querier) ([]Head, error) {
	rows, err := q.Query(ctx, `
		SELECT c.institution_id, c.last_seq, c.last_hash, l.occurred_at
		FROM audit_chain c LEFT JOIN audit_log l ON l.institution_id = c.institution_id AND l.seq = c.last_seq
		ORDER BY c.institution_id`)
	if err != nil {
		return nil, fmt.Errorf("audit anchor: read chain heads: %w", err)
	}
	heads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Head, error) {
		var h Head
		var hash []byte
		// A head without its row (which verification reports) is anchored
		// as the head says, without a time.
		var occurred *time.Time
		err := r.Scan(&h.Institution, &h.Seq, &hash, &occurred)
		h.Hash = hex.EncodeToString(hash)
		if occurred != nil {
			h.OccurredAt = occurred.UTC()
		}
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("audit anchor: read chain heads: %w", err)
	}
	return heads, nil
}

// Check compares the database with a. results are the chains' own
// verification (audit.VerifyAll, or audit.Verify of one chain with a.Only of
// it): a chain that verifies by itself but lacks its anchored row, or holds
// another row there, is marked broken at the first row missing (the trail
// was cut) or at the anchored row (it was rewritten up to there). A chain
// anchored but absent from results (every row and the head deleted) is
// added. Chains already broken keep their own first break.
func Check(ctx context.Context, q audit.Querier, a Anchor, results []audit.Result) ([]audit.Result, error) {
	index := make(map[uuid.UUID]int, len(results))
	for i, r := range results {
		index[r.Institution] = i
	}
	at := a.TakenAt.UTC().Format(time.RFC3339)
	for _, h := range a.Chains {
		i, found := index[h.Institution]
		if !found {
			results = append(results, audit.Result{Institution: h.Institution})
			i = len(results) - 1
		}
		if !results[i].OK() {
			continue
		}
		first, reason, err := checkHead(ctx, q, h, at)
		if err != nil {
			return results, err
		}
		if reason != "" {
			results[i].FirstBroken = &first
			results[i].Reason = reason
		}
	}
	return results, nil
}

// checkHead returns the first row that contradicts h and why, or "".
func checkHead(ctx context.Context, q audit.Querier, h Head, at string) (int64, string, error) {
	var hash []byte
	err := q.QueryRow(ctx, `SELECT hash FROM audit_log WHERE institution_id = $1 AND seq = $2`, h.Institution, h.Seq).Scan(&hash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// The chain verifies by itself, so its rows run 1…last without a gap:
		// the cut is right after the last row left below the anchored one.
		var last int64
		if err := q.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM audit_log WHERE institution_id = $1 AND seq < $2`,
			h.Institution, h.Seq).Scan(&last); err != nil {
			return 0, "", fmt.Errorf("audit anchor %s: %w", h.Institution, err)
		}
		if last+1 == h.Seq {
			return last + 1, fmt.Sprintf("row %d anchored at %s is missing: the trail was cut after row %d", h.Seq, at, last), nil
		}
		return last + 1, fmt.Sprintf("rows %d to %d are missing (row %d was anchored at %s): the trail was cut after row %d",
			last+1, h.Seq, h.Seq, at, last), nil
	case err != nil:
		return 0, "", fmt.Errorf("audit anchor %s: %w", h.Institution, err)
	case hex.EncodeToString(hash) != h.Hash:
		return h.Seq, fmt.Sprintf("row %d differs from its anchor of %s: the trail was rewritten up to row %d", h.Seq, at, h.Seq), nil
	}
	return 0, "", nil
}

// Store writes and reads anchors in a bucket.
type Store struct {
	Blob   *blob.Store
	Bucket string
	// Prefix is DefaultPrefix when empty.
	Prefix string
	// Now is time.Now when nil (tests set it).
	Now func() time.Time
}

func (s *Store) prefix() string {
	if s.Prefix == "" {
		return DefaultPrefix
	}
	return s.Prefix
}

// Newest returns the newest anchor; ok is false when there is none yet.
func (s *Store) Newest(ctx context.Context) (a Anchor, ok bool, err error) {
	var last string
	for o, err := range s.Blob.List(ctx, s.Bucket, s.prefix()+"/") {
		if err != nil {
			return Anchor{}, false, fmt.Errorf("audit anchors: %w", err)
		}
		if strings.HasSuffix(o.Key, ".json") {
			last = o.Key
		}
	}
	if last == "" {
		return Anchor{}, false, nil
	}
	r, _, err := s.Blob.Get(ctx, s.Bucket, last)
	if err != nil {
		return Anchor{}, false, fmt.Errorf("audit anchors: %w", err)
	}
	defer r.Close()
	body, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return Anchor{}, false, fmt.Errorf("audit anchor %s: %w", last, err)
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return Anchor{}, false, fmt.Errorf("audit anchor %s: %w", last, err)
	}
	if a.Version != Version {
		return Anchor{}, false, fmt.Errorf("audit anchor %s: version %d, this build reads %d", last, a.Version, Version)
	}
	a.Key = last
	return a, true, nil
}

// Broken is the error of Write when the database contradicts the newest
// anchor; it matches ErrBroken.
type Broken struct {
	Anchor Anchor
	Chains []audit.Result // the broken ones
}

func (b *Broken) Error() string {
	var parts []string
	for _, c := range b.Chains {
		parts = append(parts, fmt.Sprintf("chain %s: %s", c.Institution, c.Reason))
	}
	return fmt.Sprintf("%s %s: %s", ErrBroken, b.Anchor.Key, strings.Join(parts, "; "))
}

func (b *Broken) Is(target error) bool { return target == ErrBroken }

// Write anchors every chain's current head, read through q (a platform-scope
// REPEATABLE READ transaction). It first checks the heads of the newest
// anchor: if the database lost or changed an anchored row it writes nothing
// and returns a *Broken, since a new anchor of the cut trail would make the
// cut pass the next check. Anchors are written once (blob.PutOnce) and never
// replaced.
func (s *Store) Write(ctx context.Context, q audit.Querier, reason string) (Anchor, error) {
	prev, ok, err := s.Newest(ctx)
	if err != nil {
		return Anchor{}, err
	}
	if ok {
		results, err := Check(ctx, q, prev, nil)
		if err != nil {
			return Anchor{}, err
		}
		if len(results) > 0 {
			broken := &Broken{Anchor: prev}
			for _, r := range results {
				if !r.OK() {
					broken.Chains = append(broken.Chains, r)
				}
			}
			if len(broken.Chains) > 0 {
				return Anchor{}, broken
			}
		}
	}
	heads, err := Heads(ctx, q)
	if err != nil {
		return Anchor{}, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	a := Anchor{Version: Version, TakenAt: now().UTC(), Reason: reason, Chains: heads}
	if a.Chains == nil {
		a.Chains = []Head{}
	}
	body, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return Anchor{}, fmt.Errorf("audit anchor: %w", err)
	}
	a.Key = path.Join(s.prefix(), a.TakenAt.Format(keyLayout)+".json")
	if err := s.Blob.PutOnce(ctx, s.Bucket, a.Key, append(body, '\n'), "application/json"); err != nil {
		return Anchor{}, fmt.Errorf("audit anchor: %w", err)
	}
	return a, nil
}
