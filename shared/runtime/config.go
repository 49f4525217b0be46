// Package runtime serves a function: HTTP or CloudEvents over HTTP, with
// liveness and readiness endpoints, structured logs, and a graceful shutdown
// on SIGTERM that drains in-flight requests.
package runtime

import "time"

// Config is the part of every function's configuration that the runtime reads.
type Config struct {
	// Host is the address to bind; empty means every interface, as in a pod.
	// The local stack binds 127.0.0.1.
	Host string `envconfig:"HOST"`
	// Port is set by Knative.
	Port            int           `envconfig:"PORT" default:"8080"`
	LogLevel        string        `envconfig:"LOG_LEVEL" default:"info"`
	ShutdownTimeout time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"25s"`
	// EventPath is set by Knative's JobSink in the Jobs it starts: the
	// directory holding the event the Job is for (see Job).
	EventPath string `envconfig:"K_EVENT_PATH"`
}
