// Package load measures the platform under sustained load on the test
// stack's real services. Runs are long, so they are benchmarks (`make
// bench`), recorded in BENCHMARKS.md with their method, and never timing
// assertions in `make test`.
package load

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// RegistrationScript is the pgbench script doing at the database level what
// one registry.Record in db.TenantTx does.
//
//go:embed registration.sql
var RegistrationScript []byte

// RegistrationDB is the database both sides of a comparison work in. It
// must hold the platform's schema (migrated).
type RegistrationDB struct {
	// OwnerURL connects as the superuser or the schema owner: it creates the
	// institution and reads the registers back for the numbering check.
	OwnerURL string
	// AppURL connects as the functions' role (ghiseu_app, or a login role
	// that is a member of it), which owns no table, so row-level security
	// applies to both sides as in production.
	AppURL string
}

// RegistrationConfig is one comparison: the same clients and duration for
// each side.
type RegistrationConfig struct {
	Clients int
	// Duration of each side.
	Duration time.Duration
	// Rounds splits each side's duration into this many turns, pgbench then
	// Go, alternating (1 when zero). The machine is shared: a build or a
	// test suite started by someone else during one long turn would count
	// against that side only, while alternating short turns spread it over
	// both. Duration/Rounds must be whole seconds.
	Rounds int
	// Pgbench is the pgbench binary; empty means the one beside the
	// PostgreSQL server the test stack runs (PG_BINDIR or the newest
	// /usr/lib/postgresql/*/bin), so client and server versions match.
	Pgbench string
}

// RegistrationSide is what one side achieved in its own register.
type RegistrationSide struct {
	Name     string
	Register uuid.UUID
	// Registrations as the side counted them: Go its commits, pgbench its
	// transactions (which include the rare one rolled back at New Year).
	Registrations int64
	// Elapsed is the side's measured time over all its rounds: for
	// pgbench its own clock without connection time (transactions / its
	// "tps (without initial connection time)"); for Go from the first
	// worker's start to the last one's end, with the pool's connections
	// opened beforehand, which is the same measure.
	Elapsed time.Duration
	// Rate is Registrations / Elapsed, per second.
	Rate      float64
	Numbering RegisterNumbering
}

// RegisterNumbering is what a register holds after a run.
type RegisterNumbering struct {
	Entries int64
	// Last is the highest number registered (summed over years, should the
	// run straddle New Year in Bucharest).
	Last int64
	// Gaps counts numbers in 1..Last with no entry, plus numbers the
	// counter gave past Last without an entry.
	Gaps       int64
	Duplicates int64
	// OutOfOrder counts entries registered earlier than the number before.
	OutOfOrder int64
	// Stray counts entries of a year the counter never numbered.
	Stray int64
}

// OK reports whether the register is numbered 1..N, each number once, in
// the order of registration time.
func (n RegisterNumbering) OK() bool {
	return n.Gaps == 0 && n.Duplicates == 0 && n.OutOfOrder == 0 && n.Stray == 0 && n.Entries == n.Last
}

// RegistrationResult is one side-by-side comparison.
type RegistrationResult struct {
	Clients  int
	Duration time.Duration
	Rounds   int
	// LoadAverage is the machine's one-minute load average before and
	// after the run: on two cores, anything much above the run's own load
	// (about 1) means someone else's work competed with it.
	LoadAverage [2]float64
	Pgbench     RegistrationSide
	Go          RegistrationSide
	// Ratio is the Go rate over the pgbench rate; the target is at least 0.7.
	Ratio float64
}

// Table renders the result for a person.
func (r RegistrationResult) Table() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "registration throughput, one hot register: %d clients, %s per side in %d alternating turns; load average %.2f before, %.2f after\n",
		r.Clients, r.Duration, r.Rounds, r.LoadAverage[0], r.LoadAverage[1])
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "side\tregistrations\tseconds\tregs/s\tlast number\tgaps\tduplicates\tout of order\t")
	for _, s := range []RegistrationSide{r.Pgbench, r.Go} {
		fmt.Fprintf(w, "%s\t%d\t%.1f\t%.1f\t%d\t%d\t%d\t%d\t\n", s.Name, s.Registrations, s.Elapsed.Seconds(), s.Rate,
			s.Numbering.Last, s.Numbering.Gaps, s.Numbering.Duplicates, s.Numbering.OutOfOrder)
	}
	_ = w.Flush() // writes into a bytes.Buffer, which does not fail
	fmt.Fprintf(&b, "go/pgbench = %.2f (target ≥ 0.70)\n", r.Ratio)
	return b.String()
}

