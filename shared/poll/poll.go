// Package poll waits for a condition in tests, with a deadline, instead of
// sleeping for a guessed time.
package poll

import (
	"testing"
	"time"
)

// Until checks cond every few milliseconds until it holds, failing the test
// with what if it does not hold within timeout.
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		<-tick.C
	}
}
