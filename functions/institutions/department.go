package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
)

func kindErrors(kind string) []httpapi.FieldError {
	if !slices.Contains(institutions.DepartmentKinds(), kind) {
		return []httpapi.FieldError{httpapi.Field("kind", "kind.invalid",
			"Tipul poate fi direction (direcție), service (serviciu), office (birou) sau compartment (compartiment).",
			"The kind may be direction, service, office or compartment.")}
	}
	return nil
}

// codeErrors allows short codes of letters, digits and . _ - (such as
// "DT-UAT"), which read well in registry numbers and file indicators.
func codeErrors(code string) []httpapi.FieldError {
	ok := code != "" && len(code) <= 32
	for i, c := range code {
		letterOrDigit := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !letterOrDigit && (i == 0 || !strings.ContainsRune("._-", c)) {
			ok = false
		}
	}
	if !ok {
		return []httpapi.FieldError{httpapi.Field("code", "code.invalid",
			"Codul are 1–32 de litere, cifre, „.”, „_” sau „-” și începe cu o literă sau o cifră.",
			"The code has 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit.")}
	}
	return nil
}

func parentError() httpapi.FieldError {
	return httpapi.Field("parentId", "parentId.invalid", "Compartimentul părinte nu este un identificator valid.",
		"The parent department is not a valid id.")
}

type departmentCreate struct {
	Kind     string  `json:"kind"`
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	ParentID *string `json:"parentId"`
}

func (req *departmentCreate) validate(institution uuid.UUID) (institutions.NewDepartment, []httpapi.FieldError) {
	n := institutions.NewDepartment{Institution: institution, Kind: req.Kind, Code: strings.TrimSpace(req.Code),
		Name: strings.TrimSpace(req.Name)}
	errs := kindErrors(n.Kind)
	errs = append(errs, codeErrors(n.Code)...)
	errs = append(errs, nameErrors(n.Name)...)
	if req.ParentID != nil {
		id, err := uuid.Parse(*req.ParentID)
		if err != nil {
			errs = append(errs, parentError())
		}
		n.Parent = &id
	}
	return n, errs
}

// departmentEvent is the data of the department events.
func departmentEvent(d institutions.Department) map[string]any {
	return map[string]any{"institutionId": d.InstitutionID, "departmentId": d.ID, "parentId": d.ParentID,
		"kind": d.Kind, "code": d.Code, "name": d.Name}
}

func (s *server) createDepartment(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var req departmentCreate
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	n, errs := req.validate(inst)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	n.ID, _ = uuid.NewV7()
	ctx := r.Context()
	var res institutions.Department
	var result institutions.Result
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if res, result, err = institutions.CreateDepartment(ctx, tx, n); err != nil || result != institutions.Created {
			return err
		}
		if err := s.audit(ctx, tx, r, inst, "department.create", "department", res.ID, nil, res); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeDepartmentCreated, inst, departmentEvent(res))
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "create department", err)
		return
	}
	if result == institutions.Conflicted {
		httpapi.Conflict(w, "department_exists", "another department of the institution has this code")
		return
	}
	s.outbox.Publish(ctx, published...)
	created(w, result, res)
}

func (s *server) getDepartment(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "department")
	if !ok {
		return
	}
	var res institutions.Department
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		var err error
		res, err = institutions.GetDepartment(r.Context(), tx, inst, id)
		return err
	})
	if err != nil {
		s.refuse(w, "get department", err)
		return
	}
	w.Header().Set("ETag", etag(res.UpdatedAt))
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// nullable is a PATCH field that may be left out (Set false), null, or a
// value: for a parent, null means "make it top-level", which leaving it out
// does not.
type nullable[T any] struct {
	Set   bool
	Value *T
}

func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	return json.Unmarshal(b, &n.Value)
}

type departmentPatch struct {
	Kind     *string          `json:"kind"`
	Code     *string          `json:"code"`
	Name     *string          `json:"name"`
	ParentID nullable[string] `json:"parentId"`
}

// validate checks the request and returns the changes it asks for.
func (p *departmentPatch) validate() (institutions.DepartmentChanges, []httpapi.FieldError) {
	var c institutions.DepartmentChanges
	var errs []httpapi.FieldError
	if p.Kind != nil {
		c.Kind = p.Kind
		errs = append(errs, kindErrors(*p.Kind)...)
	}
	if p.Code != nil {
		code := strings.TrimSpace(*p.Code)
		c.Code = &code
		errs = append(errs, codeErrors(code)...)
	}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		c.Name = &name
		errs = append(errs, nameErrors(name)...)
	}
	if p.ParentID.Set {
		parent := uuid.Nil
		if p.ParentID.Value != nil {
			var err error
			if parent, err = uuid.Parse(*p.ParentID.Value); err != nil {
				errs = append(errs, parentError())
			}
		}
		c.MoveTo = &parent
	}
	return c, errs
}

// unchanged drops from c what would not change cur, and reports whether
// anything is left.
func unchanged(c *institutions.DepartmentChanges, cur institutions.Department) bool {
	if c.Kind != nil && *c.Kind == cur.Kind {
		c.Kind = nil
	}
	if c.Code != nil && *c.Code == cur.Code {
		c.Code = nil
	}
	if c.Name != nil && *c.Name == cur.Name {
		c.Name = nil
	}
	if c.MoveTo != nil && *c.MoveTo == orNil(cur.ParentID) {
		c.MoveTo = nil
	}
	return c.Kind == nil && c.Code == nil && c.Name == nil && c.MoveTo == nil
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func (s *server) updateDepartment(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "department")
	if !ok {
		return
	}
	ifMatch, ok := httpapi.RequireIfMatch(w, r)
	if !ok {
		return
	}
	var req departmentPatch
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	changes, errs := req.validate()
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	ctx := r.Context()
	var res institutions.Department
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		cur, err := institutions.LockDepartment(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		if !httpapi.IfMatch(ifMatch, etag(cur.UpdatedAt)) {
			return errStale
		}
		if unchanged(&changes, cur) {
			res = cur
			return nil
		}
		if res, err = institutions.UpdateDepartment(ctx, tx, inst, id, changes); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, r, inst, "department.update", "department", id, cur, res); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeDepartmentUpdated, inst, departmentEvent(res))
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "update department", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	w.Header().Set("ETag", etag(res.UpdatedAt))
	httpapi.WriteJSON(w, http.StatusOK, res)
}

func (s *server) deleteDepartment(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "department")
	if !ok {
		return
	}
	ctx := r.Context()
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := institutions.DeleteDepartment(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, r, inst, "department.delete", "department", id, old, nil); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeDepartmentDeleted, inst, map[string]any{"institutionId": inst, "departmentId": id})
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "delete department", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	w.WriteHeader(http.StatusNoContent)
}