// CompareRegistration runs the side by side: a fresh institution with two
// fresh registers, then pgbench registering into the first for the
// configured clients and duration, then the Go driver (registry.Record in
// db.TenantTx, with the application login) into the second for the same,
// in as many alternating rounds as configured, and finally the numbering
// check of both. Sides never run at the same time, so neither competes
// with the other for the machine's two cores.
func CompareRegistration(ctx context.Context, d RegistrationDB, cfg RegistrationConfig) (RegistrationResult, error) {
	rounds := max(cfg.Rounds, 1)
	res := RegistrationResult{Clients: cfg.Clients, Duration: cfg.Duration, Rounds: rounds}
	if cfg.Clients < 1 {
		return res, fmt.Errorf("registration load: %d clients: need at least one", cfg.Clients)
	}
	turn := cfg.Duration / time.Duration(rounds)
	secs := int(turn / time.Second)
	if secs < 1 || turn%time.Second != 0 {
		return res, fmt.Errorf("registration load: %s in %d rounds: each turn must be a whole number of seconds (pgbench -T)", cfg.Duration, rounds)
	}
	pgbench := cfg.Pgbench
	if pgbench == "" {
		bin, err := localstack.PostgresBinDir()
		if err != nil {
			return res, fmt.Errorf("registration load: find pgbench: %w", err)
		}
		pgbench = filepath.Join(bin, "pgbench")
	}

	owner, err := pgx.Connect(ctx, d.OwnerURL)
	if err != nil {
		return res, fmt.Errorf("registration load: connect as owner: %w", err)
	}
	defer owner.Close(context.Background())
	// The same pool the functions open (db.Open), sized to the clients like
	// pgbench's one connection per client: with fewer connections than
	// workers the Go side would measure queueing for the pool instead.
	app, err := db.Open(ctx, db.PoolConfig{DatabaseURL: d.AppURL, MaxConns: int32(cfg.Clients)})
	if err != nil {
		return res, fmt.Errorf("registration load: %w", err)
	}
	defer app.Close()

	inst, registers, err := setUpRegisters(ctx, owner, app, "PGBENCH", "GO")
	if err != nil {
		return res, fmt.Errorf("registration load: set up: %w", err)
	}
	res.Pgbench = RegistrationSide{Name: "pgbench", Register: registers[0]}
	res.Go = RegistrationSide{Name: "go", Register: registers[1]}
	res.LoadAverage[0] = loadAverage()
	for range rounds {
		n, tps, _, err := RunRegistrationPgbench(ctx, pgbench, d.AppURL, inst, res.Pgbench.Register, cfg.Clients, secs)
		if err != nil {
			return res, fmt.Errorf("registration load: %w", err)
		}
		res.Pgbench.Registrations += n
		// pgbench's own clock, without its connection time: n / tps.
		if tps > 0 {
			res.Pgbench.Elapsed += time.Duration(float64(n) / tps * float64(time.Second))
		}
		n, elapsed, err := RunRegistrationLoad(ctx, app, inst, res.Go.Register, cfg.Clients, turn)
		if err != nil {
			return res, fmt.Errorf("registration load: %w", err)
		}
		res.Go.Registrations += n
		res.Go.Elapsed += elapsed
	}
	res.LoadAverage[1] = loadAverage()
	for _, s := range []*RegistrationSide{&res.Pgbench, &res.Go} {
		if s.Elapsed > 0 {
			s.Rate = float64(s.Registrations) / s.Elapsed.Seconds()
		}
		if s.Numbering, err = CheckNumbering(ctx, owner, inst, s.Register); err != nil {
			return res, fmt.Errorf("registration load: %s side: %w", s.Name, err)
		}
	}
	if res.Pgbench.Rate > 0 {
		res.Ratio = res.Go.Rate / res.Pgbench.Rate
	}
	return res, nil
}

