package runtime

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// sensitiveKeys are log attribute keys whose values are personal data or
// secrets. Logs leave the institution's control (aggregators, support), so
// these are masked whatever a handler passes.
var sensitiveKeys = map[string]bool{
	"cnp": true, "cui_owner": true, "email": true, "phone": true, "password": true,
	"token": true, "secret": true, "authorization": true, "cookie": true, "iban": true,
}

// NewLogger returns a JSON logger writing to w at the given level
// (debug, info, warn, error), masking sensitive attributes.
func NewLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l, ReplaceAttr: maskSensitive})
	return slog.New(h), nil
}

func maskSensitive(_ []string, a slog.Attr) slog.Attr {
	if sensitiveKeys[strings.ToLower(a.Key)] {
		return slog.String(a.Key, Mask(a.Value.String()))
	}
	return a
}

// Mask keeps the first and last character of s and hides the rest, enough for
// an operator to tell two values apart without reading either.
func Mask(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
