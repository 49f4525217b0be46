// Command nightly-backup backs the platform up: every night at 02:00
// Europe/Bucharest (a PingSource) and when an administrator asks, it dumps
// the database with pg_dump through age into the backup bucket, copies the
// documents not yet backed up, restores the dump into a scratch database to
// verify it, prunes by the retention policy, and announces
// ro.ghiseu.backup.completed or ro.ghiseu.backup.failed. Every week it
// rereads a share of the stored documents (fixity) and verifies the audit
// chains, also against the anchors of their heads it writes to the backup
// bucket at every backup and check. It serves the backups' status to administrators and as metrics.
//
// In the cluster the backups and checks run as Kubernetes Jobs started by a
// Knative JobSink, since a backup may outlast any HTTP request; locally the
// same events arrive over HTTP.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"filippo.io/age"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit/anchor"
	"github.com/ghiseu/ghiseu/shared/backup"
	"github.com/ghiseu/ghiseu/shared/backup/retention"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/fixity"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	db.PoolConfig
	events.SinkConfig
	// The documents' storage (S3_*), which the backup copies.
	blob.StoreConfig
	DocumentsBucket string `envconfig:"S3_BUCKET_DOCUMENTS" required:"true"`
	BackupsBucket   string `envconfig:"S3_BUCKET_BACKUPS" required:"true"`
	// The backup bucket may be on another endpoint with other credentials;
	// empty means the documents' own.
	BackupEndpoint  string `envconfig:"BACKUP_S3_ENDPOINT"`
	BackupAccessKey string `envconfig:"BACKUP_S3_ACCESS_KEY_ID"`
	BackupSecretKey string `envconfig:"BACKUP_S3_SECRET_ACCESS_KEY"`
	// DumpURL connects as a role that reads every row (BYPASSRLS).
	DumpURL string `envconfig:"BACKUP_DATABASE_URL" required:"true"`
	// VerifyURL connects as a superuser, to create the scratch database
	// each dump is restored into; empty: no verification (logged).
	VerifyURL string `envconfig:"BACKUP_VERIFY_DATABASE_URL"`
	// Recipients are the age public keys backups are encrypted to, comma
	// separated; the private keys stay offline, with whoever restores.
	Recipients string           `envconfig:"BACKUP_AGE_RECIPIENTS" required:"true"`
	Retention  retention.Policy `envconfig:"BACKUP_RETENTION" default:"daily=7,weekly=4,monthly=12"`
	// FixityShare is the share of the documents the weekly fixity check
	// rereads: "1/4" rereads every one once in four weeks.
	FixityShare string `envconfig:"FIXITY_SHARE" default:"1/4"`
	PgDump      string `envconfig:"PG_DUMP" default:"pg_dump"`
	PgRestore   string `envconfig:"PG_RESTORE" default:"pg_restore"`
}

func main() {
	var cfg config
	runtime.Main("nightly-backup", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		recipients, err := age.ParseRecipients(strings.NewReader(strings.ReplaceAll(cfg.Recipients, ",", "\n")))
		if err != nil {
			return runtime.Function{}, fmt.Errorf("BACKUP_AGE_RECIPIENTS: %w", err)
		}
		runs, err := fixity.ParseShare(cfg.FixityShare)
		if err != nil {
			return runtime.Function{}, fmt.Errorf("FIXITY_SHARE: %w", err)
		}
		if err := cfg.Retention.Validate(); err != nil {
			return runtime.Function{}, fmt.Errorf("BACKUP_RETENTION: %w", err)
		}
		docs, err := blob.New(ctx, cfg.StoreConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		backupCfg := cfg.StoreConfig
		if cfg.BackupEndpoint != "" {
			backupCfg.Endpoint, backupCfg.AccessKeyID, backupCfg.SecretAccessKey = cfg.BackupEndpoint, cfg.BackupAccessKey, cfg.BackupSecretKey
		}
		store, err := blob.New(ctx, backupCfg)
		if err != nil {
			return runtime.Function{}, err
		}
		if err := store.EnsureBucket(ctx, cfg.BackupsBucket); err != nil {
			return runtime.Function{}, fmt.Errorf("backup bucket %s: %w", cfg.BackupsBucket, err)
		}
		pool, err := db.Open(ctx, cfg.PoolConfig)
		if err != nil {
			return runtime.Function{}, err
		}
		outbox, err := events.NewPlatformOutbox(pool, cfg.SinkConfig, log)
		if err != nil {
			return runtime.Function{}, err
		}
		if cfg.VerifyURL == "" {
			log.Warn("BACKUP_VERIFY_DATABASE_URL is not set: backups are not verified by a restore")
		}
		s := &server{pool: pool, outbox: outbox, log: log, policy: cfg.Retention, store: store, bucket: cfg.BackupsBucket,
			anchors: &anchor.Store{Blob: store, Bucket: cfg.BackupsBucket},
			fixity:  &fixity.Checker{Pool: pool, Blob: docs, Bucket: cfg.DocumentsBucket, RunsPerCycle: runs},
			dumper: &backup.Dumper{DatabaseURL: cfg.DumpURL, PgDump: cfg.PgDump, PgRestore: cfg.PgRestore, VerifyAdminURL: cfg.VerifyURL,
				Blob: store, Bucket: cfg.BackupsBucket, Recipients: recipients, Documents: docs, DocumentsBucket: cfg.DocumentsBucket}}
		router, err := access.NewRouter(&access.Authenticator{Pool: pool}, log)
		if err != nil {
			return runtime.Function{}, err
		}
		s.routes(router)
		mux := http.NewServeMux()
		mux.Handle("/api/", router)
		mux.HandleFunc("GET /metrics", s.metrics)
		mux.Handle("POST /{$}", runtime.EventsHTTPHandler(log, outbox.Catalogue(), runtime.EventHandlerFunc(s.handleEvent)))
		return runtime.Function{
			Handler: mux,
			Checks:  []runtime.Check{{Name: "database", Check: db.Ping(pool)}},
			Stop:    pool.Close,
			// In the cluster the backups and checks run as Jobs
			// (k8s/base/functions/nightly-backup/jobsink.yaml).
			Job: &runtime.Job{Validator: outbox.Catalogue(), Handler: runtime.EventHandlerFunc(s.handleEvent)},
		}, nil
	})
}
