// Command audit checks the audit trail.
//
//	audit verify [-institution UUID]
//
// verify recomputes the hash chain of every institution (or of one; the
// platform chain is 00000000-0000-0000-0000-000000000000), prints one line
// per chain and exits 1 naming the first broken row when a chain is broken.
//
// It then compares every chain with the newest anchor of the chains' heads
// that nightly-backup writes to the backup bucket (shared/audit/anchor), so
// that a tail deleted and a head moved back by a superuser, which leave the
// chain verifying by itself, are reported naming the first missing row.
//
// It reads DATABASE_URL, falling back to what a running `make run` recorded.
// The application role is enough: verification runs in platform scope. The
// anchors are read from S3_BUCKET_BACKUPS (ghiseu-backups) at
// BACKUP_S3_ENDPOINT with BACKUP_S3_ACCESS_KEY_ID, BACKUP_S3_SECRET_ACCESS_KEY
// and BACKUP_S3_REGION, each falling back to its S3_* variable as for
// nightly-backup; with no endpoint the chains are verified by themselves and
// the output says the anchors were not checked.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/audit/anchor"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db"
)

const usage = "usage: audit verify [-institution UUID]"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "audit:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	institution := fs.String("institution", "", "verify only this institution's chain")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(usage)
	}
	var one uuid.UUID
	if *institution != "" {
		var err error
		if one, err = uuid.Parse(*institution); err != nil {
			return fmt.Errorf("-institution %q is not a UUID", *institution)
		}
	}

	dbURL := localstack.Getenv("DATABASE_URL")
	if dbURL == "" {
		return errors.New("DATABASE_URL is not set (and no local stack is running)")
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		// The parse error may echo the URL with its password.
		return errors.New("DATABASE_URL is not a valid connection string")
	}
	defer pool.Close()

	newest, anchored, note, err := newestAnchor(ctx)
	if err != nil {
		return err
	}
	if *institution != "" {
		newest = newest.Only(one)
	}
	var results []audit.Result
	err = db.PlatformTx(ctx, db.Snapshot{Pool: pool}, func(tx pgx.Tx) error {
		var err error
		if *institution == "" {
			results, err = audit.VerifyAll(ctx, tx)
		} else {
			var res audit.Result
			res, err = audit.Verify(ctx, tx, one)
			results = []audit.Result{res}
		}
		if err != nil || !anchored {
			return err
		}
		results, err = anchor.Check(ctx, tx, newest, results)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, note)
	return report(out, results)
}

// newestAnchor reads the newest anchor of the chains' heads; anchored is
// false when there is none to check against, and note says what was
// checked, for the output.
func newestAnchor(ctx context.Context) (a anchor.Anchor, anchored bool, note string, err error) {
	env := func(name string) string {
		if v := localstack.Getenv("BACKUP_" + name); v != "" {
			return v
		}
		return localstack.Getenv(name)
	}
	cfg := blob.StoreConfig{Endpoint: env("S3_ENDPOINT"), Region: env("S3_REGION"),
		AccessKeyID: env("S3_ACCESS_KEY_ID"), SecretAccessKey: env("S3_SECRET_ACCESS_KEY")}
	if cfg.Endpoint == "" {
		return a, false, "anchors not checked: BACKUP_S3_ENDPOINT (or S3_ENDPOINT) is not set; the chains are verified by themselves only", nil
	}
	bucket := localstack.Getenv("S3_BUCKET_BACKUPS")
	if bucket == "" {
		bucket = "ghiseu-backups"
	}
	store, err := blob.New(ctx, cfg)
	if err != nil {
		return a, false, "", fmt.Errorf("backup bucket: %w", err)
	}
	a, ok, err := (&anchor.Store{Blob: store, Bucket: bucket}).Newest(ctx)
	if err != nil {
		return a, false, "", err
	}
	if !ok {
		return a, false, fmt.Sprintf("anchors not checked: %s holds none yet; the chains are verified by themselves only", bucket), nil
	}
	return a, true, fmt.Sprintf("anchor %s/%s (taken %s, %d chains) checked", bucket, a.Key, a.TakenAt.Format(time.RFC3339), len(a.Chains)), nil
}

// report prints one line per chain and returns an error naming the first
// broken row of the first broken chain.
func report(out io.Writer, results []audit.Result) error {
	var first *audit.Result
	broken := 0
	for i, r := range results {
		if r.OK() {
			fmt.Fprintf(out, "%s  %d rows  ok\n", r.Institution, r.Rows)
			continue
		}
		fmt.Fprintf(out, "%s  %d rows  BROKEN at seq %d: %s\n", r.Institution, r.Rows, *r.FirstBroken, r.Reason)
		if first == nil {
			first = &results[i]
		}
		broken++
	}
	if len(results) == 0 {
		fmt.Fprintln(out, "no audit chains")
	}
	if first == nil {
		return nil
	}
	err := fmt.Errorf("chain %s is broken at seq %d: %s", first.Institution, *first.FirstBroken, first.Reason)
	if broken > 1 {
		err = fmt.Errorf("%w (and %d more broken chains)", err, broken-1)
	}
	return err
}
