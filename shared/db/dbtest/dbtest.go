// Package dbtest gives each test a fresh database of the real schema on the
// PostgreSQL server that `make test` starts (TEST_DATABASE_URL, a superuser).
//
// The schema is migrated once into a template database named after the
// migrations' fingerprint; each test then gets a cheap copy of it.
//
// TEST_DATABASE_TIMEZONE, when set, is the time zone (any PostgreSQL
// zone, such as Etc/GMT+12 or the POSIX <-22>+22) of every session on the
// test databases, whoever opens it: the test's own SQL and the functions it
// starts as processes. `make test` runs the packages that handle dates again
// with a zone whose day is not Bucharest's, so a test or a query that takes
// the database's current_date as the institution's day fails at any hour,
// not only between 22:00 and 24:00 UTC. Tests take "today" from Today.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/db/migrations"
	"github.com/ghiseu/ghiseu/shared/deadlines"
)

// TimeZoneVariable names the variable with the test databases' time zone.
const TimeZoneVariable = "TEST_DATABASE_TIMEZONE"

// Today is the institution's day now (Europe/Bucharest, as the platform
// counts days), never the database's current_date: pass it to the SQL as a
// parameter (Today().String() with ::date) or compute with AddDays.
func Today() deadlines.Date { return deadlines.DateOf(time.Now()) }

// Day is Today moved by days (negative: in the past), as 2006-01-02 for
// a ::date parameter.
func Day(days int) string { return Today().AddDays(days).String() }

// AppPassword is the test cluster's password for ghiseu_app.
const AppPassword = "ghiseu-app-test"

// DB is one test's database.
type DB struct {
	Name string
	// OwnerURL connects as the superuser that ran the migrations.
	OwnerURL string
	// AppURL connects as ghiseu_app, as functions do.
	AppURL string
	Owner  *pgxpool.Pool
	App    *pgxpool.Pool
}

// New creates a database for t, dropped when t ends.
func New(t testing.TB) *DB {
	t.Helper()
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL")
	}
	ctx := context.Background()
	tmpl, err := ensureTemplate(ctx, admin)
	if err != nil {
		t.Fatalf("test template database: %v", err)
	}
	name := "test_" + randomHex(8)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	if err := setTimeZone(ctx, conn, name); err != nil {
		t.Fatal(err)
	}
	d := &DB{Name: name, OwnerURL: withDatabase(admin, name, nil), AppURL: withDatabase(admin, name, url.UserPassword("ghiseu_app", AppPassword))}
	if d.Owner, err = pgxpool.New(ctx, d.OwnerURL); err != nil {
		t.Fatal(err)
	}
	if d.App, err = pgxpool.New(ctx, d.AppURL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.App.Close()
		d.Owner.Close()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return d
}

// ensureTemplate returns the name of a database holding the current schema,
// creating it if needed. Test binaries run in parallel, so creation is
// serialised with an advisory lock.
func ensureTemplate(ctx context.Context, admin string) (string, error) {
	fp, err := migrations.Fingerprint()
	if err != nil {
		return "", err
	}
	name := "tmpl_" + fp
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
		return "", err
	}
	defer conn.Exec(ctx, "SELECT pg_advisory_unlock(727274)") //nolint:errcheck // closing the connection unlocks too
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Build under a temporary name and rename when complete, so a test run
	// killed half-way never leaves a template that looks finished.
	building := name + "_building"
	if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building)); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s", building)); err != nil {
		return "", err
	}
	mconn, err := pgx.Connect(ctx, withDatabase(admin, building, nil))
	if err != nil {
		return "", err
	}
	err = migrations.Apply(ctx, mconn)
	mconn.Close(ctx)
	if err != nil {
		return "", err
	}
	// The role is cluster-wide; the migration creates it without a password.
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER ROLE ghiseu_app LOGIN PASSWORD '%s'", AppPassword)); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	return name, nil
}

// setTimeZone makes TEST_DATABASE_TIMEZONE, when set, the default zone of
// every later session on the database name (a database setting, so it
// reaches connections made from a URL too, as the functions' are).
func setTimeZone(ctx context.Context, conn *pgx.Conn, name string) error {
	zone := os.Getenv(TimeZoneVariable)
	if zone == "" {
		return nil
	}
	// A setting cannot be a bind parameter; quote it as a literal.
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s SET timezone TO %s", name, quoteLiteral(zone))); err != nil {
		return fmt.Errorf("%s=%q: %w", TimeZoneVariable, zone, err)
	}
	return nil
}

func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func withDatabase(base, name string, user *url.Userinfo) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(fmt.Sprintf("TEST_DATABASE_URL must be a URL: %v", err))
	}
	u.Path = "/" + name
	if user != nil {
		u.User = user
	}
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Empty creates an empty database for t (no schema: a restore's target),
// dropped when t ends, and returns its URL as the superuser.
func Empty(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL")
	}
	ctx := context.Background()
	name := "empty_" + randomHex(8)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create empty database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop empty database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop empty database: %v", err)
		}
	})
	return withDatabase(admin, name, nil)
}
