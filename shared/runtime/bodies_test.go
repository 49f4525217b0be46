package runtime

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/poll"
)

func startServerWith(t *testing.T, cfg Config, h http.Handler) (addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = serveListener(ctx, ln, cfg, quietLogger(), h, nil)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// countingHandler reads the whole body and answers how many bytes it had;
// a failed read it answers 400, as a careless handler would.
func countingHandler(entered chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if entered != nil {
			entered <- struct{}{}
		}
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "read_failed", Detail: err.Error()})
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, map[string]int64{"bytes": n})
	})
}

// rawUpload opens a connection and sends a POST's headers declaring
// length bytes of body; the test writes the body itself, at its own pace.
func rawUpload(t *testing.T, addr, clientIP string, length int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// A safety net only: the server is expected to answer long before.
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(c, "POST /upload HTTP/1.1\r\nHost: ghiseu\r\nX-Forwarded-For: %s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n", clientIP, length)
	return c
}

func readProblem(t *testing.T, resp *http.Response) httpapi.Problem {
	t.Helper()
	defer resp.Body.Close()
	var p httpapi.Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	return p
}

func TestBodyIdleTimeout(t *testing.T) {
	const length = 60
	cfg := Config{ShutdownTimeout: 5 * time.Second, BodyIdleTimeout: 500 * time.Millisecond}
	tests := []struct {
		name       string
		send       func(c net.Conn) // writes the body, or part of it
		wantStatus int
	}{
		{"a stalled body is ended with 408", func(c net.Conn) {
			_, _ = c.Write(make([]byte, 10))
		}, http.StatusRequestTimeout},
		{"a slow but moving body completes", func(c net.Conn) {
			// 60 bytes, one every 25 ms: the whole takes three times the
			// idle time, no pause comes near it.
			tick := time.NewTicker(25 * time.Millisecond)
			defer tick.Stop()
			for range length {
				<-tick.C
				_, _ = c.Write([]byte{'x'})
			}
		}, http.StatusOK},
	}
	addr := startServerWith(t, cfg, countingHandler(nil))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawUpload(t, addr, "10.0.0.1", length)
			tt.send(c)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusRequestTimeout {
				resp.Body.Close()
				return
			}
			if p := readProblem(t, resp); p.Code != "body_stalled" {
				t.Errorf("problem code = %q, want body_stalled (the handler's own answer must not leak)", p.Code)
			}
			// The connection is closed, not kept for a body that never comes.
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
				t.Errorf("after the 408 the connection reads %v, want EOF", err)
			}
		})
	}
}

func TestHeadersNeverFinishedAreCut(t *testing.T) {
	addr := startServerWith(t, Config{ShutdownTimeout: 5 * time.Second, ReadHeaderTimeout: 300 * time.Millisecond},
		countingHandler(nil))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // a safety net only
	if _, err := io.WriteString(c, "POST /upload HTTP/1.1\r\nHost: ghiseu\r\n"); err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a connection whose headers never finished")
	}
}

func TestSlowBodiesAreBoundedPerClient(t *testing.T) {
	const perClient = 2
	// Long enough that the stalled bodies stay for the whole test.
	cfg := Config{ShutdownTimeout: 5 * time.Second, BodyIdleTimeout: 15 * time.Second, MaxBodiesPerClient: perClient}
	entered := make(chan struct{}, 16)
	addr := startServerWith(t, cfg, countingHandler(entered))

	var slow []net.Conn
	for range perClient {
		c := rawUpload(t, addr, "10.0.0.1", 100)
		_, _ = c.Write([]byte("x"))
		slow = append(slow, c)
		<-entered
	}

	post := func(clientIP string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/upload", strings.NewReader("a small file"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Forwarded-For", clientIP)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	tests := []struct {
		name       string
		clientIP   string
		wantStatus int
	}{
		{"one more from the same address", "10.0.0.1", http.StatusTooManyRequests},
		{"another address", "10.0.0.2", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(tt.clientIP)
			if resp.StatusCode != tt.wantStatus {
				resp.Body.Close()
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus != http.StatusTooManyRequests {
				resp.Body.Close()
				return
			}
			if got := resp.Header.Get("Retry-After"); got != "15" {
				t.Errorf("Retry-After = %q, want 15", got)
			}
			if p := readProblem(t, resp); p.Code != "too_many_uploads" {
				t.Errorf("problem code = %q, want too_many_uploads", p.Code)
			}
		})
	}

	// When the slow clients go away their places are given back.
	for _, c := range slow {
		c.Close()
	}
	poll.Until(t, 10*time.Second, "the address to be served again", func() bool {
		resp := post("10.0.0.1")
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// Every answer of a function carries nosniff, JSON or not.
func TestAnswersAreNotSniffed(t *testing.T) {
	addr := startServerWith(t, Config{ShutdownTimeout: 5 * time.Second}, countingHandler(nil))
	tests := []struct {
		name, method, path string
		wantStatus         int
	}{
		{"JSON", http.MethodPost, "/upload", http.StatusOK},
		{"readiness", http.MethodGet, "/readyz", http.StatusOK},
		{"liveness, without a body", http.MethodGet, "/healthz", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, "http://"+addr+tt.path, strings.NewReader("x"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
		})
	}
}
