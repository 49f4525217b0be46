package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// registerCode is short and printable: it is printed before every number
// ("I-123/2026").
var registerCode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.-]{0,19}$`)

var registerKinds = []string{"incoming", "outgoing", "internal", "other"}

type registerInput struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Kind        string      `json:"kind"`
	Description string      `json:"description"`
	Departments []uuid.UUID `json:"departments"`
	Closed      bool        `json:"closed"`
}

func (in registerInput) check(create bool) []httpapi.FieldError {
	var errs []httpapi.FieldError
	if create {
		if !registerCode.MatchString(in.Code) {
			errs = append(errs, httpapi.Field("code", "code.invalid",
				"Codul are 1-20 caractere: majuscule, cifre, punct sau cratimă.", "The code has 1-20 characters: capitals, digits, dot or hyphen."))
		}
		if !oneOf(in.Kind, registerKinds) {
			errs = append(errs, httpapi.Field("kind", "kind.invalid",
				"Tipul este intrare, ieșire, intern sau altul.", "The kind is incoming, outgoing, internal or other."))
		}
	}
	errs = append(errs, text("name", in.Name, 200, true)...)
	errs = append(errs, text("description", in.Description, 2000, false)...)
	if len(in.Departments) > 100 {
		errs = append(errs, httpapi.Field("departments", "departments.too_many", "Cel mult 100 de compartimente.", "At most 100 departments."))
	}
	return errs
}

// registerETag is a strong tag of the register's representation: it has no
// version column, and changes rarely.
func registerETag(r registry.Register) string {
	b, _ := json.Marshal(registerView(r))
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

func (s *server) listRegisters(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	var regs []registry.Register
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		regs, err = registry.ListRegisters(ctx, tx, inst)
		return err
	})
	if err != nil {
		s.refuse(w, "list registers", err)
		return
	}
	out := struct {
		Items []registerJSON `json:"items"`
	}{Items: []registerJSON{}}
	for _, reg := range regs {
		out.Items = append(out.Items, registerView(reg))
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

func (s *server) createRegister(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	var in registerInput
	if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	in.Code = strings.TrimSpace(in.Code)
	if errs := in.check(true); len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	id, err := uuid.NewV7()
	if err != nil {
		s.refuse(w, "create register", err)
		return
	}
	by := actorOf(ctx, r)
	var reg registry.Register
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := registry.CreateRegister(ctx, tx, registry.Register{Institution: inst, ID: id, Code: in.Code,
			Name: strings.TrimSpace(in.Name), Kind: in.Kind, Description: strings.TrimSpace(in.Description), Departments: in.Departments}); err != nil {
			return err
		}
		var err error
		if reg, err = registry.GetRegister(ctx, tx, inst, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, inst, "register.create", "register", id, nil, registerView(reg), "")
	})
	if err != nil {
		s.refuse(w, "create register", err)
		return
	}
	w.Header().Set("Location", "/api/institutions/"+inst.String()+"/registers/"+id.String())
	w.Header().Set("ETag", registerETag(reg))
	httpapi.WriteJSON(w, http.StatusCreated, registerView(reg))
}

func (s *server) getRegister(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "register")
	if !ok {
		return
	}
	var reg registry.Register
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		reg, err = registry.GetRegister(ctx, tx, inst, id)
		return err
	})
	if err != nil {
		if errors.Is(err, registry.ErrNoRegister) {
			httpapi.NotFound(w)
			return
		}
		s.refuse(w, "get register", err)
		return
	}
	w.Header().Set("ETag", registerETag(reg))
	httpapi.WriteJSON(w, http.StatusOK, registerView(reg))
}

// registerPatch is a JSON merge patch (RFC 7396) of a register: what it
// does not name stays as it is.
type registerPatch struct {
	Code        httpapi.Patch[string]      `json:"code"`
	Name        httpapi.Patch[string]      `json:"name"`
	Kind        httpapi.Patch[string]      `json:"kind"`
	Description httpapi.Patch[string]      `json:"description"`
	Departments httpapi.Patch[[]uuid.UUID] `json:"departments"`
	Closed      httpapi.Patch[bool]        `json:"closed"`
}

// apply is the register's input once patched from cur, and the patch's
// own errors: the code and kind never change (naming them unchanged is
// allowed, so a client may send back what it read).
func (p registerPatch) apply(cur registry.Register) (registerInput, []httpapi.FieldError) {
	var errs []httpapi.FieldError
	if p.Code.Set && p.Code.Value != cur.Code {
		errs = append(errs, httpapi.Field("code", "code.immutable", "Codul registrului nu se schimbă.", "A register's code does not change."))
	}
	if p.Kind.Set && p.Kind.Value != cur.Kind {
		errs = append(errs, httpapi.Field("kind", "kind.immutable", "Tipul registrului nu se schimbă.", "A register's kind does not change."))
	}
	in := registerInput{Code: cur.Code, Kind: cur.Kind, Name: p.Name.Apply(cur.Name), Description: p.Description.Apply(cur.Description),
		Departments: p.Departments.Apply(cur.Departments), Closed: p.Closed.Apply(cur.ClosedAt != nil)}
	return in, errs
}

// updateRegister renames a register, changes who may register in it, or
// closes or reopens it, by a JSON merge patch under If-Match: the fields
// the patch does not name keep their values. Its code and kind never
// change.
func (s *server) updateRegister(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "register")
	if !ok {
		return
	}
	ifMatch, ok := httpapi.RequireIfMatch(w, r)
	if !ok {
		return
	}
	var patch registerPatch
	if !httpapi.DecodeMergePatch(w, r, &patch) {
		return
	}
	by := actorOf(ctx, r)
	var after registry.Register
	var refused []httpapi.FieldError
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := registry.GetRegister(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		if !httpapi.IfMatch(ifMatch, registerETag(before)) {
			return errStale
		}
		in, errs := patch.apply(before)
		if refused = append(errs, in.check(false)...); len(refused) > 0 {
			return nil
		}
		upd := registry.Register{Institution: inst, ID: id, Name: strings.TrimSpace(in.Name),
			Description: strings.TrimSpace(in.Description), Departments: in.Departments}
		if in.Closed {
			now := time.Now()
			upd.ClosedAt = &now
		}
		if after, err = registry.UpdateRegister(ctx, tx, upd); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, inst, "register.update", "register", id, registerView(before), registerView(after), "")
	})
	if err != nil {
		if errors.Is(err, registry.ErrNoRegister) {
			httpapi.NotFound(w)
			return
		}
		s.refuse(w, "update register", err)
		return
	}
	if len(refused) > 0 {
		httpapi.Invalid(w, refused)
		return
	}
	w.Header().Set("ETag", registerETag(after))
	httpapi.WriteJSON(w, http.StatusOK, registerView(after))
}
