package documents

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// The declared size is held to the byte, both ways.
func TestSizeCheckerHoldsTheDeclaredSize(t *testing.T) {
	for _, tc := range []struct {
		name     string
		body     string
		declared int64
		mismatch bool
	}{
		{"exact", "abcdef", 6, false},
		{"more than declared", "abcdefg", 6, true},
		{"fewer than declared", "abcde", 6, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &SizeChecker{R: strings.NewReader(tc.body), Declared: tc.declared}
			_, err := io.ReadAll(c)
			if c.Mismatch() != tc.mismatch || errors.Is(err, ErrSizeMismatch) != tc.mismatch {
				t.Errorf("mismatch %v, error %v; want mismatch %v", c.Mismatch(), err, tc.mismatch)
			}
		})
	}
}
