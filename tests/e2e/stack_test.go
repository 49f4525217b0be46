package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/httpapi/openapitest"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// devstackRun is `make run`: the devstack binary over a data directory.
type devstackRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    *lockedBuffer
	exited chan struct{}
	base   int
	data   string
}

func startDevstack(t *testing.T, data string, base int) *devstackRun {
	t.Helper()
	d := &devstackRun{t: t, out: &lockedBuffer{}, exited: make(chan struct{}), base: base, data: data}
	d.cmd = exec.Command(filepath.Join(binDir, "devstack"), "run", "-data", data, "-port", fmt.Sprint(base))
	d.cmd.Dir = repoRoot
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			_ = d.cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() {
			t.Logf("devstack output:\n%s", d.out.String())
		}
	})
	poll.Until(t, 4*time.Minute, "make run to report the platform running", func() bool {
		select {
		case <-d.exited:
			t.Fatalf("devstack exited during start:\n%s", d.out.String())
		default:
		}
		return strings.Contains(d.out.String(), "Ghișeu is running")
	})
	return d
}

func (d *devstackRun) url(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", d.base, path)
}

// interrupt sends Ctrl-C and waits for a clean exit.
func (d *devstackRun) interrupt() {
	d.t.Helper()
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		d.t.Fatal(err)
	}
	select {
	case <-d.exited:
	case <-time.After(2 * time.Minute):
		d.t.Fatalf("devstack did not stop within 2 minutes of Ctrl-C:\n%s", d.out.String())
	}
	if code := d.cmd.ProcessState.ExitCode(); code != 0 {
		d.t.Fatalf("devstack exited with %d after Ctrl-C:\n%s", code, d.out.String())
	}
}

func (d *devstackRun) stackEnv() map[string]string {
	d.t.Helper()
	b, err := os.ReadFile(filepath.Join(d.data, "stack.env"))
	if err != nil {
		d.t.Fatal(err)
	}
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env
}

// freePortRange finds n consecutive free loopback ports.
func freePortRange(t *testing.T, n int) int {
	t.Helper()
	base, err := localstack.FreePortRange(n)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

func get(t *testing.T, url string) (*http.Request, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return req, resp
}

// make run on a fresh data directory brings the whole platform up, every
// function reports ready through the gateway, the gateway answers as its
// OpenAPI document says, Ctrl-C stops everything, and a second run finds
// the data of the first.
func TestMakeRun(t *testing.T) {
	data := filepath.Join(t.TempDir(), "local")
	// The gateway, the broker, the services, then one port per function.
	fns, err := os.ReadDir(filepath.Join(repoRoot, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	base := freePortRange(t, 10+len(fns))
	ctx := context.Background()

	first := startDevstack(t, data, base)
	req, resp := get(t, first.url("/readyz"))
	openapitest.Check(t, req, resp)
	var ready struct {
		Status    string            `json:"status"`
		Functions map[string]string `json:"functions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ready); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("readyz = %d %v", resp.StatusCode, err)
	}
	for _, f := range fns {
		if ready.Functions[f.Name()] != "ready" {
			t.Errorf("function %s is %q in readyz, want ready", f.Name(), ready.Functions[f.Name()])
		}
	}
	for _, path := range []string{"/api/openapi.json", "/api/no-such-thing"} {
		req, resp := get(t, first.url(path))
		openapitest.Check(t, req, resp)
	}

	// Leave data behind: a row through a function, an object in S3.
	env := first.stackEnv()
	e := newEvent("ro.ghiseu.test.kept")
	e.SetExtension("knativeerrordest", "http://subscriber.example/")
	deadLetterURL := ""
	for i, f := range fns {
		if f.Name() == "dead-letter" {
			deadLetterURL = fmt.Sprintf("http://127.0.0.1:%d", base+10+i)
		}
	}
	if status := postEvent(t, deadLetterURL, e); status != http.StatusAccepted {
		t.Fatalf("dead-letter answered %d", status)
	}
	store, err := blob.New(ctx, blob.StoreConfig{Endpoint: env["S3_ENDPOINT"], Region: "us-east-1",
		AccessKeyID: env["S3_ACCESS_KEY_ID"], SecretAccessKey: env["S3_SECRET_ACCESS_KEY"]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, "ghiseu-documents", "e2e/kept.txt", strings.NewReader("Primăria Lugoj"), "text/plain"); err != nil {
		t.Fatal(err)
	}

	first.interrupt()
	for _, port := range []int{base, base + 1, base + 2, base + 3, base + 4, base + 10} {
		if c, err := net.DialTimeout("tcp", localstack.Addr(port), time.Second); err == nil {
			c.Close()
			t.Errorf("port %d still answers after Ctrl-C: a process was left running", port)
		}
	}

	second := startDevstack(t, data, base)
	conn, err := pgx.Connect(ctx, second.stackEnv()["ADMIN_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM dead_letter WHERE event_id = $1", e.ID()).Scan(&n); err != nil || n != 1 {
		t.Fatalf("second run: %d rows of the first run's letter (%v), want 1", n, err)
	}
	body, _, err := store.Get(ctx, "ghiseu-documents", "e2e/kept.txt")
	if err != nil {
		t.Fatalf("second run lost the first run's object: %v", err)
	}
	b, _ := io.ReadAll(body)
	body.Close()
	if string(b) != "Primăria Lugoj" {
		t.Fatalf("object = %q", b)
	}
	second.interrupt()
}
