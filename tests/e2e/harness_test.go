package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"filippo.io/age"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/ghiseu/ghiseu/infra/devbroker"
	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// platform is a running slice of the platform: the real dead-letter and
// outbox-relay processes over a fresh database, and a dev broker that the
// test can stop and start again, routing the manifests of k8s/base plus the
// test's own Triggers.
type platform struct {
	t         *testing.T
	db        *dbtest.DB
	brokerURL string
	// blob is the object storage the functions use, and documentsBucket
	// the platform's own documents bucket in it.
	blob            *blob.Store
	documentsBucket string
	brokerLn        string // host:port the broker listens on while up
	functions       map[string]string
	manifests       *devbroker.Manifests
	// env is the functions' common environment.
	env map[string]string

	mu     sync.Mutex
	broker *devbroker.Broker
	server *http.Server
}

// startPlatform starts the dead-letter and outbox-relay functions, and
// the extra ones named, each with extraEnv added to the common config.
func startPlatform(t *testing.T, triggersYAML string, extraEnv map[string]string, extra ...string) *platform {
	t.Helper()
	p := &platform{t: t, db: dbtest.New(t), functions: map[string]string{}}
	p.brokerLn = freeAddr(t)
	p.brokerURL = "http://" + p.brokerLn + "/ghiseu/default"
	// Each platform has a documents bucket of its own, so a test can count
	// what was stored.
	s3 := blob.StoreConfig{Endpoint: os.Getenv("TEST_S3_ENDPOINT"), Region: "us-east-1",
		AccessKeyID: os.Getenv("TEST_S3_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("TEST_S3_SECRET_ACCESS_KEY")}
	store, err := blob.New(context.Background(), s3)
	if err != nil {
		t.Fatal(err)
	}
	p.blob, p.documentsBucket = store, "documents-"+strings.ToLower(rand.Text()[:12])
	if err := store.EnsureBucket(context.Background(), p.documentsBucket); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": p.db.AppURL, "K_SINK": p.brokerURL,
		"PII_KEYS": "1:" + testKey(), "PII_INDEX_KEY": testKey(),
		"SMTP_ADDR": os.Getenv("TEST_SMTP_ADDR"), "SMTP_TLS": "none", "PUBLIC_URL": "http://ghiseu.test",
		"S3_ENDPOINT": s3.Endpoint, "S3_ACCESS_KEY_ID": s3.AccessKeyID, "S3_SECRET_ACCESS_KEY": s3.SecretAccessKey,
		"S3_BUCKET_DOCUMENTS": p.documentsBucket, "S3_BUCKET_BACKUPS": p.documentsBucket + "-backups",
		// nightly-backup dumps as the superuser into its own bucket.
		"BACKUP_DATABASE_URL": p.db.OwnerURL, "BACKUP_VERIFY_DATABASE_URL": os.Getenv("TEST_DATABASE_URL"),
		"BACKUP_AGE_RECIPIENTS": testAgeRecipient(t)}
	if bin, err := localstack.PostgresBinDir(); err == nil {
		env["PG_DUMP"], env["PG_RESTORE"] = filepath.Join(bin, "pg_dump"), filepath.Join(bin, "pg_restore")
	}
	for k, v := range extraEnv {
		env[k] = v
	}
	p.env = env
	for _, name := range append([]string{"dead-letter", "outbox-relay"}, extra...) {
		addr := freeAddr(t)
		p.functions[name] = "http://" + addr
		startFunction(t, name, addr, env)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "triggers.yaml"), []byte(triggersYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := devbroker.Load(filepath.Join(repoRoot, "k8s", "base"), dir)
	if err != nil {
		t.Fatal(err)
	}
	p.manifests = m
	p.startBroker()
	t.Cleanup(func() { p.stopBroker() })
	return p
}

func (p *platform) resolve(ref devbroker.Ref) (string, error) {
	if ref.Kind == "Broker" {
		return p.brokerURL, nil
	}
	if u, ok := p.functions[ref.Name]; ok {
		return u, nil
	}
	// A function this test did not start: like a Service scaled to zero
	// that never comes up, its deliveries fail. (tests/manifests checks
	// that every reference names a real Service.)
	return "http://127.0.0.1:1/" + ref.Name, nil
}

// startBroker starts (again) the broker on its address.
func (p *platform) startBroker() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	b, err := devbroker.NewBroker(p.manifests, devbroker.Options{Resolver: p.resolve, Logger: testLogger(p.t)})
	if err != nil {
		p.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", p.brokerLn)
	if err != nil {
		p.t.Fatal(err)
	}
	srv := &http.Server{Handler: b}
	p.broker, p.server = b, srv
	go func() { _ = srv.Serve(ln) }()
}

// stopBroker stops the broker after every accepted event has been
// delivered (or dead-lettered): after it, delivery counts are final.
func (p *platform) stopBroker() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.server == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = p.server.Shutdown(ctx)
	if err := p.broker.Close(ctx); err != nil {
		p.t.Errorf("broker did not drain: %v", err)
	}
	p.server, p.broker = nil, nil
}

// send posts e to the broker's ingress and returns the status.
func (p *platform) send(t *testing.T, e cloudevents.Event) int {
	t.Helper()
	return postEvent(t, p.brokerURL, e)
}

func postEvent(t *testing.T, url string, e cloudevents.Event) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&e), req); err != nil {
		t.Fatal(err)
	}
	// A fresh connection each time: tests stop and restart the broker on one
	// address, and a kept-alive connection to the old one would fail a POST.
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post event to %s: %v", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// startFunction runs a function binary as its own process, as the local
// stack and Knative do, and waits until it is ready.
func startFunction(t *testing.T, name, addr string, env map[string]string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(filepath.Join(binDir, name))
	cmd.Env = append(os.Environ(), "HOST="+host, "PORT="+port, "LOG_LEVEL=debug", "SHUTDOWN_TIMEOUT=5s")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	poll.Until(t, 30*time.Second, name+" ready", func() bool {
		select {
		case <-exited:
			t.Fatalf("%s exited at start:\n%s", name, out.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// subscriber is a test service behind a Trigger. Its answer to each
// delivery is decided by respond.
type subscriber struct {
	*httptest.Server
	mu       sync.Mutex
	attempts map[string]int // event id -> deliveries
	respond  func(attempt int) int
}

func newSubscriber(t *testing.T, respond func(attempt int) int) *subscriber {
	s := &subscriber{attempts: map[string]int{}, respond: respond}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := cehttp.NewEventFromHTTPRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.attempts[e.ID()]++
		n := s.attempts[e.ID()]
		respond := s.respond
		s.mu.Unlock()
		w.WriteHeader(respond(n))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *subscriber) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[id]
}

func (s *subscriber) setRespond(f func(int) int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respond = f
}

func always(status int) func(int) int { return func(int) int { return status } }

// testAgeRecipient is the public half of a fresh age key.
func testAgeRecipient(t *testing.T) string {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id.Recipient().String()
}

func testKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newEvent(typ string) cloudevents.Event {
	e := cloudevents.NewEvent()
	e.SetID(fmt.Sprintf("%s-%d", strings.ReplaceAll(typ, ".", "-"), time.Now().UnixNano()))
	e.SetSource("/e2e")
	e.SetType(typ)
	_ = e.SetData(cloudevents.ApplicationJSON, map[string]string{"hello": "Lugoj"})
	return e
}
