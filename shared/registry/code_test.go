package registry_test

import (
	"testing"

	"github.com/ghiseu/ghiseu/shared/registry"
)

func TestCanonicalVerificationCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"7K4Q9XWZAB", "7K4Q9XWZAB"},
		{"7k4q9xwzab", "7K4Q9XWZAB"},
		{" 7K4Q 9XWZ AB ", "7K4Q9XWZAB"},
		{"7K4Q-9XWZ-AB", "7K4Q9XWZAB"},
		{"\t7k4q9xwzab\n", "7K4Q9XWZAB"},
		{"B0X1", "BOXI"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := registry.CanonicalVerificationCode(tt.in); got != tt.want {
			t.Errorf("CanonicalVerificationCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for range 100 {
		if c := registry.NewVerificationCode(); registry.CanonicalVerificationCode(c) != c {
			t.Fatalf("a new code %q is not canonical", c)
		}
	}
}
