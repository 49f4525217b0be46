package main

import (
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/throttle"
)

type tokenGrantRequest struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

type tokenGrantResponse struct {
	AccessToken string    `json:"accessToken"`
	TokenType   string    `json:"tokenType"`
	ExpiresIn   int       `json:"expiresIn"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

// machineToken exchanges an institution system's client credentials for a
// short-lived bearer token.
func (s *server) machineToken(w http.ResponseWriter, r *http.Request) {
	var req tokenGrantRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	if errs := required(map[string]string{"clientId": req.ClientID, "clientSecret": req.ClientSecret}); len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	ctx := r.Context()
	clientKey, ipKey := "token:client:"+req.ClientID, "token:ip:"+access.ClientIP(r)
	var account, institution uuid.UUID
	var current string
	var previous *string
	var lockedUntil time.Time
	found := false
	err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if lockedUntil, err = throttle.Locked(ctx, tx, clientKey, ipKey); err != nil || !lockedUntil.IsZero() {
			return err
		}
		err = tx.QueryRow(ctx, `
			SELECT c.account_id, c.institution_id, c.secret_hash,
			       CASE WHEN c.previous_valid_until > now() THEN c.previous_secret_hash END
			FROM machine_credential c JOIN account a ON a.id = c.account_id
			WHERE c.client_id = $1 AND a.status = 'active'`, req.ClientID).Scan(&account, &institution, &current, &previous)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		s.fail(w, "machine token", err)
		return
	}
	if !lockedUntil.IsZero() {
		tooManyAttempts(w, lockedUntil)
		return
	}
	if !found {
		current = s.dummyHash
	}
	match, err := argon2id.ComparePasswordAndHash(req.ClientSecret, current)
	if err == nil && !match && previous != nil {
		// The previous secret stays valid for a while after a rotation, so
		// the system can be switched over without an outage.
		match, err = argon2id.ComparePasswordAndHash(req.ClientSecret, *previous)
	}
	if err != nil {
		s.fail(w, "compare secret", err)
		return
	}
	if !found || !match {
		err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := throttle.Fail(ctx, tx, clientKey, s.failures); err != nil {
				return err
			}
			_, err := throttle.Fail(ctx, tx, ipKey, s.addressFailures)
			return err
		})
		if err != nil {
			s.fail(w, "record failure", err)
			return
		}
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnauthorized, Code: "invalid_client",
			Detail: "the client id or secret is wrong"})
		return
	}
	var res tokenGrantResponse
	err = db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		if err := throttle.Succeed(ctx, tx, clientKey); err != nil {
			return err
		}
		var err error
		res.AccessToken, res.ExpiresAt, err = access.OpenSession(ctx, tx, access.NewSession{Account: account, Kind: "machine",
			IP: access.ClientIP(r), UserAgent: r.UserAgent()})
		if err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{Institution: institution, ActorID: account, ActorKind: audit.ActorMachine,
			Action: "session.open", ObjectType: "account", ObjectID: account.String(), IP: access.ClientIP(r),
			New: map[string]string{"kind": "machine"}})
		return err
	})
	if err != nil {
		s.fail(w, "machine session", err)
		return
	}
	res.TokenType = "Bearer"
	res.ExpiresIn = int(time.Until(res.ExpiresAt).Seconds())
	httpapi.WriteJSON(w, http.StatusOK, res)
}
