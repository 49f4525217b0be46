package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// dataExport is everything the platform holds about a citizen's account
// (GDPR art. 15 and 20). Later issues add their requests and documents.
type dataExport struct {
	ExportedAt time.Time            `json:"exportedAt"`
	Account    map[string]any       `json:"account"`
	Sessions   []access.SessionInfo `json:"sessions"`
	Activity   []exportedAct        `json:"activity"`
}

type exportedAct struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	IP     string    `json:"ip,omitempty"`
}

// exportData gives a citizen all their data as one JSON file. The CNP is
// in it, so the read is audited like any other.
func (s *server) exportData(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	ctx := r.Context()
	out := dataExport{ExportedAt: time.Now().UTC(), Activity: []exportedAct{}}
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			kind, email, name, locale string
			phone, cui                *string
			sealed                    []byte
			verified, created         *time.Time
		)
		if err := tx.QueryRow(ctx, `SELECT kind, email, display_name, phone, locale, cui, cnp_sealed, email_verified_at, created_at
			FROM account WHERE id = $1`, p.Account).Scan(&kind, &email, &name, &phone, &locale, &cui, &sealed, &verified, &created); err != nil {
			return err
		}
		out.Account = map[string]any{"id": p.Account, "kind": kind, "email": email, "displayName": name, "phone": phone,
			"locale": locale, "cui": cui, "emailVerifiedAt": verified, "createdAt": created}
		if sealed != nil {
			cnp, err := s.pii.Open(sealed, cnpContext(p.Account))
			if err != nil {
				return err
			}
			out.Account["cnp"] = string(cnp)
		}
		var err error
		if out.Sessions, err = access.ListSessions(ctx, tx, p.Session); err != nil {
			return err
		}
		// What the citizen did, from their own audit trail (the platform chain).
		records, _, err := audit.List(ctx, tx, audit.Filter{ActorID: p.Account, Limit: audit.MaxLimit})
		if err != nil {
			return err
		}
		for _, rec := range records {
			out.Activity = append(out.Activity, exportedAct{At: rec.OccurredAt, Action: rec.Action, IP: rec.IP})
		}
		_, err = audit.Append(ctx, tx, audit.Entry{ActorID: p.Account, ActorKind: audit.ActorCitizen, Action: "account.export",
			ObjectType: "account", ObjectID: p.Account.String(), IP: access.ClientIP(r)})
		return err
	})
	if err != nil {
		s.fail(w, "export data", err)
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ghiseu-date-%s.json"`, deadlines.DateOf(time.Now())))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

type closeRequest struct {
	Password string `json:"password"`
}

// closeAccount pseudonymises a citizen's account: personal data goes, the
// account row stays (its id and the CNP's keyed index still link the
// registry records the law requires to keep) and no one can sign in to it.
func (s *server) closeAccount(w http.ResponseWriter, r *http.Request) {
	var req closeRequest
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	p := access.FromContext(r.Context())
	ctx := r.Context()
	var hash *string
	if err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT password_hash FROM account WHERE id = $1`, p.Account).Scan(&hash)
	}); err != nil {
		s.fail(w, "close account", err)
		return
	}
	match := false
	if hash != nil {
		var err error
		if match, err = argon2id.ComparePasswordAndHash(req.Password, *hash); err != nil {
			s.fail(w, "compare password", err)
			return
		}
	}
	if !match {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("password", "password.wrong",
			"Parola nu este corectă.", "The password is wrong.")})
		return
	}
	var published int64
	err := db.PlatformTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE account SET status = 'closed', closed_at = now(), updated_at = now(),
				email = 'closed+' || id || '@invalid', display_name = 'Cont închis', phone = NULL,
				cnp_sealed = NULL, cnp_masked = NULL, password_hash = NULL,
				totp_secret_sealed = NULL, totp_enabled_at = NULL
			WHERE id = $1`, p.Account); err != nil {
			return err
		}
		if err := access.RevokeOtherSessions(ctx, tx, p.Account, uuid.Nil); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM email_token WHERE account_id = $1`, p.Account); err != nil {
			return err
		}
		if _, err := audit.Append(ctx, tx, audit.Entry{ActorID: p.Account, ActorKind: audit.ActorCitizen, Action: "account.close",
			ObjectType: "account", ObjectID: p.Account.String(), IP: access.ClientIP(r)}); err != nil {
			return err
		}
		e, err := s.outbox.Catalogue().New(events.TypeAccountClosed, Source, uuid.Nil, map[string]string{"accountId": p.Account.String()})
		if err != nil {
			return err
		}
		published, err = s.outbox.Add(ctx, tx, e)
		return err
	})
	if err != nil {
		s.fail(w, "close account", err)
		return
	}
	s.outbox.Publish(ctx, published)
	access.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
}
