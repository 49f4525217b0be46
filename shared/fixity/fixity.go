// Package fixity checks that the documents bucket still holds the bytes the
// database recorded: a weekly run rereads a share of the stored objects,
// recomputes their SHA-256 and size and reports every mismatch, missing
// object and unreadable one, so that a file changed or lost behind the
// platform's back is found while a backup still holds it. Over a cycle of
// runs every object is checked once.
//
// The objects are those that document_version and request_file rows
// reference: content-addressed, so many rows may share one, which is read
// once. The share a run checks is chosen without state: an object belongs
// to the run whose range holds the first 32 bits of its SHA-256, which never
// changes, so the runs of a cycle check every object exactly once, an
// object added during a cycle is checked by the next run of its slice, and
// a run repeated (a retried job) checks the same slice again.
//
// It also lists orphans, objects no row references (see Checker.Orphans).
package fixity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/ghiseu/ghiseu/shared/blob"
)

// Defaults and limits.
const (
	// DefaultConcurrency is how many objects a run reads at a time when
	// Checker.Concurrency is zero.
	DefaultConcurrency = 4
	// DefaultGrace is how long an object must have been unreferenced
	// before Orphans lists it, when no grace is given.
	DefaultGrace = 24 * time.Hour
	// MaxRunsPerCycle bounds the cycle: past it a run's share would be
	// too small to be worth a job, and the slice arithmetic stays in int64.
	MaxRunsPerCycle = 1 << 16
	// MaxDetails is how many problems of each kind a report describes;
	// the counts go on. A wiped bucket must not make the report as large
	// as the bucket's listing.
	MaxDetails = 1000
)

// batchSize is how many rows (or listed objects) one short transaction
// reads: large enough that the round trips do not matter next to the S3
// reads, small enough that a page costs little memory.
const batchSize = 500

// maxConsecutiveFailures stops a run whose reads all fail: the store is
// down or the credentials wrong, and going on would only retry every
// object of the slice in turn.
const maxConsecutiveFailures = 50

// Checker checks the objects of the documents bucket against the database.
// The zero values of RunsPerCycle and Concurrency mean 1 (every object in
// every run) and DefaultConcurrency.
type Checker struct {
	// Pool reads across every institution, in platform scope (db.PlatformTx).
	Pool   *pgxpool.Pool
	Blob   *blob.Store
	Bucket string
	// RunsPerCycle is the number of runs, a week apart, in which every
	// object is checked once: 4 checks a quarter of them each week (see
	// ParseShare). Changing it starts a new cycle: the slices move.
	RunsPerCycle int
	// Concurrency is how many objects are read at the same time.
	Concurrency int
	// Now is the clock Orphans measures the grace period with; nil means
	// time.Now.
	Now func() time.Time

	// checked, when set (by the tests), is called with every object a
	// run checks, whatever the outcome.
	checked func(Object)
	// pageSize, when set (by the tests, to cross page boundaries with a
	// few objects), replaces batchSize.
	pageSize int
}

// Object is a stored object as the database records it.
type Object struct {
	Institution uuid.UUID
	Key         string
	SHA256      string
	Size        int64
}

// Mismatch is an object whose bytes are not the recorded ones.
type Mismatch struct {
	Object Object
	// GotSHA256 and GotSize are what the stored bytes have.
	GotSHA256 string
	GotSize   int64
}

// Failure is an object that could not be read to its end.
type Failure struct {
	Object Object
	Err    error
}

// Report is the outcome of a run.
type Report struct {
	Run          int
	RunsPerCycle int
	// Checked counts the objects read to their end and compared, Bytes
	// what was read (of unreadable objects too).
	Checked int
	Bytes   int64
	// The problems: objects whose bytes differ from the recorded ones,
	// objects the bucket does not have, objects that could not be read.
	Mismatched, Missing, Failed int
	// Up to MaxDetails problems of each kind, by institution then SHA-256.
	Mismatches     []Mismatch
	MissingObjects []Object
	Failures       []Failure
}

// OK reports whether every object of the run was found intact.
func (r Report) OK() bool { return r.Mismatched == 0 && r.Missing == 0 && r.Failed == 0 }

