package main

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp/totp"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/throttle"
)

type grantView struct {
	Institution uuid.UUID  `json:"institution"`
	Department  *uuid.UUID `json:"department"`
	Role        string     `json:"role"`
	Permissions []string   `json:"permissions"`
}

type meResponse struct {
	ID            uuid.UUID   `json:"id"`
	Kind          string      `json:"kind"`
	Email         string      `json:"email"`
	EmailVerified bool        `json:"emailVerified"`
	DisplayName   string      `json:"displayName"`
	Phone         *string     `json:"phone"`
	Locale        string      `json:"locale"`
	CNP           *string     `json:"cnpMasked"`
	CUI           *string     `json:"cui"`
	Institution   *uuid.UUID  `json:"institution"`
	MFAEnabled    bool        `json:"mfaEnabled"`
	MFAPending    bool        `json:"mfaPending"`
	MFARequired   bool        `json:"mfaSetupRequired"`
	Grants        []grantView `json:"grants"`
}

func (s *server) me(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	res := meResponse{MFAPending: p.MFAPending, MFARequired: p.MFAMissing, Grants: []grantView{}}
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(r.Context(), `
			SELECT id, kind, email, email_verified_at IS NOT NULL, display_name, phone, locale, cnp_masked, cui,
			       institution_id, totp_enabled_at IS NOT NULL
			FROM account WHERE id = $1`, p.Account).
			Scan(&res.ID, &res.Kind, &res.Email, &res.EmailVerified, &res.DisplayName, &res.Phone, &res.Locale,
				&res.CNP, &res.CUI, &res.Institution, &res.MFAEnabled)
	})
	if err != nil {
		s.fail(w, "me", err)
		return
	}
	for _, g := range p.Grants {
		v := grantView{Institution: g.Institution, Role: g.Role, Permissions: g.Permissions}
		if g.Department != uuid.Nil {
			d := g.Department
			v.Department = &d
		}
		res.Grants = append(res.Grants, v)
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// revealCNP shows a citizen their own CNP in clear; every such read is audited.
func (s *server) revealCNP(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	var cnp string
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		var sealed []byte
		if err := tx.QueryRow(r.Context(), `SELECT cnp_sealed FROM account WHERE id = $1`, p.Account).Scan(&sealed); err != nil {
			return err
		}
		if sealed == nil {
			return errNoCNP
		}
		plain, err := s.pii.Open(sealed, cnpContext(p.Account))
		if err != nil {
			return err
		}
		cnp = string(plain)
		_, err = audit.Append(r.Context(), tx, audit.Entry{ActorID: p.Account, ActorKind: p.Kind.AuditActor(), Action: "account.cnp.read",
			ObjectType: "account", ObjectID: p.Account.String(), IP: access.ClientIP(r)})
		return err
	})
	if errors.Is(err, errNoCNP) {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusNotFound, Code: "no_cnp", Detail: "this account has no CNP"})
		return
	}
	if err != nil {
		s.fail(w, "reveal cnp", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"cnp": cnp})
}

var errNoCNP = errors.New("no CNP")

func (s *server) listSessions(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	var list []access.SessionInfo
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) (err error) {
		list, err = access.ListSessions(r.Context(), tx, p.Session)
		return err
	})
	if err != nil {
		s.fail(w, "list sessions", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"sessions": list})
}

func (s *server) revokeSession(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("session"))
	if err != nil {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusNotFound, Code: "not_found", Detail: "no such session"})
		return
	}
	p := access.FromContext(r.Context())
	var found bool
	err = access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		// Row-level security limits this to the caller's own sessions.
		if found, err = access.RevokeSession(r.Context(), tx, id); err != nil || !found {
			return err
		}
		_, err := audit.Append(r.Context(), tx, audit.Entry{Institution: p.Institution, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
			Action: "session.revoke", ObjectType: "session", ObjectID: id.String(), IP: access.ClientIP(r)})
		return err
	})
	if err != nil {
		s.fail(w, "revoke session", err)
		return
	}
	if !found {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusNotFound, Code: "not_found", Detail: "no such session"})
		return
	}
	if id == p.Session {
		access.ClearSessionCookie(w)
	}
	w.WriteHeader(http.StatusNoContent)
}

func totpContext(account uuid.UUID) string { return "account.totp:" + account.String() }

