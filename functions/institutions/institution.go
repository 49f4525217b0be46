package main

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/nationalid"
)

// defaultTimeZone is Romania's.
const defaultTimeZone = "Europe/Bucharest"

type institutionList struct {
	Institutions []institutions.Institution `json:"institutions"`
	Next         *string                    `json:"next"`
}

type institutionDetail struct {
	institutions.Institution
	Departments []institutions.DepartmentNode `json:"departments"`
}

func (s *server) listInstitutions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, errs := pageFrom(q)
	var parent uuid.UUID
	if v := q.Get("parent"); v != "" {
		var err error
		if parent, err = uuid.Parse(v); err != nil {
			errs = append(errs, httpapi.Field("parent", "parent.invalid", "Instituția părinte nu este un identificator valid.",
				"The parent institution is not a valid id."))
		}
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	var res institutionList
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		items, next, err := institutions.List(r.Context(), tx, parent, page)
		res = institutionList{Institutions: items, Next: cursor(next)}
		return err
	})
	if err != nil {
		s.refuse(w, "list institutions", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

func (s *server) getInstitution(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var res institutionDetail
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		inst, err := institutions.Get(r.Context(), tx, id)
		if err != nil {
			return err
		}
		ds, err := institutions.Departments(r.Context(), tx, id)
		res = institutionDetail{Institution: inst, Departments: institutions.Chart(ds)}
		return err
	})
	if err != nil {
		s.refuse(w, "get institution", err)
		return
	}
	w.Header().Set("ETag", etag(res.UpdatedAt))
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// nameErrors checks a name of an institution or department.
func nameErrors(name string) []httpapi.FieldError {
	if name == "" || utf8.RuneCountInString(name) > 300 {
		return []httpapi.FieldError{httpapi.Field("name", "name.invalid", "Completați denumirea (cel mult 300 de caractere).",
			"Give a name (at most 300 characters).")}
	}
	return nil
}

func addressErrors(address string) []httpapi.FieldError {
	if utf8.RuneCountInString(address) > 500 {
		return []httpapi.FieldError{httpapi.Field("address", "address.long", "Adresa poate avea cel mult 500 de caractere.",
			"The address may have at most 500 characters.")}
	}
	return nil
}

func timeZoneError() httpapi.FieldError {
	return httpapi.Field("timeZone", "timeZone.invalid", "Fusul orar nu este cunoscut (de exemplu Europe/Bucharest).",
		"The time zone is not known (for example Europe/Bucharest).")
}

// timeZoneErrors checks the zone as Go knows it; checkTimeZone then asks
// PostgreSQL, which must know it too.
func timeZoneErrors(tz string) []httpapi.FieldError {
	// LoadLocation takes "" as UTC and "Local" as the server's zone: neither
	// names a place.
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		return []httpapi.FieldError{timeZoneError()}
	}
	return nil
}

func checkTimeZone(r *http.Request, tx pgx.Tx, tz string) error {
	known, err := institutions.TimeZoneKnown(r.Context(), tx, tz)
	if err != nil {
		return err
	}
	if !known {
		return invalid{timeZoneError()}
	}
	return nil
}

type institutionPatch struct {
	Name            *string `json:"name"`
	Address         *string `json:"address"`
	TimeZone        *string `json:"timeZone"`
	RequireStaffMFA *bool   `json:"requireStaffMfa"`
	// RequireAdminMFA false relaxes the default second factor of the
	// institution's administrators: audited, like every change here.
	RequireAdminMFA *bool `json:"requireAdminMfa"`
}

func (p *institutionPatch) validate() []httpapi.FieldError {
	var errs []httpapi.FieldError
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
		errs = append(errs, nameErrors(*p.Name)...)
	}
	if p.Address != nil {
		*p.Address = strings.TrimSpace(*p.Address)
		errs = append(errs, addressErrors(*p.Address)...)
	}
	if p.TimeZone != nil {
		errs = append(errs, timeZoneErrors(*p.TimeZone)...)
	}
	return errs
}

// changes keeps what differs from cur, and names it as the API does.
func (p *institutionPatch) changes(cur institutions.Institution) (institutions.Changes, []string) {
	var c institutions.Changes
	var names []string
	if p.Name != nil && *p.Name != cur.Name {
		c.Name, names = p.Name, append(names, "name")
	}
	if p.Address != nil && *p.Address != cur.Address {
		c.Address, names = p.Address, append(names, "address")
	}
	if p.TimeZone != nil && *p.TimeZone != cur.TimeZone {
		c.TimeZone, names = p.TimeZone, append(names, "timeZone")
	}
	if p.RequireStaffMFA != nil && *p.RequireStaffMFA != cur.RequireStaffMFA {
		c.RequireStaffMFA, names = p.RequireStaffMFA, append(names, "requireStaffMfa")
	}
	if p.RequireAdminMFA != nil && *p.RequireAdminMFA != cur.RequireAdminMFA {
		c.RequireAdminMFA, names = p.RequireAdminMFA, append(names, "requireAdminMfa")
	}
	return c, names
}

