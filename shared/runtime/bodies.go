package runtime

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// bodyGuard bounds how clients send request bodies. Uploads may take
// minutes (a file may be 200 MiB), so no deadline bounds a whole body;
// instead each read of it may wait at most idle for a byte, and a client
// (access.ClientIP) may have at most perClient bodies being read at once.
// Without these, slow uploads hold the server's connections indefinitely.
type bodyGuard struct {
	idle      time.Duration
	perClient int

	mu      sync.Mutex
	reading map[string]int
}

// GuardBodies bounds the request bodies h reads as Serve does, with cfg's
// BodyIdleTimeout and MaxBodiesPerClient (zero: the defaults); for servers
// the runtime does not start, such as the local stack's gateway.
func GuardBodies(cfg Config, h http.Handler) http.Handler {
	cfg = cfg.withServerDefaults()
	return newBodyGuard(cfg.BodyIdleTimeout, cfg.MaxBodiesPerClient).wrap(h)
}

func newBodyGuard(idle time.Duration, perClient int) *bodyGuard {
	return &bodyGuard{idle: idle, perClient: perClient, reading: map[string]int{}}
}

func (g *bodyGuard) acquire(client string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.reading[client] >= g.perClient {
		return false
	}
	g.reading[client]++
	return true
}

func (g *bodyGuard) release(client string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.reading[client] <= 1 {
		delete(g.reading, client)
		return
	}
	g.reading[client]--
}

func (g *bodyGuard) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		client := access.ClientIP(r)
		if !g.acquire(client) {
			// Close the connection at once: the server would otherwise
			// read what is left of a body it refused, at the client's pace.
			_ = rc.SetReadDeadline(time.Now())
			w.Header().Set("Connection", "close")
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(g.idle.Seconds()))))
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusTooManyRequests, Code: "too_many_uploads",
				Detail: fmt.Sprintf("at most %d requests from one address may be sending their body at once; retry when one has ended", g.perClient)})
			return
		}
		body := &guardedBody{body: r.Body, rc: rc, idle: g.idle, release: func() { g.release(client) }}
		gw := &guardedWriter{ResponseWriter: w, body: body}
		r.Body = body
		defer body.finish()
		next.ServeHTTP(gw, r)
		if !gw.started && body.stalled.Load() {
			gw.WriteHeader(http.StatusRequestTimeout)
		}
	})
}

// guardedBody extends the connection's read deadline by idle before each
// read of the body, and gives back the client's slot when the body ends.
type guardedBody struct {
	body    io.ReadCloser
	rc      *http.ResponseController
	idle    time.Duration
	release func()

	once    sync.Once
	done    atomic.Bool // read to its end, failed, or closed
	stalled atomic.Bool // no byte came for idle
}

func (b *guardedBody) Read(p []byte) (int, error) {
	if b.done.Load() {
		return b.body.Read(p)
	}
	_ = b.rc.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.body.Read(p)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		// Past the body the server reads the connection in the background
		// to notice a client going away; a deadline left here would end
		// that read, and cancel the request's context, while the handler
		// still works.
		_ = b.rc.SetReadDeadline(time.Time{})
		b.end()
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.stalled.Store(true)
		b.end()
		err = fmt.Errorf("request body: no data for %s: %w", b.idle, err)
	default:
		b.end()
	}
	return n, err
}

func (b *guardedBody) Close() error {
	if !b.done.Load() {
		// Closing reads what is left of the body, at the client's pace.
		_ = b.rc.SetReadDeadline(time.Now().Add(b.idle))
	}
	b.end()
	return b.body.Close()
}

func (b *guardedBody) end() {
	b.done.Store(true)
	b.once.Do(b.release)
}

// finish runs when the handler has returned: the server reads what is left
// of an unfinished body, which must not take longer than idle either.
func (b *guardedBody) finish() {
	if !b.done.Load() {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.idle))
	}
	b.end()
}

// guardedWriter answers 408 in place of the handler's answer when the body
// stalled: whatever the handler made of its failed read, the client is the
// one who stopped sending.
type guardedWriter struct {
	http.ResponseWriter
	body     *guardedBody
	started  bool
	replaced bool
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *guardedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *guardedWriter) WriteHeader(status int) {
	if status < http.StatusOK && !w.replaced {
		w.ResponseWriter.WriteHeader(status) // informational: the answer is still to come
		return
	}
	if w.started {
		if !w.replaced {
			w.ResponseWriter.WriteHeader(status)
		}
		return
	}
	w.started = true
	if !w.body.stalled.Load() {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.replaced = true
	h := w.ResponseWriter.Header()
	for k := range h {
		delete(h, k)
	}
	h.Set("Connection", "close")
	httpapi.WriteProblem(w.ResponseWriter, httpapi.Problem{Status: http.StatusRequestTimeout, Code: "body_stalled",
		Detail: fmt.Sprintf("no data of the request's body arrived for %s", w.body.idle)})
}

func (w *guardedWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}