// String is a one-line summary for logs and alerts.
func (r Report) String() string {
	verdict := "OK"
	if !r.OK() {
		verdict = fmt.Sprintf("%d mismatched, %d missing, %d unreadable", r.Mismatched, r.Missing, r.Failed)
	}
	return fmt.Sprintf("fixity run %d of %d: %d objects checked, %s read: %s",
		r.Run+1, r.RunsPerCycle, r.Checked, formatBytes(r.Bytes), verdict)
}

func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// epoch is the Monday (UTC) from which runs are numbered.
var epoch = time.Date(1970, time.January, 5, 0, 0, 0, 0, time.UTC)

// RunNumber is the run a weekly job does at now: the number of weeks since
// a Monday, 00:00 UTC, modulo runsPerCycle. Schedule the job away from that
// hour (in UTC), so that a daylight-saving shift of a local schedule does
// not move it into the next or previous week.
func RunNumber(now time.Time, runsPerCycle int) int {
	if runsPerCycle <= 1 {
		return 0
	}
	const week = 7 * 24 * time.Hour
	since := now.Sub(epoch)
	weeks := since / week
	if since < 0 && since%week != 0 {
		weeks-- // the division truncates toward zero, and a week starts on its Monday
	}
	run := int64(weeks) % int64(runsPerCycle)
	if run < 0 {
		run += int64(runsPerCycle)
	}
	return int(run)
}

// ParseShare reads the share of the objects a weekly run checks and returns
// the runs per cycle. A fraction ("1/4", "0.25", "25%") gives as many runs
// as checking at least that share each time allows (0.3 gives 3); a whole
// number is the weeks of the cycle itself ("4": a quarter each week, "1":
// everything every week).
func ParseShare(s string) (int, error) {
	fail := func(why string) (int, error) {
		return 0, fmt.Errorf("fixity share %q: %s", s, why)
	}
	t := strings.TrimSpace(s)
	percent := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	share, ok := new(big.Rat).SetString(t)
	if !ok || t == "" {
		return fail(`want a fraction ("1/4", "0.25", "25%") or a number of weeks ("4")`)
	}
	if percent {
		share.Quo(share, big.NewRat(100, 1))
	}
	if share.Sign() <= 0 {
		return fail("must be more than nothing")
	}
	var runs *big.Int
	switch {
	case !percent && share.IsInt():
		runs = share.Num() // weeks per cycle
	case share.Cmp(big.NewRat(1, 1)) > 0:
		return fail("a fraction must be at most 1")
	default:
		runs = new(big.Int).Quo(share.Denom(), share.Num()) // the largest n with 1/n >= share
	}
	if !runs.IsInt64() || runs.Int64() > MaxRunsPerCycle {
		return fail(fmt.Sprintf("at most %d runs per cycle", MaxRunsPerCycle))
	}
	return int(runs.Int64()), nil
}

func (c *Checker) runsPerCycle() int { return max(c.RunsPerCycle, 1) }

func (c *Checker) concurrency() int {
	if c.Concurrency <= 0 {
		return DefaultConcurrency
	}
	return c.Concurrency
}

func (c *Checker) batch() int {
	if c.pageSize > 0 {
		return c.pageSize
	}
	return batchSize
}

func (c *Checker) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// sliceOf is the range [lo, hi) of the first 32 bits of the SHA-256 that
// the objects of a run have. The ranges of a cycle's runs are adjacent and
// cover every value, so each object falls in exactly one. (SQL compares
// the hex SHA-256 with the bounds written as 8 hex digits, which orders
// them the same way.)
func sliceOf(run, runs int) (lo, hi int64) {
	return int64(run) << 32 / int64(runs), int64(run+1) << 32 / int64(runs)
}

