package main

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/links"
	"github.com/ghiseu/ghiseu/shared/nationalid"
)

type signUpRequest struct {
	Kind        string `json:"kind"` // person or company
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"displayName"`
	Phone       string `json:"phone"`
	CNP         string `json:"cnp"`
	CUI         string `json:"cui"`
	Locale      string `json:"locale"`
	// Next is where the citizen was going when asked to sign in (a path of
	// this site): the verification link carries it back.
	Next string `json:"next"`
}

// accepted is the one answer to a sign-up or a reset request, whether or not
// the address has an account: the answer must not tell.
func accepted(w http.ResponseWriter) {
	httpapi.WriteJSON(w, http.StatusAccepted, map[string]string{
		"status":  "check_email",
		"message": "Dacă adresa poate fi folosită, veți primi un mesaj cu pașii următori.",
	})
}

func validEmail(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != strings.TrimSpace(s) || len(s) > 254 {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

func passwordErrors(field, pw string) []httpapi.FieldError {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < 10:
		return []httpapi.FieldError{httpapi.Field(field, "password.short",
			"Parola trebuie să aibă cel puțin 10 caractere.", "The password must be at least 10 characters long.")}
	case n > 256:
		return []httpapi.FieldError{httpapi.Field(field, "password.long",
			"Parola poate avea cel mult 256 de caractere.", "The password may be at most 256 characters long.")}
	}
	return nil
}

func (req *signUpRequest) validate() (email string, errs []httpapi.FieldError) {
	if req.Kind != "person" && req.Kind != "company" {
		errs = append(errs, httpapi.Field("kind", "kind.invalid", "Alegeți persoană fizică sau juridică.", "Choose person or company."))
	}
	email, ok := validEmail(req.Email)
	if !ok {
		errs = append(errs, httpapi.Field("email", "email.invalid", "Adresa de e-mail nu este validă.", "The email address is not valid."))
	}
	errs = append(errs, passwordErrors("password", req.Password)...)
	if name := strings.TrimSpace(req.DisplayName); name == "" || utf8.RuneCountInString(name) > 200 {
		errs = append(errs, httpapi.Field("displayName", "displayName.invalid", "Completați numele (cel mult 200 de caractere).",
			"Give a name (at most 200 characters)."))
	}
	if utf8.RuneCountInString(req.Phone) > 30 {
		errs = append(errs, httpapi.Field("phone", "phone.invalid", "Numărul de telefon nu este valid.", "The phone number is not valid."))
	}
	switch req.Kind {
	case "person":
		if _, err := nationalid.ParseCNP(req.CNP); err != nil {
			errs = append(errs, idError("cnp", err))
		}
	case "company":
		if _, err := nationalid.ParseCUI(req.CUI); err != nil {
			errs = append(errs, idError("cui", err))
		}
	}
	if req.Locale == "" {
		req.Locale = "ro"
	}
	if req.Locale != "ro" && req.Locale != "en" {
		errs = append(errs, httpapi.Field("locale", "locale.invalid", "Limba poate fi ro sau en.", "The language may be ro or en."))
	}
	if req.Next != "" && !links.ReturnPath(req.Next) {
		errs = append(errs, httpapi.Field("next", "next.invalid", "Adresa de întoarcere trebuie să fie o pagină a acestui site.",
			"The return address must be a page of this site."))
	}
	return email, errs
}

func idError(field string, err error) httpapi.FieldError {
	var ie *nationalid.Error
	if errors.As(err, &ie) {
		return httpapi.Field(field, ie.Code, ie.Message("ro"), ie.Message("en"))
	}
	return httpapi.Field(field, field+".invalid", "Codul nu este valid.", "The code is not valid.")
}

func (s *server) signUp(w http.ResponseWriter, r *http.Request) {
	var req signUpRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	email, errs := req.validate()
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	hash, err := argon2id.CreateHash(req.Password, institutions.HashParams())
	if err != nil {
		s.fail(w, "hash password", err)
		return
	}
	id, _ := uuid.NewV7()
	var cnpSealed, cnpIndex []byte
	var cnpMasked, cui *string
	if req.Kind == "person" {
		cnp, _ := nationalid.ParseCNP(req.CNP)
		if cnpSealed, err = s.pii.Seal([]byte(cnp.String()), cnpContext(id)); err != nil {
			s.fail(w, "seal cnp", err)
			return
		}
		cnpIndex = s.pii.Index("cnp", cnp.String())
		m := nationalid.MaskCNP(cnp.String())
		cnpMasked = &m
	} else {
		c, _ := nationalid.ParseCUI(req.CUI)
		v := c.Digits()
		cui = &v
	}

	var published []int64
	err = db.PlatformTx(r.Context(), s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(r.Context(), `
			INSERT INTO account (id, kind, email, phone, display_name, cnp_sealed, cnp_index, cnp_masked, cui, password_hash, locale)
			VALUES ($1, $2, $3, nullif($4, ''), $5, $6, $7, $8, $9, $10, $11)`,
			id, req.Kind, email, strings.TrimSpace(req.Phone), strings.TrimSpace(req.DisplayName),
			cnpSealed, cnpIndex, cnpMasked, cui, hash, req.Locale)
		if err != nil {
			return err
		}
		if _, err := audit.Append(r.Context(), tx, audit.Entry{ActorID: id, ActorKind: access.Kind(req.Kind).AuditActor(), Action: "account.create",
			ObjectType: "account", ObjectID: id.String(), IP: access.ClientIP(r), New: map[string]string{"kind": req.Kind}}); err != nil {
			return err
		}
		registered, err := s.outbox.Catalogue().New(events.TypeAccountRegistered, Source, uuid.Nil,
			map[string]string{"accountId": id.String(), "kind": req.Kind})
		if err != nil {
			return err
		}
		oid, err := s.outbox.Add(r.Context(), tx, registered)
		if err != nil {
			return err
		}
		published = append(published, oid)
		oid, err = links.Mailer{Outbox: s.outbox, PublicURL: s.publicURL, Source: Source, Next: req.Next}.
			Mail(r.Context(), tx, id, uuid.Nil, links.VerifyEmail, 24*time.Hour)
		published = append(published, oid)
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		// The address or the CNP already has an account. The answer is the
		// same as for a new one, so sign-up cannot be used to find out.
		s.log.Info("sign-up for an existing address or CNP", "constraint", pgErr.ConstraintName)
		accepted(w)
		return
	}
	if err != nil {
		s.fail(w, "sign up", err)
		return
	}
	s.outbox.Publish(r.Context(), published...)
	accepted(w)
}

// mailLink creates a one-time token for purpose and the event that has
// notify mail its link to the account.
func (s *server) mailLink(ctx context.Context, tx pgx.Tx, account uuid.UUID, purpose links.Purpose, ttl time.Duration) (int64, error) {
	return links.Mailer{Outbox: s.outbox, PublicURL: s.publicURL, Source: Source}.Mail(ctx, tx, account, uuid.Nil, purpose, ttl)
}

// useEmailToken spends a one-time token and returns its account.
func useEmailToken(ctx context.Context, tx pgx.Tx, token, purpose string) (uuid.UUID, bool, error) {
	var account uuid.UUID
	err := tx.QueryRow(ctx, `
		UPDATE email_token SET used_at = now()
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
		RETURNING account_id`, access.HashToken(token), purpose).Scan(&account)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, false, nil
	}
	return account, err == nil, err
}

func invalidToken(w http.ResponseWriter) {
	httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "invalid_token",
		Detail: "the link is not valid or has expired: ask for a new one"})
}

type tokenRequest struct {
	Token string `json:"token"`
}

func (s *server) verifyEmail(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	var ok bool
	err := db.PlatformTx(r.Context(), s.pool, func(tx pgx.Tx) error {
		account, found, err := useEmailToken(r.Context(), tx, req.Token, "verify_email")
		if err != nil || !found {
			return err
		}
		ok = true
		var kind string
		var inst *uuid.UUID
		if err := tx.QueryRow(r.Context(), `UPDATE account SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
			WHERE id = $1 RETURNING kind, institution_id`, account).Scan(&kind, &inst); err != nil {
			return err
		}
		_, err = audit.Append(r.Context(), tx, audit.Entry{Institution: orNil(inst), ActorID: account, ActorKind: access.Kind(kind).AuditActor(),
			Action: "account.email.verify", ObjectType: "account", ObjectID: account.String(), IP: access.ClientIP(r)})
		return err
	})
	if err != nil {
		s.fail(w, "verify email", err)
		return
	}
	if !ok {
		invalidToken(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func cnpContext(account uuid.UUID) string { return "account.cnp:" + account.String() }

func (s *server) fail(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "error", err.Error())
	httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal",
		Detail: "something went wrong on our side; try again"})
}

func orNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// required reports the fields left empty, in a stable order.
func required(fields map[string]string) []httpapi.FieldError {
	var errs []httpapi.FieldError
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if strings.TrimSpace(fields[name]) == "" {
			errs = append(errs, httpapi.Field(name, name+".required", "Câmpul este obligatoriu.", "This field is required."))
		}
	}
	return errs
}
