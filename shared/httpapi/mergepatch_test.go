package httpapi

import (
	"encoding/json"
	"testing"
)

// A merge patch keeps what it does not name, removes what it names null
// and replaces the rest (RFC 7396).
func TestPatchKeepsRemovesReplaces(t *testing.T) {
	var p struct {
		Name        Patch[string]   `json:"name"`
		Description Patch[string]   `json:"description"`
		Tags        Patch[[]string] `json:"tags"`
	}
	if err := json.Unmarshal([]byte(`{"description": null, "tags": ["a"]}`), &p); err != nil {
		t.Fatal(err)
	}
	if got := p.Name.Apply("Registrul general"); got != "Registrul general" {
		t.Errorf("absent name = %q, want it kept", got)
	}
	if got := p.Description.Apply("Intrări"); got != "" || !p.Description.Null {
		t.Errorf("null description = %q, want it removed", got)
	}
	if got := p.Tags.Apply([]string{"x", "y"}); len(got) != 1 || got[0] != "a" {
		t.Errorf("tags = %v, want replaced by [a]", got)
	}
}
