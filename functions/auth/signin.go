package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/throttle"
)

type signInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Session is "browser" (a cookie, the default) or "api" (a bearer token in the body).
	Session string `json:"session"`
}

type signInResponse struct {
	MFARequired bool `json:"mfaRequired"`
	// MFASetupRequired: staff who must have a second factor and have none
	// are signed in only to set one up (the router refuses them the rest).
	MFASetupRequired bool      `json:"mfaSetupRequired"`
	ExpiresAt        time.Time `json:"expiresAt"`
	Token            string    `json:"token,omitempty"`
}

// candidate is the account a sign-in names, if any.
type candidate struct {
	id          uuid.UUID
	kind        string
	institution *uuid.UUID
	hash        *string
	verified    bool
	totp        bool
}

func tooManyAttempts(w http.ResponseWriter, until time.Time) {
	secs := int(math.Ceil(time.Until(until).Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusTooManyRequests, Code: "too_many_attempts",
		Detail: "too many failed attempts: wait and try again"})
}

func invalidCredentials(w http.ResponseWriter) {
	httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnauthorized, Code: "invalid_credentials",
		Detail: "the email address or the password is wrong"})
}

func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	var req signInRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	if errs := required(map[string]string{"email": req.Email, "password": req.Password}); len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	if req.Session == "" {
		req.Session = "browser"
	}
	if req.Session != "browser" && req.Session != "api" {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("session", "session.invalid",
			"Sesiunea poate fi browser sau api.", "The session may be browser or api.")})
		return
	}
	// Two keys. The account's, by the address as typed, known or not (so
	// a lock says nothing about whether an account exists): its failures
	// are slowed down, then locked. The caller's IP: many people share one
	// (an office behind NAT), so it is only ever slowed down, never locked,
	// and an account that signed in from that IP before (a session opened
	// there in the last 30 days: its password was right there) passes its
	// delay. Guessing one password across many accounts from one IP is
	// still slowed by the IP's key: the accounts it tries have not signed in
	// from there.
	email := strings.ToLower(strings.TrimSpace(req.Email))
	ip := access.ClientIP(r)
	emailKey, ipKey := "signin:email:"+email, "signin:ip:"+ip
	ctx := r.Context()

	var c candidate
	var lockedUntil time.Time
	err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if lockedUntil, err = throttle.Check(ctx, tx, emailKey); err != nil || !lockedUntil.IsZero() {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT id, kind, institution_id, password_hash, email_verified_at IS NOT NULL, totp_enabled_at IS NOT NULL
			FROM account WHERE lower(email) = $1 AND status = 'active' AND kind <> 'machine'`, email).
			Scan(&c.id, &c.kind, &c.institution, &c.hash, &c.verified, &c.totp)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if lockedUntil, err = throttle.Check(ctx, tx, ipKey); err != nil || lockedUntil.IsZero() {
			return err
		}
		if c.id != uuid.Nil {
			known, err := signedInFrom(ctx, tx, c.id, ip)
			if known {
				lockedUntil = time.Time{}
			}
			return err
		}
		return nil
	})
	if err != nil {
		s.fail(w, "sign in", err)
		return
	}
	if !lockedUntil.IsZero() {
		tooManyAttempts(w, lockedUntil)
		return
	}

	// Verified outside any transaction: argon2id takes tens of milliseconds.
	hash := s.dummyHash
	if c.hash != nil {
		hash = *c.hash
	}
	match, err := argon2id.ComparePasswordAndHash(req.Password, hash)
	if err != nil {
		s.fail(w, "compare password", err)
		return
	}
	if !match || c.hash == nil {
		err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := throttle.Fail(ctx, tx, emailKey, s.failures); err != nil {
				return err
			}
			_, err := throttle.Fail(ctx, tx, ipKey, s.addressFailures)
			return err
		})
		if err != nil {
			s.fail(w, "record failed sign-in", err)
			return
		}
		invalidCredentials(w)
		return
	}
	if !c.verified {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusForbidden, Code: "email_not_verified",
			Detail: "confirm your email address with the link we sent, or ask for a new one"})
		return
	}

	var res signInResponse
	var token string
	err = db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := throttle.Succeed(ctx, tx, emailKey); err != nil {
			return err
		}
		var err error
		token, res.ExpiresAt, err = access.OpenSession(ctx, tx, access.NewSession{Account: c.id, Kind: req.Session,
			MFAPending: c.totp, IP: access.ClientIP(r), UserAgent: r.UserAgent()})
		if err != nil {
			return err
		}
		if !c.totp {
			if res.MFASetupRequired, err = access.SecondFactorRequired(ctx, tx, c.id); err != nil {
				return err
			}
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Institution: orNil(c.institution), ActorID: c.id, ActorKind: access.Kind(c.kind).AuditActor(),
			Action: "session.open", ObjectType: "account", ObjectID: c.id.String(), IP: access.ClientIP(r),
			New: map[string]any{"kind": req.Session, "mfaPending": c.totp, "mfaSetupRequired": res.MFASetupRequired}})
		return err
	})
	if err != nil {
		s.fail(w, "open session", err)
		return
	}
	res.MFARequired = c.totp
	if req.Session == "browser" {
		access.SetSessionCookie(w, token, int(time.Until(res.ExpiresAt).Seconds()))
	} else {
		res.Token = token
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// knownAddressFor is how long an account that signed in from an address
// passes that address's slowdown.
const knownAddressFor = 30 * 24 * time.Hour

// signedInFrom reports whether account opened a session from ip (its
// password was right there) within knownAddressFor.
func signedInFrom(ctx context.Context, tx pgx.Tx, account uuid.UUID, ip string) (bool, error) {
	if ip == "" {
		return false, nil
	}
	var known bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM session WHERE account_id = $1 AND ip = $2::inet
		AND created_at > now() - $3::interval)`, account, ip, knownAddressFor).Scan(&known)
	if err != nil {
		return false, fmt.Errorf("sessions of %s from the address: %w", account, err)
	}
	return known, nil
}

