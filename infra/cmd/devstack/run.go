package main

import (
	"context"
	"filippo.io/age"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/infra/devbroker"
	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db/migrations"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/pii"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

// Buckets the platform uses; created at start.
const (
	documentsBucket = "ghiseu-documents"
	backupsBucket   = "ghiseu-backups"
)

// runCmd starts the whole platform and keeps it running until SIGINT or
// SIGTERM: backing services, migrations, every function as its own process,
// and the dev broker + gateway reading k8s/base.
func runCmd(args []string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	dataDir := fs.String("data", envOr("GHISEU_DATA", filepath.Join(root, ".local")), "data directory (reused by the next run)")
	basePort := fs.Int("port", envInt("GHISEU_PORT", 8080), "gateway port; the broker, PostgreSQL, S3, SMTP, Mailpit and functions take the ports after it")
	var manifestDirs multiFlag
	fs.Var(&manifestDirs, "manifests", "an extra directory of Triggers, PingSources and HTTPRoutes (repeatable; tests use it)")
	_ = fs.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))

	s := &stack{root: root, dir: *dataDir, base: *basePort, log: log}
	if err := s.start(ctx, append([]string{filepath.Join(root, "k8s", "base")}, manifestDirs...)); err != nil {
		s.stop()
		return err
	}
	s.printBanner()
	<-ctx.Done()
	stop() // a second Ctrl-C now kills at once
	log.Info("stopping")
	s.stop()
	log.Info("stopped")
	return nil
}

type stack struct {
	root string
	dir  string
	base int
	log  *slog.Logger

	infra     *localstack.Infra
	functions []*function
	broker    *devbroker.Broker
	servers   []*http.Server
	cancel    context.CancelFunc
	running   sync.WaitGroup // the functions' supervisors
	env       map[string]string
	quiet     bool // functions log to their files only
	// functionEnv is what only one function is given (nightly-backup's
	// superuser URLs, web's WEB_ROOT).
	functionEnv map[string]map[string]string
}

// functionLog is where a function's output goes: its log file, and the
// terminal too unless quiet (under `exec -platform` the terminal is the
// tests').
func (s *stack) functionLog(file io.Writer, name string) io.Writer {
	if s.quiet {
		return file
	}
	return io.MultiWriter(file, prefixWriter(os.Stdout, name))
}

type function struct {
	name string
	port int
}

func (s *stack) gatewayURL() string { return "http://" + localstack.Addr(s.base) }
func (s *stack) brokerURL() string  { return "http://" + localstack.Addr(s.base+1) + "/ghiseu/default" }

// webRoot is the web app as `make web` builds it, which the web function
// serves (in the image, ko's copy of it).
// webRoot is the built web app the web function serves: web/dist, or
// GHISEU_WEB_ROOT (a build of one's own, while another is being made).
func (s *stack) webRoot() string {
	return envOr("GHISEU_WEB_ROOT", filepath.Join(s.root, "web", "dist"))
}