// loadAverage is the one-minute load average, or 0 where /proc has none:
// it only annotates the result.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}

// setUpRegisters creates an institution (as the platform would, in platform
// scope) and, through the functions' role, one incoming register per code.
func setUpRegisters(ctx context.Context, owner *pgx.Conn, app *pgxpool.Pool, codes ...string) (uuid.UUID, []uuid.UUID, error) {
	inst := uuid.New()
	// A fiscal code unique to this run: the column is unique across tenants.
	cif := strconv.FormatUint(uint64(inst.ID())%1_000_000_000, 10)
	err := db.PlatformTx(ctx, owner, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO institution (id, cif, name) VALUES ($1, $2, 'Primăria Lugoj (load)')`, inst, cif)
		return err
	})
	if err != nil {
		return uuid.Nil, nil, fmt.Errorf("institution: %w", err)
	}
	registers := make([]uuid.UUID, len(codes))
	err = db.TenantTx(ctx, app, inst, func(tx pgx.Tx) error {
		for i, code := range codes {
			registers[i] = uuid.New()
			r := registry.Register{Institution: inst, ID: registers[i], Code: code, Name: "Intrări " + code, Kind: "incoming"}
			if err := registry.CreateRegister(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return uuid.Nil, nil, fmt.Errorf("registers: %w", err)
	}
	return inst, registers, nil
}

// RunRegistrationLoad is the Go load driver: clients workers, each
// registering one document after another with registry.Record inside
// db.TenantTx on pool (the functions' role), into one register, until
// duration has passed. A registration under way when time is up finishes,
// as in pgbench -T. It returns the registrations committed and the time
// from the start to the last worker's end. The pool's connections are
// opened before the clock starts, as pgbench connects before its clock.
func RunRegistrationLoad(ctx context.Context, pool *pgxpool.Pool, institution, register uuid.UUID, clients int, duration time.Duration) (int64, time.Duration, error) {
	if err := warmPool(ctx, pool, clients); err != nil {
		return 0, 0, fmt.Errorf("go load: %w", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var committed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(duration)
	for range clients {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil {
				err := db.TenantTx(ctx, pool, institution, func(tx pgx.Tx) error {
					_, err := registry.Record(ctx, tx, registry.Entry{
						Institution: institution, Register: register, Direction: "incoming", Channel: "counter",
						Sender: "Ion Popescu", Subject: "Cerere de informații publice conform Legii 544/2001",
						Pages: 1 + int(committed.Load()%12),
					}, time.Time{})
					return err
				})
				switch {
				case err == nil:
					committed.Add(1)
				case errors.Is(err, registry.ErrYearChanged):
					// New Year passed while waiting for the number: rolled
					// back, register again, as the functions do.
				default:
					cancel(fmt.Errorf("register: %w", err))
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return committed.Load(), elapsed, fmt.Errorf("go load: %w", err)
	}
	return committed.Load(), elapsed, nil
}

// warmPool opens n connections by holding n at once.
func warmPool(ctx context.Context, pool *pgxpool.Pool, n int) error {
	conns := make([]*pgxpool.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for range n {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("open pool connections: %w", err)
		}
		conns = append(conns, c)
	}
	return nil
}

var (
	pgbenchProcessed = regexp.MustCompile(`(?m)^number of transactions actually processed: (\d+)`)
	pgbenchTPS       = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \(without initial connection time\)`)
)