// Run checks the objects of run (from 0 to RunsPerCycle-1; see RunNumber):
// it lists them in batches, each in a short transaction, and reads each
// object from S3 outside any transaction, streaming it through SHA-256 with
// bounded memory. Problems with objects are in the report; the error is for
// a run that could not be done (the database or the bucket unreachable,
// a bucket that does not exist, ctx cancelled), with the report so far.
func (c *Checker) Run(ctx context.Context, run int) (Report, error) {
	runs := c.runsPerCycle()
	rep := Report{Run: run, RunsPerCycle: runs}
	if runs > MaxRunsPerCycle {
		return rep, fmt.Errorf("fixity: %d runs per cycle, at most %d", runs, MaxRunsPerCycle)
	}
	if run < 0 || run >= runs {
		return rep, fmt.Errorf("fixity: run %d out of a cycle of %d", run, runs)
	}
	lo, hi := sliceOf(run, runs)

	g, gctx := errgroup.WithContext(ctx)
	objects := make(chan Object, c.batch())
	g.Go(func() error {
		defer close(objects)
		return c.list(gctx, lo, hi, func(o Object) error {
			select {
			case objects <- o:
				return nil
			case <-gctx.Done():
				return context.Cause(gctx)
			}
		})
	})
	var mu sync.Mutex
	consecutiveFailures := 0
	for range c.concurrency() {
		g.Go(func() error {
			for o := range objects {
				if c.checked != nil {
					c.checked(o)
				}
				res, err := c.check(gctx, o)
				if err != nil {
					return err
				}
				mu.Lock()
				rep.add(o, res)
				if res.err != nil {
					consecutiveFailures++
				} else {
					consecutiveFailures = 0
				}
				stop := consecutiveFailures >= maxConsecutiveFailures
				mu.Unlock()
				if stop {
					return fmt.Errorf("%d reads failed in a row, the last: %w", maxConsecutiveFailures, res.err)
				}
			}
			return nil
		})
	}
	err := g.Wait()
	rep.sort()
	if err != nil {
		return rep, fmt.Errorf("fixity run %d of %d: %w", run+1, runs, err)
	}
	return rep, nil
}

// result is what reading one object found.
type result struct {
	bytes   int64
	missing bool
	sha256  string // of the bytes read, when read to the end
	err     error  // the object could not be read
}

// check reads one object. The error is for what stops the run: ctx
// cancelled, or a bucket that does not exist (which would otherwise report
// every object missing).
func (c *Checker) check(ctx context.Context, o Object) (result, error) {
	body, _, err := c.Blob.Get(ctx, c.Bucket, o.Key)
	if err != nil {
		var apiErr smithy.APIError
		switch {
		case ctx.Err() != nil:
			return result{}, context.Cause(ctx)
		case errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchBucket":
			return result{}, fmt.Errorf("bucket %s: %w", c.Bucket, err)
		case errors.Is(err, blob.ErrNotFound):
			return result{missing: true}, nil
		default:
			return result{err: err}, nil
		}
	}
	defer body.Close()
	h := sha256.New()
	n, err := io.Copy(h, body)
	if err != nil {
		if ctx.Err() != nil {
			return result{}, context.Cause(ctx)
		}
		return result{bytes: n, err: fmt.Errorf("read %s: %w", o.Key, err)}, nil
	}
	return result{bytes: n, sha256: hex.EncodeToString(h.Sum(nil))}, nil
}

func (r *Report) add(o Object, res result) {
	r.Bytes += res.bytes
	switch {
	case res.missing:
		r.Missing++
		if len(r.MissingObjects) < MaxDetails {
			r.MissingObjects = append(r.MissingObjects, o)
		}
	case res.err != nil:
		r.Failed++
		if len(r.Failures) < MaxDetails {
			r.Failures = append(r.Failures, Failure{Object: o, Err: res.err})
		}
	default:
		r.Checked++
		if res.sha256 != o.SHA256 || res.bytes != o.Size {
			r.Mismatched++
			if len(r.Mismatches) < MaxDetails {
				r.Mismatches = append(r.Mismatches, Mismatch{Object: o, GotSHA256: res.sha256, GotSize: res.bytes})
			}
		}
	}
}

// sort orders the details as the objects are listed: the workers finish in
// any order.
func (r *Report) sort() {
	slices.SortFunc(r.Mismatches, func(a, b Mismatch) int { return compare(a.Object, b.Object) })
	slices.SortFunc(r.MissingObjects, compare)
	slices.SortFunc(r.Failures, func(a, b Failure) int { return compare(a.Object, b.Object) })
}