func (s *stack) start(ctx context.Context, manifestDirs []string) error {
	// Before anything starts: the web function cannot start without the
	// built app.
	if _, err := os.Stat(filepath.Join(s.webRoot(), "index.html")); err != nil {
		return fmt.Errorf("the web app is not built (%w): run `make web`, or `make run`, which builds it", err)
	}
	logDir := filepath.Join(s.dir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	svcLog, err := os.OpenFile(filepath.Join(logDir, "services.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	s.infra = &localstack.Infra{
		Dir: s.dir, BinDir: filepath.Join(s.root, "bin"), Log: svcLog, DatabaseURL: os.Getenv("DATABASE_URL"),
		Ports: localstack.Ports{Postgres: s.base + 2, S3: s.base + 3, SMTP: s.base + 4, MailUI: s.base + 5},
	}
	startCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	s.log.Info("starting PostgreSQL, S3 (versitygw) and SMTP (Mailpit)", "log", svcLog.Name())
	if err := s.infra.Start(startCtx); err != nil {
		return fmt.Errorf("backing services (see %s): %w", svcLog.Name(), err)
	}
	appURL, err := s.prepareDatabase(startCtx)
	if err != nil {
		return err
	}
	if err := s.prepareBuckets(startCtx); err != nil {
		return err
	}
	if err := s.seedDemo(startCtx, appURL); err != nil {
		return err
	}
	names, err := s.buildFunctions(startCtx)
	if err != nil {
		return err
	}
	for i, name := range names {
		s.functions = append(s.functions, &function{name: name, port: s.base + 10 + i})
	}
	s.env = map[string]string{
		"HOST": "127.0.0.1", "LOG_LEVEL": envOr("LOG_LEVEL", "info"), "SHUTDOWN_TIMEOUT": "10s",
		"DATABASE_URL": appURL, "K_SINK": s.brokerURL(),
		"S3_ENDPOINT": s.infra.S3Endpoint(), "S3_REGION": "us-east-1",
		"S3_ACCESS_KEY_ID": s.infra.Secrets["S3_ACCESS_KEY_ID"], "S3_SECRET_ACCESS_KEY": s.infra.Secrets["S3_SECRET_ACCESS_KEY"],
		"S3_BUCKET_DOCUMENTS": documentsBucket, "S3_BUCKET_BACKUPS": backupsBucket,
		"SMTP_ADDR": s.infra.SMTPAddr(), "SMTP_TLS": "none", "SMTP_FROM": "Primăria Lugoj <no-reply@ghiseu.localhost>",
		"PII_KEYS": s.infra.Secrets["PII_KEYS"], "PII_INDEX_KEY": s.infra.Secrets["PII_INDEX_KEY"],
		"PUBLIC_URL": s.gatewayURL(),
	}

	if s.functionEnv, err = s.backupEnv(); err != nil {
		return err
	}
	s.functionEnv["web"] = map[string]string{"WEB_ROOT": s.webRoot()}

	m, err := devbroker.Load(manifestDirs...)
	if err != nil {
		return err
	}
	resolve := s.resolver()
	s.broker, err = devbroker.NewBroker(m, devbroker.Options{Resolver: resolve, Logger: s.log.With("component", "broker")})
	if err != nil {
		return err
	}
	fnURLs := map[string]string{}
	for _, f := range s.functions {
		fnURLs[f.name] = "http://" + localstack.Addr(f.port)
	}
	gw, err := devbroker.NewGateway(m.HTTPRoutes, devbroker.GatewayOptions{
		Resolver: resolve, OpenAPI: httpapi.OpenAPI(), Functions: fnURLs, Logger: s.log.With("component", "gateway"),
	})
	if err != nil {
		return err
	}
	if err := s.listen(s.base+1, s.broker); err != nil {
		return fmt.Errorf("broker: %w", err)
	}
	if err := s.listen(s.base, gw); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	runCtx, runCancel := context.WithCancel(context.Background())
	s.cancel = runCancel
	for _, f := range s.functions {
		s.running.Add(1)
		go func() {
			defer s.running.Done()
			s.supervise(runCtx, f, logDir)
		}()
	}
	go s.broker.RunPingSources(runCtx)
	if err := s.writeStackEnv(); err != nil {
		return err
	}
	s.log.Info("waiting for every function to be ready", "readyz", s.gatewayURL()+"/readyz")
	return waitReady(startCtx, s.gatewayURL()+"/readyz")
}

// prepareDatabase creates the database, migrates it and lets the
// application role log in; it returns the application role's URL.
func (s *stack) prepareDatabase(ctx context.Context) (string, error) {
	adminURL := s.infra.AdminURL("ghiseu")
	if s.infra.DatabaseURL == "" {
		conn, err := pgx.Connect(ctx, s.infra.AdminURL("postgres"))
		if err != nil {
			return "", fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		var exists bool
		err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = 'ghiseu')").Scan(&exists)
		if err == nil && !exists {
			_, err = conn.Exec(ctx, "CREATE DATABASE ghiseu")
		}
		conn.Close(ctx)
		if err != nil {
			return "", fmt.Errorf("create database: %w", err)
		}
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	s.log.Info("applying migrations")
	if err := migrations.Apply(ctx, conn); err != nil {
		return "", err
	}
	pw := s.infra.Secrets["APP_DB_PASSWORD"]
	// ALTER ROLE takes no parameters; the password is our own hex token.
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER ROLE ghiseu_app LOGIN PASSWORD '%s'", pw)); err != nil {
		return "", fmt.Errorf("enable application role: %w", err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.User = url.UserPassword("ghiseu_app", pw)
	return u.String(), nil
}

// seedDemo writes the Lugoj demo (institutions, organisation chart, one
// account per role, a citizen); it changes nothing on a second run.
func (s *stack) seedDemo(ctx context.Context, appURL string) error {
	pool, err := pgxpool.New(ctx, appURL)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer pool.Close()
	protector, err := pii.New(pii.KeysConfig{Keys: s.infra.Secrets["PII_KEYS"], IndexKey: s.infra.Secrets["PII_INDEX_KEY"]})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	s.log.Info("seeding the Lugoj demo")
	if err := seed.Demo(ctx, pool, protector, s.infra.Secrets["DEMO_PASSWORD"]); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

func (s *stack) prepareBuckets(ctx context.Context) error {
	store, err := blob.New(ctx, blob.StoreConfig{
		Endpoint: s.infra.S3Endpoint(), Region: "us-east-1",
		AccessKeyID: s.infra.Secrets["S3_ACCESS_KEY_ID"], SecretAccessKey: s.infra.Secrets["S3_SECRET_ACCESS_KEY"],
	})
	if err != nil {
		return err
	}
	for _, b := range []string{documentsBucket, backupsBucket} {
		if err := store.EnsureBucket(ctx, b); err != nil {
			return fmt.Errorf("bucket %s: %w", b, err)
		}
	}
	return nil
}

// buildFunctions builds every directory under functions/ into the data
// directory, so the processes run what the checkout holds now.
func (s *stack) buildFunctions(ctx context.Context) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.root, "functions"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	s.log.Info("building functions", "functions", strings.Join(names, ", "))
	args := []string{"build", "-o", filepath.Join(s.dir, "bin") + "/"}
	for _, n := range names {
		args = append(args, "./functions/"+n)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = s.root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("build functions: %w", err)
	}
	return names, nil
}

// resolver maps Knative references to local addresses, as the cluster's
// DNS would: a Service (or a JobSink) to its function's process, a Broker
// to the ingress.
func (s *stack) resolver() devbroker.Resolver {
	return func(ref devbroker.Ref) (string, error) {
		switch ref.Kind {
		case "Broker":
			if ref.Name == "default" {
				return s.brokerURL(), nil
			}
		// A JobSink runs its function's image as a Kubernetes Job per
		// event; locally the function's own process handles the event,
		// over HTTP, with the same code (runtime.Job).
		case "Service", "JobSink":
			for _, f := range s.functions {
				if f.name == ref.Name {
					return "http://" + localstack.Addr(f.port), nil
				}
			}
		}
		return "", fmt.Errorf("%s: no such function or broker in the local stack", ref)
	}
}

func (s *stack) listen(port int, h http.Handler) error {
	ln, err := net.Listen("tcp", localstack.Addr(port))
	if err != nil {
		return err
	}
	// The functions' own bounds (shared/runtime): slow clients must not
	// hold the front door either.
	srv := &http.Server{Handler: runtime.GuardBodies(runtime.Config{}, h), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	s.servers = append(s.servers, srv)
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// supervise runs a function and restarts it if it exits, as Kubernetes
// would, until ctx ends; then it stops the function and waits for it to drain.
func (s *stack) supervise(ctx context.Context, f *function, logDir string) {
	logFile, err := os.OpenFile(filepath.Join(logDir, f.name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.log.Error("function log", "function", f.name, "error", err.Error())
		return
	}
	defer logFile.Close()
	env := []string{fmt.Sprintf("PORT=%d", f.port)}
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	for k, v := range s.functionEnv[f.name] {
		env = append(env, k+"="+v)
	}
	backoff := time.Second
	for ctx.Err() == nil {
		proc, err := localstack.Start(localstack.Spec{
			Name: f.name, Path: filepath.Join(s.dir, "bin", f.name), Env: env,
			Log: s.functionLog(logFile, f.name),
		})
		if err != nil {
			s.log.Error("start function", "function", f.name, "error", err.Error())
			return
		}
		select {
		case <-ctx.Done():
			if err := proc.Stop(15 * time.Second); err != nil {
				s.log.Warn("stop function", "function", f.name, "error", err.Error())
			}
			return
		case <-proc.Done():
			s.log.Error("function exited; restarting", "function", f.name, "error", fmt.Sprint(proc.Err()), "in", backoff.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// stop stops everything in the reverse order of start: functions drain
// first, then the broker and gateway, then the backing services.
func (s *stack) stop() {
	if s.cancel != nil {
		s.cancel()
	}
	s.running.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	if s.broker != nil {
		if err := s.broker.Close(ctx); err != nil {
			s.log.Warn("broker: undelivered events at shutdown", "error", err.Error())
		}
	}
	if s.infra != nil {
		if err := s.infra.Stop(); err != nil {
			s.log.Warn("stop services", "error", err.Error())
		}
	}
}

// writeStackEnv records where everything is, for `make migrate`,
// `make deadletters` and other tools run beside the stack.
func (s *stack) writeStackEnv() error {
	lines := []string{
		"GATEWAY_URL=" + s.gatewayURL(),
		"K_SINK=" + s.brokerURL(),
		"ADMIN_DATABASE_URL=" + s.infra.AdminURL("ghiseu"),
		"DATABASE_URL=" + s.env["DATABASE_URL"],
		"S3_ENDPOINT=" + s.env["S3_ENDPOINT"],
		"S3_ACCESS_KEY_ID=" + s.env["S3_ACCESS_KEY_ID"],
		"S3_SECRET_ACCESS_KEY=" + s.env["S3_SECRET_ACCESS_KEY"],
		"SMTP_ADDR=" + s.env["SMTP_ADDR"],
		"MAILPIT_URL=" + s.infra.MailURL(),
	}
	return os.WriteFile(filepath.Join(s.dir, "stack.env"), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}

func (s *stack) printBanner() {
	var b strings.Builder
	fmt.Fprintf(&b, "\nGhișeu is running. Ctrl-C stops everything; the next `make run` keeps the data in %s.\n\n", s.dir)
	fmt.Fprintf(&b, "  Gateway      %s   (readiness %s/readyz, API document %s/api/openapi.json)\n", s.gatewayURL(), s.gatewayURL(), s.gatewayURL())
	fmt.Fprintf(&b, "  Broker       %s\n", s.brokerURL())
	fmt.Fprintf(&b, "  Mailpit      %s   (every mail the platform sends)\n", s.infra.MailURL())
	fmt.Fprintf(&b, "  S3           %s   (buckets %s, %s)\n", s.infra.S3Endpoint(), documentsBucket, backupsBucket)
	fmt.Fprintf(&b, "  PostgreSQL   %s\n", redactURL(s.infra.AdminURL("ghiseu")))
	for _, f := range s.functions {
		fmt.Fprintf(&b, "  %-12s http://%s\n", f.name, localstack.Addr(f.port))
	}
	fmt.Fprintf(&b, "\n  Demo accounts (password %s): admin@primarialugoj.ro, registratura@primarialugoj.ro,\n", s.infra.Secrets["DEMO_PASSWORD"])
	fmt.Fprintf(&b, "    urbanism@primarialugoj.ro (clerk), sef.urbanism@primarialugoj.ro, primar@primarialugoj.ro,\n")
	fmt.Fprintf(&b, "    secretar@primarialugoj.ro, auditor@primarialugoj.ro; citizen ioana.popescu@example.ro\n")
	fmt.Fprintf(&b, "    The administrators' second factor (TOTP, demo only): secret %s\n", seed.DemoTOTPSecret)
	fmt.Fprintf(&b, "\n  Logs         %s\n  Credentials  %s\n\n", filepath.Join(s.dir, "logs"), filepath.Join(s.dir, "stack.env"))
	fmt.Print(b.String())
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

func waitReady(ctx context.Context, readyz string) error {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		resp, err := http.Get(readyz)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = string(b)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("functions not ready: %s", last)
		case <-tick.C:
		}
	}
}

// prefixWriter prefixes each line written to w with the function's name.
func prefixWriter(w io.Writer, name string) io.Writer {
	return &prefixed{w: w, prefix: []byte("[" + name + "] ")}
}

type prefixed struct {
	w      io.Writer
	prefix []byte
	mid    bool
}

func (p *prefixed) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if !p.mid {
			out = append(out, p.prefix...)
			p.mid = true
		}
		out = append(out, c)
		if c == '\n' {
			p.mid = false
		}
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	var n int
	if _, err := fmt.Sscan(os.Getenv(k), &n); err != nil {
		return def
	}
	return n
}

// backupEnv is nightly-backup's configuration: the superuser for the dump
// and the scratch database, the public half of the stack's age key, and
// the PostgreSQL tools beside the server.
func (s *stack) backupEnv() (map[string]map[string]string, error) {
	id, err := age.ParseX25519Identity(s.infra.Secrets["BACKUP_AGE_IDENTITY"])
	if err != nil {
		return nil, fmt.Errorf("BACKUP_AGE_IDENTITY: %w", err)
	}
	env := map[string]string{"BACKUP_DATABASE_URL": s.infra.AdminURL("ghiseu"), "BACKUP_VERIFY_DATABASE_URL": s.infra.AdminURL("postgres"),
		"BACKUP_AGE_RECIPIENTS": id.Recipient().String()}
	if bin, err := localstack.PostgresBinDir(); err == nil {
		env["PG_DUMP"], env["PG_RESTORE"] = filepath.Join(bin, "pg_dump"), filepath.Join(bin, "pg_restore")
	}
	return map[string]map[string]string{"nightly-backup": env}, nil
}