// RunRegistrationPgbench runs pgbench with RegistrationScript: clients
// connections, each on its own thread (-j) so that no client waits for
// another's turn on a thread, for secs seconds, connecting with appURL so
// row-level security applies as it does to the functions. The password
// goes through PGPASSWORD, not the command line (where ps shows it). It
// returns the transactions pgbench processed, its rate and the wall time
// of the run.
func RunRegistrationPgbench(ctx context.Context, pgbench, appURL string, institution, register uuid.UUID, clients, secs int) (int64, float64, time.Duration, error) {
	fail := func(err error) (int64, float64, time.Duration, error) {
		return 0, 0, 0, fmt.Errorf("pgbench: %w", err)
	}
	script, err := os.CreateTemp("", "registration-*.sql")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(script.Name())
	if _, err := script.Write(RegistrationScript); err != nil {
		script.Close()
		return fail(fmt.Errorf("write script: %w", err))
	}
	if err := script.Close(); err != nil {
		return fail(fmt.Errorf("write script: %w", err))
	}
	u, err := url.Parse(appURL)
	if err != nil {
		return fail(errors.New("the application URL is not a URL"))
	}
	password, _ := u.User.Password()
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}

	cmd := exec.CommandContext(ctx, pgbench, "-n", "-M", "prepared", "-f", script.Name(),
		"-c", strconv.Itoa(clients), "-j", strconv.Itoa(clients), "-T", strconv.Itoa(secs),
		"-D", "inst="+institution.String(), "-D", "reg="+register.String(), u.String())
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)
	if err != nil {
		return fail(fmt.Errorf("%w:\n%s", err, out.String()))
	}
	processed := pgbenchProcessed.FindSubmatch(out.Bytes())
	tps := pgbenchTPS.FindSubmatch(out.Bytes())
	if processed == nil || tps == nil {
		return fail(fmt.Errorf("no transaction count or tps in its output:\n%s", out.String()))
	}
	n, err := strconv.ParseInt(string(processed[1]), 10, 64)
	if err != nil {
		return fail(fmt.Errorf("transaction count: %w", err))
	}
	rate, err := strconv.ParseFloat(string(tps[1]), 64)
	if err != nil {
		return fail(fmt.Errorf("tps: %w", err))
	}
	return n, rate, elapsed, nil
}

// CheckNumbering reads a register back in platform scope (row-level
// security is forced on the owner too) and counts what breaks the rules of
// numbering: gaps, duplicates, numbers out of registration order, and
// numbers the counter gave that no entry holds.
func CheckNumbering(ctx context.Context, conn *pgx.Conn, institution, register uuid.UUID) (RegisterNumbering, error) {
	var n RegisterNumbering
	err := db.PlatformTx(ctx, conn, func(tx pgx.Tx) error {
		// Per year, from the counter (a register-year the counter knows may
		// have no entry at all: every number it gave is then a gap).
		rows, err := tx.Query(ctx, `
			SELECT c.last_number, count(e.number), count(DISTINCT e.number), coalesce(max(e.number), 0),
				count(*) FILTER (WHERE e.registered_at < e.previous_at)
			FROM register_counter c
			LEFT JOIN (SELECT year, number, registered_at,
			                  lag(registered_at) OVER (PARTITION BY year ORDER BY number) AS previous_at
			           FROM registry_entry WHERE institution_id = $1 AND register_id = $2) e ON e.year = c.year
			WHERE c.institution_id = $1 AND c.register_id = $2
			GROUP BY c.year, c.last_number`, institution, register)
		if err != nil {
			return err
		}
		var counter, entries, distinct, last, outOfOrder int64
		_, err = pgx.ForEachRow(rows, []any{&counter, &entries, &distinct, &last, &outOfOrder}, func() error {
			n.Entries += entries
			n.Last += last
			n.Duplicates += entries - distinct
			n.Gaps += last - distinct + max(0, counter-last)
			n.OutOfOrder += outOfOrder
			return nil
		})
		if err != nil {
			return err
		}
		var orphans int64
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM registry_entry e WHERE institution_id = $1 AND register_id = $2
			AND NOT EXISTS (SELECT FROM register_counter c WHERE c.institution_id = e.institution_id
			                AND c.register_id = e.register_id AND c.year = e.year)`, institution, register).Scan(&orphans); err != nil {
			return err
		}
		n.Entries += orphans
		n.Stray = orphans
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("check numbering of register %s: %w", register, err)
	}
	return n, nil
}
