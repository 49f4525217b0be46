// Package config loads a function's configuration from the environment.
//
// Each function declares one struct with envconfig tags, embedding the parts it
// shares with others (runtime.Config, db.Config, blob.Config, events.SinkConfig).
// A missing or malformed variable stops the process at start with a message
// naming the variable, so a misconfigured deployment never half-starts.
package config

import (
	"errors"
	"fmt"

	"github.com/kelseyhightower/envconfig"
)

// Load fills spec from the environment.
func Load(spec any) error {
	err := envconfig.Process("", spec)
	if err == nil {
		return nil
	}
	var pe *envconfig.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("config: environment variable %s=%q is not a valid %s: %w", pe.KeyName, pe.Value, pe.TypeName, pe.Err)
	}
	// envconfig reports a missing required value as "required key NAME missing value".
	return fmt.Errorf("config: %w", err)
}