// setUpTOTP creates a new secret for the caller; it takes effect once a
// code from it is confirmed (enableTOTP).
func (s *server) setUpTOTP(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	var email string
	var enabled bool
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(r.Context(), `SELECT email, totp_enabled_at IS NOT NULL FROM account WHERE id = $1`, p.Account).Scan(&email, &enabled)
	})
	if err != nil {
		s.fail(w, "totp setup", err)
		return
	}
	if enabled {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusConflict, Code: "totp_enabled", Detail: "a second factor is already set up"})
		return
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Ghișeu", AccountName: email})
	if err != nil {
		s.fail(w, "totp generate", err)
		return
	}
	sealed, err := s.pii.Seal([]byte(key.Secret()), totpContext(p.Account))
	if err != nil {
		s.fail(w, "seal totp", err)
		return
	}
	err = access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(r.Context(), `UPDATE account SET totp_secret_sealed = $2, updated_at = now() WHERE id = $1 AND totp_enabled_at IS NULL`, p.Account, sealed)
		return err
	})
	if err != nil {
		s.fail(w, "totp setup", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]string{"secret": key.Secret(), "otpauthUrl": key.URL()})
}

type codeRequest struct {
	Code string `json:"code"`
}

// checkTOTP verifies code against the caller's secret, throttled per account.
// It answers the client itself when it returns false.
func (s *server) checkTOTP(w http.ResponseWriter, r *http.Request, p *access.Principal, code string) bool {
	ctx := r.Context()
	key := "totp:account:" + p.Account.String()
	var sealed []byte
	var lockedUntil time.Time
	err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if lockedUntil, err = throttle.Check(ctx, tx, key); err != nil || !lockedUntil.IsZero() {
			return err
		}
		return tx.QueryRow(ctx, `SELECT totp_secret_sealed FROM account WHERE id = $1`, p.Account).Scan(&sealed)
	})
	if err != nil {
		s.fail(w, "totp", err)
		return false
	}
	if !lockedUntil.IsZero() {
		tooManyAttempts(w, lockedUntil)
		return false
	}
	if sealed == nil {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusConflict, Code: "totp_not_set_up", Detail: "set up the second factor first"})
		return false
	}
	secret, err := s.pii.Open(sealed, totpContext(p.Account))
	if err != nil {
		s.fail(w, "open totp secret", err)
		return false
	}
	step, valid := matchTOTP(string(secret), code, time.Now())
	if valid {
		// Spend the step: a code seen once (by this check or an eavesdropper) is refused after.
		err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, `UPDATE account SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
				p.Account, step)
			valid = tag.RowsAffected() == 1
			return err
		})
		if err != nil {
			s.fail(w, "totp", err)
			return false
		}
	}
	if !valid {
		if err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error { _, err := throttle.Fail(ctx, tx, key, s.failures); return err }); err != nil {
			s.fail(w, "record failure", err)
			return false
		}
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("code", "totp.wrong", "Codul nu este corect.", "The code is wrong.")})
		return false
	}
	return true
}

func (s *server) enableTOTP(w http.ResponseWriter, r *http.Request) {
	var req codeRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	p := access.FromContext(r.Context())
	if !s.checkTOTP(w, r, p, req.Code) {
		return
	}
	err := db.PlatformTx(r.Context(), s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(r.Context(), `UPDATE account SET totp_enabled_at = now(), updated_at = now() WHERE id = $1`, p.Account); err != nil {
			return err
		}
		if err := throttle.Succeed(r.Context(), tx, "totp:account:"+p.Account.String()); err != nil {
			return err
		}
		_, err := audit.Append(r.Context(), tx, audit.Entry{Institution: p.Institution, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
			Action: "account.totp.enable", ObjectType: "account", ObjectID: p.Account.String(), IP: access.ClientIP(r)})
		return err
	})
	if err != nil {
		s.fail(w, "enable totp", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) signInTOTP(w http.ResponseWriter, r *http.Request) {
	var req codeRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	p := access.FromContext(r.Context())
	if !p.MFAPending {
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusConflict, Code: "not_pending", Detail: "this session needs no second factor"})
		return
	}
	if !s.checkTOTP(w, r, p, req.Code) {
		return
	}
	err := db.PlatformTx(r.Context(), s.pool, func(tx pgx.Tx) error {
		if err := access.CompleteSecondFactor(r.Context(), tx, p.Session); err != nil {
			return err
		}
		if err := throttle.Succeed(r.Context(), tx, "totp:account:"+p.Account.String()); err != nil {
			return err
		}
		_, err := audit.Append(r.Context(), tx, audit.Entry{Institution: p.Institution, ActorID: p.Account, ActorKind: p.Kind.AuditActor(),
			Action: "session.mfa", ObjectType: "session", ObjectID: p.Session.String(), IP: access.ClientIP(r)})
		return err
	})
	if err != nil {
		s.fail(w, "complete sign-in", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// matchTOTP finds the 30-second step whose code is code, allowing one step
// of clock skew either way.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	for _, skew := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		at := now.Add(skew)
		want, err := totp.GenerateCode(secret, at)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / 30, true
		}
	}
	return 0, false
}
