package load_test

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/tests/load"
)

// The benchmark's settings; `make bench` passes realistic ones, and
// BENCHMARKS.md was measured with -registration.clients=1,8,32.
var (
	registrationClients  = flag.String("registration.clients", "16", "comma-separated client counts, one sub-benchmark each")
	registrationDuration = flag.Duration("registration.duration", 30*time.Second, "duration of each side")
	registrationRounds   = flag.Int("registration.rounds", 6, "alternating turns each side's duration is split into (whole seconds each)")
)

// The side by side in small: both sides register, and both registers come
// out numbered 1..N without gap, duplicate or inversion. It measures
// nothing: speed is the benchmark's (make bench, BENCHMARKS.md).
func TestRegistrationSideBySideIsGapless(t *testing.T) {
	d := dbtest.New(t)
	res, err := load.CompareRegistration(context.Background(), load.RegistrationDB{OwnerURL: d.OwnerURL, AppURL: d.AppURL},
		load.RegistrationConfig{Clients: 8, Duration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Table())
	for _, s := range []load.RegistrationSide{res.Pgbench, res.Go} {
		if s.Registrations == 0 {
			t.Errorf("%s registered nothing", s.Name)
		}
		if !s.Numbering.OK() {
			t.Errorf("%s register: %+v, want numbers 1..N once each, in registration order", s.Name, s.Numbering)
		}
	}
	// Every registration Go counted is in its register. pgbench counts
	// transactions, which include the rare one rolled back at New Year, so
	// its register may hold fewer, never more.
	if res.Go.Numbering.Entries != res.Go.Registrations {
		t.Errorf("go counted %d registrations, its register holds %d", res.Go.Registrations, res.Go.Numbering.Entries)
	}
	if res.Pgbench.Numbering.Entries > res.Pgbench.Registrations {
		t.Errorf("pgbench processed %d transactions, its register holds %d entries", res.Pgbench.Registrations, res.Pgbench.Numbering.Entries)
	}
}

// BenchmarkRegistrationThroughput compares, per client count, pgbench
// running registration.sql with the Go driver (registry.Record in
// db.TenantTx) on one hot register each, in one database, one side after
// the other in alternating turns. Run it with -benchtime 1x: one
// comparison is already 2 × registration.duration long.
func BenchmarkRegistrationThroughput(b *testing.B) {
	var counts []int
	for _, f := range strings.Split(*registrationClients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("-registration.clients %q: want positive integers separated by commas", *registrationClients)
		}
		counts = append(counts, n)
	}
	for _, clients := range counts {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			// A database per client count, so one run's rows do not slow
			// the next one's inserts.
			d := dbtest.New(b)
			var goRate, pgbenchRate, gaps, duplicates float64
			for range b.N {
				res, err := load.CompareRegistration(context.Background(), load.RegistrationDB{OwnerURL: d.OwnerURL, AppURL: d.AppURL},
					load.RegistrationConfig{Clients: clients, Duration: *registrationDuration, Rounds: *registrationRounds})
				if err != nil {
					b.Fatal(err)
				}
				b.Log("\n" + res.Table())
				for _, s := range []load.RegistrationSide{res.Pgbench, res.Go} {
					if !s.Numbering.OK() {
						b.Errorf("%s register: %+v, want numbers 1..N once each, in registration order", s.Name, s.Numbering)
					}
					gaps += float64(s.Numbering.Gaps)
					duplicates += float64(s.Numbering.Duplicates)
				}
				goRate += res.Go.Rate
				pgbenchRate += res.Pgbench.Rate
			}
			// Whole runs, not operations, are what is measured.
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(goRate/float64(b.N), "go-regs/s")
			b.ReportMetric(pgbenchRate/float64(b.N), "pgbench-regs/s")
			b.ReportMetric(goRate/pgbenchRate, "ratio")
			b.ReportMetric(gaps, "gaps")
			b.ReportMetric(duplicates, "duplicates")
		})
	}
}