func (s *server) updateInstitution(w http.ResponseWriter, r *http.Request) {
	id, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	ifMatch, ok := httpapi.RequireIfMatch(w, r)
	if !ok {
		return
	}
	var req institutionPatch
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	if errs := req.validate(); len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	ctx := r.Context()
	var res institutions.Institution
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if req.TimeZone != nil {
			if err := checkTimeZone(r, tx, *req.TimeZone); err != nil {
				return err
			}
		}
		cur, err := institutions.Lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if !httpapi.IfMatch(ifMatch, etag(cur.UpdatedAt)) {
			return errStale
		}
		changes, changed := req.changes(cur)
		if len(changed) == 0 {
			res = cur
			return nil
		}
		if res, err = institutions.Update(ctx, tx, id, changes); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, r, id, "institution.update", "institution", id, cur, res); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeInstitutionUpdated, id, map[string]any{"institutionId": id, "changed": changed})
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "update institution", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	w.Header().Set("ETag", etag(res.UpdatedAt))
	httpapi.WriteJSON(w, http.StatusOK, res)
}

type institutionCreate struct {
	CIF             string  `json:"cif"`
	Name            string  `json:"name"`
	Address         string  `json:"address"`
	TimeZone        *string `json:"timeZone"`
	RequireStaffMFA bool    `json:"requireStaffMfa"`
	// RequireAdminMFA absent is true: the default asks administrators for a second factor.
	RequireAdminMFA *bool `json:"requireAdminMfa"`
}

// validate checks the request and returns the institution it asks for.
func (req *institutionCreate) validate(parent uuid.UUID) (institutions.NewInstitution, []httpapi.FieldError) {
	n := institutions.NewInstitution{Parent: parent, Name: strings.TrimSpace(req.Name), Address: strings.TrimSpace(req.Address),
		TimeZone: defaultTimeZone, RequireStaffMFA: req.RequireStaffMFA, RelaxAdminMFA: req.RequireAdminMFA != nil && !*req.RequireAdminMFA}
	var errs []httpapi.FieldError
	cif, err := nationalid.ParseCUI(req.CIF)
	var ie *nationalid.Error
	switch {
	case errors.As(err, &ie):
		errs = append(errs, httpapi.Field("cif", ie.Code, ie.Message("ro"), ie.Message("en")))
	case err != nil:
		errs = append(errs, httpapi.Field("cif", "cui.format", "Codul fiscal nu este valid.", "The fiscal code is not valid."))
	}
	// Stored as digits: RO only says the institution pays VAT, and the same
	// body must not be registered twice by writing it both ways.
	n.CIF = cif.Digits()
	errs = append(errs, nameErrors(n.Name)...)
	errs = append(errs, addressErrors(n.Address)...)
	if req.TimeZone != nil {
		n.TimeZone = *req.TimeZone
		errs = append(errs, timeZoneErrors(n.TimeZone)...)
	}
	return n, errs
}

// createInstitution creates an institution under the one in the path.
func (s *server) createInstitution(w http.ResponseWriter, r *http.Request) {
	parent, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var req institutionCreate
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	n, errs := req.validate(parent)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	n.ID, _ = uuid.NewV7()
	ctx := r.Context()
	var res institutions.Institution
	var result institutions.Result
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkTimeZone(r, tx, n.TimeZone); err != nil {
			return err
		}
		var err error
		if res, result, err = institutions.Create(ctx, tx, n); err != nil || result != institutions.Created {
			return err
		}
		// The transaction acts for the parent, so the act is in its chain
		// and the event is its own.
		if err := s.audit(ctx, tx, r, parent, "institution.create", "institution", res.ID, nil, res); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeInstitutionCreated, parent, map[string]any{
			"institutionId": res.ID, "parentId": res.ParentID, "cif": res.CIF, "name": res.Name})
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "create institution", err)
		return
	}
	if result == institutions.Conflicted {
		httpapi.Conflict(w, "institution_exists", "an institution with this CIF is already registered, with other data")
		return
	}
	s.outbox.Publish(ctx, published...)
	created(w, result, res)
}
