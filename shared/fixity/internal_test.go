package fixity

import (
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The slices of a cycle follow each other without gap or overlap from 0 to
// 2³², so every SHA-256 belongs to exactly one run.
func TestSlicesPartitionTheHashes(t *testing.T) {
	for _, runs := range []int{1, 2, 3, 4, 7, 52, 1000, MaxRunsPerCycle} {
		next := int64(0)
		for run := range runs {
			lo, hi := sliceOf(run, runs)
			if lo != next || hi <= lo {
				t.Fatalf("%d runs: run %d is [%d, %d), want it to start at %d and not be empty", runs, run, lo, hi, next)
			}
			next = hi
		}
		if next != 1<<32 {
			t.Errorf("%d runs end at %d, not 2³²", runs, next)
		}
	}
}

func TestParseContentKey(t *testing.T) {
	inst := uuid.MustParse("0b6f3c4e-8a51-4d6b-9c1e-2f0a7d5e9b13")
	sha := "ab" + strings.Repeat("0123456789abcdef", 4)[2:]
	for _, tc := range []struct {
		name string
		key  string
		ok   bool
	}{
		{"content key", inst.String() + "/sha256/ab/" + sha, true},
		{"temporary object", inst.String() + "/tmp/ABCDEF", false},
		{"directory out of step", inst.String() + "/sha256/cd/" + sha, false},
		{"upper-case hex", inst.String() + "/sha256/AB/" + strings.ToUpper(sha), false},
		{"short hash", inst.String() + "/sha256/ab/" + sha[:63], false},
		{"no institution", "sha256/ab/" + sha, false},
		{"not a uuid", "lugoj/sha256/ab/" + sha, false},
		{"upper-case uuid", strings.ToUpper(inst.String()) + "/sha256/ab/" + sha, false},
		{"deeper", inst.String() + "/x/sha256/ab/" + sha, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gotInst, gotSHA, ok := parseContentKey(tc.key)
			if ok != tc.ok || ok && (gotInst != inst || gotSHA != sha) {
				t.Errorf("parseContentKey(%q) = %v, %q, %v", tc.key, gotInst, gotSHA, ok)
			}
		})
	}
}
