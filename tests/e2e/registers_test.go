package e2e

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/infra/seed"
)

// PATCH of a register is a JSON merge patch under If-Match: it changes
// what it names and keeps the rest (a rename keeps the description and
// the departments), null removes, and the code and kind never change.
func TestRegisterPatchKeepsUnnamedFields(t *testing.T) {
	_, as := registryPlatform(t, 1<<20)
	inst := seed.InstitutionID(seed.LugojCIF)
	admin := as("admin@primarialugoj.ro")
	urbanism := seed.DepartmentID(seed.LugojCIF, "DT-UAT")
	type registerView struct {
		Code        string      `json:"code"`
		Name        string      `json:"name"`
		Kind        string      `json:"kind"`
		Description string      `json:"description"`
		Departments []uuid.UUID `json:"departments"`
		ClosedAt    *string     `json:"closedAt"`
	}
	created := admin.do(http.MethodPost, "/api/institutions/"+inst.String()+"/registers", map[string]any{"code": "URB-P", "name": "Registrul urbanismului",
		"kind": "incoming", "description": "Cererile de certificate și autorizații", "departments": []uuid.UUID{urbanism}}).want(t, http.StatusCreated)
	path, tag := created.header.Get("Location"), created.header.Get("ETag")

	var v registerView
	r := admin.do(http.MethodPatch, path, map[string]any{"name": "Registrul de urbanism"}, "If-Match", tag).want(t, http.StatusOK)
	r.json(t, &v)
	if v.Name != "Registrul de urbanism" || v.Description != "Cererile de certificate și autorizații" ||
		!slices.Equal(v.Departments, []uuid.UUID{urbanism}) || v.Code != "URB-P" || v.Kind != "incoming" || v.ClosedAt != nil {
		t.Fatalf("after renaming: %+v, want the description, departments, code and kind kept", v)
	}
	tag = r.header.Get("ETag")

	// The old tag is stale.
	admin.do(http.MethodPatch, path, map[string]any{"closed": true}, "If-Match", created.header.Get("ETag")).want(t, http.StatusPreconditionFailed)

	r = admin.do(http.MethodPatch, path, map[string]any{"description": nil, "closed": true}, "If-Match", tag).want(t, http.StatusOK)
	r.json(t, &v)
	if v.Name != "Registrul de urbanism" || v.Description != "" || !slices.Equal(v.Departments, []uuid.UUID{urbanism}) || v.ClosedAt == nil {
		t.Fatalf("after removing the description and closing: %+v", v)
	}
	tag = r.header.Get("ETag")

	for _, tc := range []struct {
		name  string
		patch map[string]any
		field string
	}{
		{"another code", map[string]any{"code": "ALT"}, "code"},
		{"another kind", map[string]any{"kind": "outgoing"}, "kind"},
		{"no name", map[string]any{"name": nil}, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var prob struct {
				Errors []struct{ Field string } `json:"errors"`
			}
			admin.do(http.MethodPatch, path, tc.patch, "If-Match", tag).want(t, http.StatusUnprocessableEntity).json(t, &prob)
			if len(prob.Errors) == 0 || prob.Errors[0].Field != tc.field {
				t.Errorf("errors %+v, want %s named", prob.Errors, tc.field)
			}
		})
	}
	var after registerView
	admin.do(http.MethodGet, path, nil).want(t, http.StatusOK).json(t, &after)
	if after.Code != "URB-P" || after.Kind != "incoming" || after.Name != "Registrul de urbanism" {
		t.Errorf("refused patches changed the register: %+v", after)
	}
}
