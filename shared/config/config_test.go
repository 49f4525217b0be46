package config_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/config"
)

type spec struct {
	DatabaseURL string        `envconfig:"DATABASE_URL" required:"true"`
	Timeout     time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"25s"`
	Port        int           `envconfig:"PORT" default:"8080"`
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // substring; empty means success
	}{
		{name: "all set", env: map[string]string{"DATABASE_URL": "postgres://x", "PORT": "9000"}},
		{name: "required missing", env: map[string]string{}, wantErr: "DATABASE_URL"},
		{name: "malformed int", env: map[string]string{"DATABASE_URL": "postgres://x", "PORT": "eighty"}, wantErr: `PORT="eighty"`},
		{name: "malformed duration", env: map[string]string{"DATABASE_URL": "postgres://x", "SHUTDOWN_TIMEOUT": "soon"}, wantErr: "SHUTDOWN_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"DATABASE_URL", "PORT", "SHUTDOWN_TIMEOUT"} {
				t.Setenv(k, "") // restores the variable after the test
				if v, ok := tt.env[k]; ok {
					os.Setenv(k, v)
				} else {
					os.Unsetenv(k)
				}
			}
			var s spec
			err := config.Load(&s)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if s.Port != 9000 || s.Timeout != 25*time.Second {
					t.Fatalf("Load filled %+v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Load error = %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}
