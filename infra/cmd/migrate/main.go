// Command migrate applies the database migrations. It runs from
// `make migrate`, at local start (devstack does the same in-process), and
// as a Job before a release in the cluster: never inside a function.
//
// It connects with MIGRATE_DATABASE_URL, a role that owns the schema (not
// the functions' role), falling back to the local stack's admin URL.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/db/migrations"
)

func main() {
	url := localstack.Getenv("MIGRATE_DATABASE_URL")
	if url == "" {
		url = localstack.Getenv("ADMIN_DATABASE_URL")
	}
	if url == "" {
		fmt.Fprintln(os.Stderr, "migrate: set MIGRATE_DATABASE_URL to the schema owner's connection string (or start the local stack with `make run`)")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "migrate: connect:", err)
		os.Exit(1)
	}
	defer conn.Close(ctx)
	if err := migrations.Apply(ctx, conn); err != nil {
		fmt.Fprintln(os.Stderr, "migrate:", err)
		os.Exit(1)
	}
	var v int32
	_ = conn.QueryRow(ctx, "SELECT version FROM "+migrations.VersionTable).Scan(&v)
	fmt.Printf("migrate: schema at version %d\n", v)
}
