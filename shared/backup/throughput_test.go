package backup_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// BenchmarkBackupThroughput compares the backup (pg_dump, age, S3) with
// plain pg_dump in the same format to /dev/null, on the same database of
// about 300 MB of table, in alternating turns. The target is at least 0.7
// of pg_dump's rate. It also times a restore of the last backup. Run it
// with -benchtime 1x (make bench).
func BenchmarkBackupThroughput(b *testing.B) {
	f := setUp(b)
	ctx := context.Background()
	if _, err := f.source.Owner.Exec(ctx, `CREATE TABLE bulk (id int, body text);
		INSERT INTO bulk SELECT i, (SELECT string_agg(md5(random()::text || i || j), '') FROM generate_series(1, 256) j)
		FROM generate_series(1, 36000) i`); err != nil {
		b.Fatal(err)
	}
	f.dumper.VerifyAdminURL = ""
	var plainTotal, backupTotal time.Duration
	var dumped int64
	for range b.N {
		for round := range 3 {
			start := time.Now()
			cmd := exec.Command(f.dumper.PgDump, "--format=custom", "--no-password", "--dbname="+f.source.OwnerURL)
			if err := cmd.Run(); err != nil { // stdout is /dev/null when nil
				b.Fatal(err)
			}
			plainTotal += time.Since(start)
			start = time.Now()
			f.dumper.Now = func() time.Time {
				return time.Date(2026, 1, 1, 0, 0, round, 0, time.UTC).Add(time.Duration(b.N) * time.Hour)
			}
			m, err := f.dumper.Backup(ctx)
			if err != nil {
				b.Fatal(err)
			}
			backupTotal += time.Since(start)
			dumped = m.Dump.PlainSize
		}
	}
	// And how long a restore of it takes: the command an operator runs.
	start := time.Now()
	if _, err := f.restorer.Restore(ctx, "", dbtest.Empty(b)); err != nil {
		b.Fatal(err)
	}
	restoreTime := time.Since(start)
	b.ReportMetric(float64(dumped)/(1<<20)/restoreTime.Seconds(), "restore-MiB/s")
	b.Logf("restore of the last backup (%d MiB of dump) into an empty database: %v", dumped>>20, restoreTime)
	ratio := plainTotal.Seconds() / backupTotal.Seconds()
	b.ReportMetric(float64(dumped)/(1<<20), "dump-MiB")
	b.ReportMetric(float64(dumped)*float64(3*b.N)/(1<<20)/plainTotal.Seconds(), "pg_dump-MiB/s")
	b.ReportMetric(float64(dumped)*float64(3*b.N)/(1<<20)/backupTotal.Seconds(), "backup-MiB/s")
	b.ReportMetric(ratio, "ratio")
	b.Logf("pg_dump to /dev/null %v, backup %v (%d rounds each): the backup runs at %.2f of pg_dump's rate", plainTotal, backupTotal, 3*b.N, ratio)
}
