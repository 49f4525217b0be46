// Package runtime serves a function: HTTP or CloudEvents over HTTP, with
// liveness and readiness endpoints, structured logs, and a graceful shutdown
// on SIGTERM that drains in-flight requests.
package runtime

import "time"

// The defaults of the HTTP server's bounds, for a Config not loaded from
// the environment (zero values).
const (
	defaultReadHeaderTimeout  = 10 * time.Second
	defaultIdleTimeout        = 2 * time.Minute
	defaultBodyIdleTimeout    = 30 * time.Second
	defaultMaxBodiesPerClient = 32
)

func (c Config) withServerDefaults() Config {
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = defaultReadHeaderTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = defaultIdleTimeout
	}
	if c.BodyIdleTimeout <= 0 {
		c.BodyIdleTimeout = defaultBodyIdleTimeout
	}
	if c.MaxBodiesPerClient <= 0 {
		c.MaxBodiesPerClient = defaultMaxBodiesPerClient
	}
	return c
}

// Config is the part of every function's configuration that the runtime reads.
type Config struct {
	// Host is the address to bind; empty means every interface, as in a pod.
	// The local stack binds 127.0.0.1.
	Host string `envconfig:"HOST"`
	// Port is set by Knative.
	Port            int           `envconfig:"PORT" default:"8080"`
	LogLevel        string        `envconfig:"LOG_LEVEL" default:"info"`
	ShutdownTimeout time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"25s"`
	// ReadHeaderTimeout bounds how long a client may take to send a
	// request's headers; IdleTimeout how long a kept-alive connection waits
	// for the next request.
	ReadHeaderTimeout time.Duration `envconfig:"HTTP_READ_HEADER_TIMEOUT" default:"10s"`
	IdleTimeout       time.Duration `envconfig:"HTTP_IDLE_TIMEOUT" default:"2m"`
	// BodyIdleTimeout is the longest a request's body may go without a
	// byte before the request is ended with 408. A whole body has no
	// deadline: an upload may be 200 MiB on a slow line.
	BodyIdleTimeout time.Duration `envconfig:"HTTP_BODY_IDLE_TIMEOUT" default:"30s"`
	// MaxBodiesPerClient bounds the request bodies one client address may
	// be sending at once; beyond it the answer is 429. A body counts from
	// the request's start to its last byte, so only slow uploads hold one.
	MaxBodiesPerClient int `envconfig:"HTTP_MAX_BODIES_PER_CLIENT" default:"32"`
	// EventPath is set by Knative's JobSink in the Jobs it starts: the
	// directory holding the event the Job is for (see Job).
	EventPath string `envconfig:"K_EVENT_PATH"`
}
