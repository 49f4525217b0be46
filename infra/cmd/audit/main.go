// Command audit checks the audit trail.
//
//	audit verify [-institution UUID]
//
// verify recomputes the hash chain of every institution (or of one; the
// platform chain is 00000000-0000-0000-0000-000000000000), prints one line
// per chain and exits 1 naming the first broken row when a chain is broken.
//
// It reads DATABASE_URL, falling back to what a running `make run` recorded.
// The application role is enough: verification runs in platform scope.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/audit"
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

	var results []audit.Result
	err = db.PlatformTx(ctx, db.Snapshot{Pool: pool}, func(tx pgx.Tx) error {
		if *institution == "" {
			var err error
			results, err = audit.VerifyAll(ctx, tx)
			return err
		}
		res, err := audit.Verify(ctx, tx, one)
		results = []audit.Result{res}
		return err
	})
	if err != nil {
		return err
	}
	return report(out, results)
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
