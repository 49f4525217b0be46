package main

import (
	"context"
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
	"github.com/ghiseu/ghiseu/shared/requests"
)

// dataExport is everything the platform holds about a citizen's account
// (GDPR art. 15 and 20): the account with its identifiers in clear, its
// sessions and activity, its requests in every institution with their
// form data, history, files (as download links), information requests
// and answers, and the notifications it was sent. The platform keeps no
// consent records: processing rests on the law and the requests made.
type dataExport struct {
	ExportedAt    time.Time              `json:"exportedAt"`
	Account       map[string]any         `json:"account"`
	Sessions      []access.SessionInfo   `json:"sessions"`
	Activity      []exportedAct          `json:"activity"`
	Requests      []exportedRequest      `json:"requests"`
	Notifications []exportedNotification `json:"notifications"`
	Messages      []exportedMessage      `json:"messages"`
}

// exportedRequest is a request as its applicant sees it, with all it holds.
type exportedRequest struct {
	requests.Summary
	Data    json.RawMessage       `json:"data"`
	History []requests.HistoryRow `json:"history"`
	Files   []exportedFile        `json:"files"`
	// InformationRequests are the institution's questions and the answers given.
	InformationRequests []informationRequest `json:"informationRequests"`
	// Outcome is how the request ended (resolved with an answer, rejected,
	// forwarded, filed away), with the institution's message; nil while open.
	Outcome *exportedOutcome `json:"outcome"`
}

// exportedFile is a file of a request; URL downloads it, signed in as the
// owner (submit-request's route).
type exportedFile struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Name      string    `json:"name"`
	Size      int64     `json:"size"`
	MediaType string    `json:"mediaType"`
	SHA256    string    `json:"sha256"`
	AddedAt   time.Time `json:"addedAt"`
	URL       string    `json:"url"`
}

type informationRequest struct {
	AskedAt    time.Time  `json:"askedAt"`
	Question   string     `json:"question"`
	AnsweredAt *time.Time `json:"answeredAt"`
	Answer     *string    `json:"answer"`
	// FileIDs are the files sent with the answer.
	FileIDs []int64 `json:"fileIds"`
}

type exportedOutcome struct {
	Action  string    `json:"action"`
	At      time.Time `json:"at"`
	Message string    `json:"message"`
	// FileIDs are the institution's answer documents.
	FileIDs []int64 `json:"fileIds"`
}

// exportedNotification is an in-app notification.
type exportedNotification struct {
	ID            uuid.UUID  `json:"id"`
	InstitutionID *uuid.UUID `json:"institutionId"`
	Kind          string     `json:"kind"`
	Title         string     `json:"title"`
	Body          string     `json:"body"`
	Link          string     `json:"link"`
	CreatedAt     time.Time  `json:"createdAt"`
	ReadAt        *time.Time `json:"readAt"`
}

// exportedMessage is a mail or text message sent (or to be sent) to the
// account. Its text is not kept: it is written from the event when sent.
type exportedMessage struct {
	InstitutionID *uuid.UUID `json:"institutionId"`
	Channel       string     `json:"channel"`
	Template      string     `json:"template"`
	EventType     string     `json:"eventType"`
	Locale        string     `json:"locale"`
	Status        string     `json:"status"`
	CreatedAt     time.Time  `json:"createdAt"`
	SentAt        *time.Time `json:"sentAt"`
	FailedAt      *time.Time `json:"failedAt"`
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
	out := dataExport{ExportedAt: time.Now().UTC(), Activity: []exportedAct{}, Requests: []exportedRequest{},
		Notifications: []exportedNotification{}, Messages: []exportedMessage{}}
	var mine []requests.Request
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
		if out.Requests, mine, err = exportRequests(ctx, tx, p.Account); err != nil {
			return err
		}
		if out.Notifications, err = exportNotifications(ctx, tx); err != nil {
			return err
		}
		if out.Messages, err = exportMessages(ctx, tx); err != nil {
			return err
		}
		_, err = audit.Append(ctx, tx, audit.Entry{ActorID: p.Account, ActorKind: audit.ActorCitizen, Action: "account.export",
			ObjectType: "account", ObjectID: p.Account.String(), IP: access.ClientIP(r)})
		return err
	})
	if err != nil {
		s.fail(w, "export data", err)
		return
	}
	// The form data is sealed: it is opened for its owner here, and each
	// opening is audited in the request's institution, as staff's reads are.
	if err := s.auditDataReads(r, mine); err != nil {
		s.fail(w, "export data: audit", err)
		return
	}
	for i, req := range mine {
		data, err := s.pii.Open(req.DataSealed, requests.SealContext(req.Institution, req.ID))
		if err != nil {
			s.fail(w, "export data: open form data", err)
			return
		}
		out.Requests[i].Data = data
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ghiseu-date-%s.json"`, deadlines.DateOf(time.Now())))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

// exportRequests reads every request of the account, in every
// institution (row-level security shows tx only the account's own), with
// what the applicant sees of each; the sealed form data is returned beside
// them, in the same order, to be opened after the reads are audited.
func exportRequests(ctx context.Context, tx pgx.Tx, account uuid.UUID) ([]exportedRequest, []requests.Request, error) {
	var all []requests.Request
	var after *requests.Cursor
	for {
		page, next, err := requests.Mine(ctx, tx, account, after, 100)
		if err != nil {
			return nil, nil, err
		}
		all = append(all, page...)
		if next == nil {
			break
		}
		after = next
	}
	out := make([]exportedRequest, 0, len(all))
	now := time.Now()
	for _, req := range all {
		history, err := requests.History(ctx, tx, req.Institution, req.ID, true)
		if err != nil {
			return nil, nil, err
		}
		files, err := requests.Files(ctx, tx, req.Institution, req.ID)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, describeRequest(req, history, files, now))
	}
	return out, all, nil
}