func (s *server) signOut(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		_, err := access.RevokeSession(r.Context(), tx, p.Session)
		return err
	})
	if err != nil {
		s.fail(w, "sign out", err)
		return
	}
	access.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}

type emailRequest struct {
	Email string `json:"email"`
}

func (s *server) requestPasswordReset(w http.ResponseWriter, r *http.Request) {
	var req emailRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	ctx := r.Context()
	var published []int64
	var lockedUntil time.Time
	err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		// Each request mails someone: bound them per address and per caller.
		// The address only slows down (an office shares one), as in signIn.
		emailKey, ipKey := "reset:email:"+email, "reset:ip:"+access.ClientIP(r)
		var err error
		if lockedUntil, err = throttle.Locked(ctx, tx, emailKey, ipKey); err != nil || !lockedUntil.IsZero() {
			return err
		}
		if _, err := throttle.Fail(ctx, tx, emailKey, s.failures); err != nil {
			return err
		}
		if _, err := throttle.Fail(ctx, tx, ipKey, s.addressFailures); err != nil {
			return err
		}
		var account uuid.UUID
		err = tx.QueryRow(ctx, `SELECT id FROM account WHERE lower(email) = $1 AND status = 'active' AND kind <> 'machine'`, email).Scan(&account)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		oid, err := s.mailLink(ctx, tx, account, "reset_password", time.Hour)
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.fail(w, "password reset", err)
		return
	}
	if !lockedUntil.IsZero() {
		tooManyAttempts(w, lockedUntil)
		return
	}
	s.outbox.Publish(ctx, published...)
	accepted(w)
}

type resetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

func (s *server) confirmPasswordReset(w http.ResponseWriter, r *http.Request) {
	var req resetRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	if errs := passwordErrors("password", req.Password); len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	hash, err := argon2id.CreateHash(req.Password, institutions.HashParams())
	if err != nil {
		s.fail(w, "hash password", err)
		return
	}
	ctx := r.Context()
	var ok bool
	err = db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		account, found, err := useEmailToken(ctx, tx, req.Token, "reset_password")
		if err != nil || !found {
			return err
		}
		ok = true
		// The link reached the mailbox, so the address is proven too.
		var kind string
		var inst *uuid.UUID
		if err := tx.QueryRow(ctx, `UPDATE account SET password_hash = $2, email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
			WHERE id = $1 RETURNING kind, institution_id`, account, hash).Scan(&kind, &inst); err != nil {
			return err
		}
		// Whoever had the old password is signed out everywhere.
		if err := access.RevokeOtherSessions(ctx, tx, account, uuid.Nil); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Institution: orNil(inst), ActorID: account, ActorKind: access.Kind(kind).AuditActor(), Action: "account.password.reset",
			ObjectType: "account", ObjectID: account.String(), IP: access.ClientIP(r)})
		return err
	})
	if err != nil {
		s.fail(w, "reset password", err)
		return
	}
	if !ok {
		invalidToken(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type changePasswordRequest struct {
	Current string `json:"currentPassword"`
	New     string `json:"newPassword"`
}

func (s *server) changePassword(w http.ResponseWriter, r *http.Request) {
	var req changePasswordRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	if errs := passwordErrors("newPassword", req.New); len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	p := access.FromContext(r.Context())
	ctx := r.Context()
	key := "password:account:" + p.Account.String()
	var current *string
	var lockedUntil time.Time
	err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if lockedUntil, err = throttle.Check(ctx, tx, key); err != nil || !lockedUntil.IsZero() {
			return err
		}
		return tx.QueryRow(ctx, `SELECT password_hash FROM account WHERE id = $1`, p.Account).Scan(&current)
	})
	if err != nil {
		s.fail(w, "change password", err)
		return
	}
	if !lockedUntil.IsZero() {
		tooManyAttempts(w, lockedUntil)
		return
	}
	match := false
	if current != nil {
		if match, err = argon2id.ComparePasswordAndHash(req.Current, *current); err != nil {
			s.fail(w, "compare password", err)
			return
		}
	}
	if !match {
		if err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error { _, err := throttle.Fail(ctx, tx, key, s.failures); return err }); err != nil {
			s.fail(w, "record failure", err)
			return
		}
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("currentPassword", "password.wrong",
			"Parola actuală nu este corectă.", "The current password is wrong.")})
		return
	}
	hash, err := argon2id.CreateHash(req.New, institutions.HashParams())
	if err != nil {
		s.fail(w, "hash password", err)
		return
	}
	err = db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE account SET password_hash = $2, updated_at = now() WHERE id = $1`, p.Account, hash); err != nil {
			return err
		}
		if err := throttle.Succeed(ctx, tx, key); err != nil {
			return err
		}
		if err := access.RevokeOtherSessions(ctx, tx, p.Account, p.Session); err != nil {
			return err
		}
		_, err := audit.Append(ctx, tx, audit.Entry{Institution: p.Institution, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
			Action: "account.password.change", ObjectType: "account", ObjectID: p.Account.String(), IP: access.ClientIP(r)})
		return err
	})
	if err != nil {
		s.fail(w, "change password", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
