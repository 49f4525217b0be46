package dbtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db/dbtest"
)

// TestTimeZoneReachesEverySession: TEST_DATABASE_TIMEZONE is the zone of
// every new session on a test database, the owner's and one opened from the
// app's URL as a function started as a process opens it; with UTC-22 the
// database's day is before Bucharest's at any hour, as it is between 22:00
// and 24:00 UTC.
func TestTimeZoneReachesEverySession(t *testing.T) {
	const zone = "<-22>+22"
	t.Setenv(dbtest.TimeZoneVariable, zone)
	d := dbtest.New(t)
	ctx := context.Background()
	for _, c := range []struct{ name, url string }{{"owner", d.OwnerURL}, {"app", d.AppURL}} {
		conn, err := pgx.Connect(ctx, c.url)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		var day time.Time
		// The one test that reads the database's own day: that it is not
		// Bucharest's is what this test is about.
		err = conn.QueryRow(ctx, `SELECT current_setting('timezone'), current_date`).Scan(&got, &day)
		conn.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != zone {
			t.Errorf("%s: timezone %q, want %q", c.name, got, zone)
		}
		if db, today := day.Format(time.DateOnly), dbtest.Today().String(); db >= today {
			t.Errorf("%s: the database's day %s is not before Bucharest's %s", c.name, db, today)
		}
	}
}
