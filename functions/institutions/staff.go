package main

import (
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
)

type staffList struct {
	Staff []institutions.StaffMember `json:"staff"`
	Next  *string                    `json:"next"`
}

func (s *server) listStaff(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	page, errs := pageFrom(r.URL.Query())
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	ctx := r.Context()
	var res staffList
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		items, next, err := institutions.ListStaff(ctx, tx, inst, page)
		if err != nil {
			return err
		}
		res = staffList{Staff: items, Next: cursor(next)}
		// Staff members' addresses and phones are personal data: every read
		// is audited, naming whose were shown.
		shown := make([]uuid.UUID, len(items))
		for i, m := range items {
			shown[i] = m.ID
		}
		return s.audit(ctx, tx, r, inst, "staff.read", "institution", inst, nil, map[string]any{"accounts": shown})
	})
	if err != nil {
		s.refuse(w, "list staff", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

type staffCreate struct {
	Email       string `json:"email"`
	DisplayName string `json:"displayName"`
	Phone       string `json:"phone"`
	Locale      string `json:"locale"`
}

func (req *staffCreate) validate(institution uuid.UUID) (institutions.NewStaff, []httpapi.FieldError) {
	n := institutions.NewStaff{Institution: institution, DisplayName: strings.TrimSpace(req.DisplayName),
		Phone: strings.TrimSpace(req.Phone), Locale: req.Locale}
	var errs []httpapi.FieldError
	a, err := mail.ParseAddress(req.Email)
	if err != nil || a.Address != strings.TrimSpace(req.Email) || len(a.Address) > 254 {
		errs = append(errs, httpapi.Field("email", "email.invalid", "Adresa de e-mail nu este validă.", "The email address is not valid."))
	} else {
		n.Email = strings.ToLower(a.Address)
	}
	if n.DisplayName == "" || utf8.RuneCountInString(n.DisplayName) > 200 {
		errs = append(errs, httpapi.Field("displayName", "displayName.invalid", "Completați numele (cel mult 200 de caractere).",
			"Give a name (at most 200 characters)."))
	}
	if utf8.RuneCountInString(n.Phone) > 30 {
		errs = append(errs, httpapi.Field("phone", "phone.invalid", "Numărul de telefon nu este valid.", "The phone number is not valid."))
	}
	if n.Locale == "" {
		n.Locale = "ro"
	}
	if n.Locale != "ro" && n.Locale != "en" {
		errs = append(errs, httpapi.Field("locale", "locale.invalid", "Limba poate fi ro sau en.", "The language may be ro or en."))
	}
	return n, errs
}

// createStaff creates a staff account without a password and mails it an
// invitation: a link to set the password, which also proves the address.
// Roles are assigned separately.
func (s *server) createStaff(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var req staffCreate
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
	var res institutions.StaffMember
	var result institutions.Result
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if res, result, err = institutions.CreateStaff(ctx, tx, n); err != nil || result != institutions.Created {
			return err
		}
		if err := s.audit(ctx, tx, r, inst, "staff.create", "account", res.ID, nil, map[string]any{
			"email": res.Email, "displayName": res.DisplayName, "phone": res.Phone, "locale": res.Locale}); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeAccountRegistered, inst, map[string]string{"accountId": res.ID.String(), "kind": "staff"})
		if err != nil {
			return err
		}
		published = append(published, oid)
		oid, err = institutions.Invite(ctx, tx, s.links, inst, res.ID)
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "create staff member", err)
		return
	}
	if result == institutions.Conflicted {
		httpapi.Conflict(w, "staff_exists", "a staff member of the institution has this address, with other data")
		return
	}
	s.outbox.Publish(ctx, published...)
	created(w, result, res)
}
