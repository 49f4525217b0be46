// Command registration-load measures registration throughput on one hot
// register, pgbench against the platform's Go code, side by side, and
// prints a table (the method is in BENCHMARKS.md):
//
//	bin/devstack exec -- go run ./tests/load/cmd/registration-load -clients 1,8,32 -duration 30s
//
// It needs a PostgreSQL superuser URL (-database-url, by default
// TEST_DATABASE_URL, which devstack exec sets). For each client count it
// creates a scratch database with the platform's schema and a login role
// that is a member of ghiseu_app (as the migrations allow functions to
// connect), so it changes nothing an existing database or role relies on,
// and drops both afterwards.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db/migrations"
	"github.com/ghiseu/ghiseu/tests/load"
)

func main() {
	clients := flag.String("clients", "16", "comma-separated client counts, one comparison each")
	duration := flag.Duration("duration", 30*time.Second, "duration of each side")
	rounds := flag.Int("rounds", 6, "alternating turns each side's duration is split into (whole seconds each)")
	databaseURL := flag.String("database-url", os.Getenv("TEST_DATABASE_URL"), "PostgreSQL superuser URL (default $TEST_DATABASE_URL)")
	pgbench := flag.String("pgbench", "", "pgbench binary (default: beside the server's binaries)")
	flag.Parse()

	var counts []int
	for _, f := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "registration-load: -clients %q: want positive integers separated by commas\n", *clients)
			os.Exit(2)
		}
		counts = append(counts, n)
	}
	if *databaseURL == "" {
		fmt.Fprintln(os.Stderr, "registration-load: no -database-url and no TEST_DATABASE_URL: run it under `bin/devstack exec --`")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := run(ctx, *databaseURL, counts, load.RegistrationConfig{Duration: *duration, Rounds: *rounds, Pgbench: *pgbench})
	if err != nil {
		fmt.Fprintln(os.Stderr, "registration-load:", err)
		os.Exit(1)
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "registration-load: a register is not numbered 1..N once each in registration order")
		os.Exit(1)
	}
}

// run compares for each client count, each in a scratch database of its
// own (so one count's rows do not slow the next one's inserts), prints each
// comparison and then the summary, and reports whether every register came
// out gapless.
func run(ctx context.Context, adminURL string, counts []int, cfg load.RegistrationConfig) (bool, error) {
	ok := true
	var results []load.RegistrationResult
	for _, n := range counts {
		cfg.Clients = n
		res, err := compareIn(ctx, adminURL, cfg)
		if err != nil {
			return false, fmt.Errorf("%d clients: %w", n, err)
		}
		fmt.Println(res.Table())
		ok = ok && res.Pgbench.Numbering.OK() && res.Go.Numbering.OK()
		results = append(results, res)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "clients\tpgbench regs/s\tgo regs/s\tgo/pgbench\tgaps\tduplicates\tload avg\t")
	for _, r := range results {
		fmt.Fprintf(w, "%d\t%.1f\t%.1f\t%.2f\t%d\t%d\t%.1f–%.1f\t\n", r.Clients, r.Pgbench.Rate, r.Go.Rate, r.Ratio,
			r.Pgbench.Numbering.Gaps+r.Go.Numbering.Gaps, r.Pgbench.Numbering.Duplicates+r.Go.Numbering.Duplicates,
			r.LoadAverage[0], r.LoadAverage[1])
	}
	return ok, w.Flush()
}

// compareIn runs one comparison in a scratch database dropped afterwards.
func compareIn(ctx context.Context, adminURL string, cfg load.RegistrationConfig) (res load.RegistrationResult, err error) {
	scratch, cleanup, err := scratchDatabase(ctx, adminURL)
	if err != nil {
		return res, err
	}
	defer func() {
		if cerr := cleanup(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	return load.CompareRegistration(ctx, scratch, cfg)
}

// scratchDatabase creates a database with the platform's schema and a
// login role in ghiseu_app, and returns their URLs and how to drop them.
func scratchDatabase(ctx context.Context, adminURL string) (load.RegistrationDB, func() error, error) {
	var d load.RegistrationDB
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return d, nil, fmt.Errorf("connect as superuser: %w", err)
	}
	suffix := randomHex(6)
	name, role, password := "registration_load_"+suffix, "registration_load_"+suffix, randomHex(16)
	cleanup := func() error {
		defer admin.Close(context.Background())
		// Not ctx: an interrupted run still drops what it made.
		bg := context.Background()
		var errs []error
		if _, err := admin.Exec(bg, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			errs = append(errs, fmt.Errorf("drop scratch database %s: %w", name, err))
		}
		if _, err := admin.Exec(bg, "DROP ROLE IF EXISTS "+role); err != nil {
			errs = append(errs, fmt.Errorf("drop scratch role %s: %w", role, err))
		}
		return errors.Join(errs...)
	}
	fail := func(err error) (load.RegistrationDB, func() error, error) {
		return d, nil, errors.Join(err, cleanup())
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return fail(fmt.Errorf("create scratch database: %w", err))
	}
	if d.OwnerURL, err = withDatabase(adminURL, name, nil); err != nil {
		return fail(err)
	}
	conn, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		return fail(fmt.Errorf("connect to scratch database: %w", err))
	}
	err = migrations.Apply(ctx, conn)
	conn.Close(ctx)
	if err != nil {
		return fail(fmt.Errorf("migrate scratch database: %w", err))
	}
	// The migrations create ghiseu_app; a member of it has its rights and,
	// owning no table, stays under row-level security like the functions.
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s' IN ROLE ghiseu_app", role, password)); err != nil {
		return fail(fmt.Errorf("create scratch role: %w", err))
	}
	if d.AppURL, err = withDatabase(adminURL, name, url.UserPassword(role, password)); err != nil {
		return fail(err)
	}
	return d, cleanup, nil
}

func withDatabase(base, name string, user *url.Userinfo) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", errors.New("the database URL is not a URL")
	}
	u.Path = "/" + name
	if user != nil {
		u.User = user
	}
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on Linux (crypto/rand)
	return hex.EncodeToString(b)
}