// describeRequest is a request's export, without its form data.
func describeRequest(req requests.Request, history []requests.Change, files []requests.File, now time.Time) exportedRequest {
	e := exportedRequest{Summary: requests.Summarize(req, now), History: []requests.HistoryRow{}, Files: []exportedFile{},
		InformationRequests: []informationRequest{}}
	byHistory := map[int64][]int64{}
	for _, f := range files {
		e.Files = append(e.Files, exportedFile{ID: f.ID, Kind: f.Kind, Title: f.Title, Name: f.Name, Size: f.Size, MediaType: f.MediaType,
			SHA256: f.SHA256, AddedAt: f.AddedAt, URL: requests.FilePath(req.Institution, req.ID, f.ID)})
		byHistory[f.HistoryID] = append(byHistory[f.HistoryID], f.ID)
	}
	for _, c := range history {
		e.History = append(e.History, requests.Row(c))
		switch c.Action {
		case requests.ActAskInfo:
			e.InformationRequests = append(e.InformationRequests, informationRequest{AskedAt: c.At, Question: c.Note, FileIDs: []int64{}})
		case requests.ActProvideInfo:
			if n := len(e.InformationRequests); n > 0 && e.InformationRequests[n-1].AnsweredAt == nil {
				at, note := c.At, c.Note
				q := &e.InformationRequests[n-1]
				q.AnsweredAt, q.Answer = &at, &note
				q.FileIDs = append(q.FileIDs, byHistory[c.ID]...)
			}
		case requests.ActResolve, requests.ActReject, requests.ActForward, requests.ActFile:
			e.Outcome = &exportedOutcome{Action: c.Action, At: c.At, Message: c.Note, FileIDs: append([]int64{}, byHistory[c.ID]...)}
		}
	}
	return e
}

// auditDataReads records, in each request's institution, that its owner
// read its form data in clear through the export.
func (s *server) auditDataReads(r *http.Request, reqs []requests.Request) error {
	ctx := r.Context()
	p := access.FromContext(ctx)
	byInstitution := map[uuid.UUID][]uuid.UUID{}
	var order []uuid.UUID
	for _, req := range reqs {
		if _, ok := byInstitution[req.Institution]; !ok {
			order = append(order, req.Institution)
		}
		byInstitution[req.Institution] = append(byInstitution[req.Institution], req.ID)
	}
	for _, inst := range order {
		err := db.ScopedTx(ctx, s.pool, db.Scope{Institution: inst, Account: p.Account}, func(tx pgx.Tx) error {
			for _, id := range byInstitution[inst] {
				if _, err := audit.Append(ctx, tx, audit.Entry{Institution: inst, ActorID: p.Account, ActorKind: audit.ActorCitizen,
					Action: "request.data.export", ObjectType: "request", ObjectID: id.String(), IP: access.ClientIP(r)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("audit the export's reads in %s: %w", inst, err)
		}
	}
	return nil
}

// exportNotifications reads the account's in-app notifications (row-level
// security shows tx only its own).
func exportNotifications(ctx context.Context, tx pgx.Tx) ([]exportedNotification, error) {
	rows, err := tx.Query(ctx, `SELECT id, institution_id, kind, title, body, link, created_at, read_at
		FROM notification WHERE account_id = current_account() ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("export notifications: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (exportedNotification, error) {
		var n exportedNotification
		err := r.Scan(&n.ID, &n.InstitutionID, &n.Kind, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &n.ReadAt)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("export notifications: %w", err)
	}
	return append([]exportedNotification{}, list...), nil
}

// exportMessages reads the mails and text messages made for the account
// (row-level security: message_own).
func exportMessages(ctx context.Context, tx pgx.Tx) ([]exportedMessage, error) {
	rows, err := tx.Query(ctx, `SELECT institution_id, channel, template, event_type, locale, status, created_at, sent_at, failed_at
		FROM message WHERE account_id = current_account() ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("export messages: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (exportedMessage, error) {
		var m exportedMessage
		err := r.Scan(&m.InstitutionID, &m.Channel, &m.Template, &m.EventType, &m.Locale, &m.Status, &m.CreatedAt, &m.SentAt, &m.FailedAt)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("export messages: %w", err)
	}
	return append([]exportedMessage{}, list...), nil
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
