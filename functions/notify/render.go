package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/mail"
	"github.com/ghiseu/ghiseu/shared/receipt"
	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/runtime"
)

// accountLink is the data of the account events: a one-time link for an
// account (see their schemas in shared/events/schemas).
type accountLink struct {
	AccountID uuid.UUID `json:"accountId"`
	Link      string    `json:"link"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// recipient is the account a notification goes to, as it is now: an
// address changed since the event is the one used.
type recipient struct {
	id                         uuid.UUID
	email, name, phone, locale string
	active                     bool
}

// readRecipient reads an account in platform scope (an institution never
// sees its citizens' accounts). An account that does not exist is an error
// that no retry fixes.
func readRecipient(ctx context.Context, tx pgx.Tx, id uuid.UUID) (recipient, error) {
	r := recipient{id: id}
	var phone *string
	var status string
	err := tx.QueryRow(ctx, `SELECT email, display_name, phone, locale, status FROM account WHERE id = $1`, id).
		Scan(&r.email, &r.name, &phone, &r.locale, &status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return recipient{}, runtime.Permanent(fmt.Errorf("account %s does not exist", id))
	case err != nil:
		return recipient{}, fmt.Errorf("read account %s: %w", id, err)
	}
	if phone != nil {
		r.phone = strings.TrimSpace(*phone)
	}
	r.active = status == "active"
	return r, nil
}

// requestFacts is what a notification says about a request beyond its
// event: names and the institution's note, read from the database.
type requestFacts struct {
	institution string
	typeName    string
	// note, days and destination come from the history row the event
	// announces.
	note        string
	days        int
	destination string
	receipt     *mail.Attachment
}

// readRequest reads the facts of the request an event is about, in a
// transaction scoped to the event's institution: row-level security keeps
// an event naming another institution's request from reading it.
func (h *Handler) readRequest(ctx context.Context, institution uuid.UUID, d requests.EventData, withReceipt bool) (requestFacts, error) {
	var f requestFacts
	var rd *receipt.Data
	err := db.TenantTx(ctx, h.pool, institution, func(tx pgx.Tx) error {
		in, err := institutions.Get(ctx, tx, institution)
		if err != nil {
			return fmt.Errorf("institution %s: %w", institution, notFoundPermanent(err, institutions.ErrNotFound))
		}
		f.institution = in.Name
		r, err := requests.Get(ctx, tx, institution, d.RequestID)
		if err != nil {
			return fmt.Errorf("request %s: %w", d.RequestID, notFoundPermanent(err, requests.ErrNotFound))
		}
		f.typeName = r.TypeName
		var details []byte
		err = tx.QueryRow(ctx, `SELECT note, details FROM request_history WHERE institution_id = $1 AND request_id = $2 AND id = $3`,
			institution, d.RequestID, d.HistoryID).Scan(&f.note, &details)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return runtime.Permanent(fmt.Errorf("request %s has no history row %d", d.RequestID, d.HistoryID))
		case err != nil:
			return fmt.Errorf("history %d of request %s: %w", d.HistoryID, d.RequestID, err)
		}
		var det struct {
			Days        int    `json:"days"`
			Destination string `json:"destination"`
		}
		if err := json.Unmarshal(details, &det); err != nil {
			return fmt.Errorf("history %d of request %s: details: %w", d.HistoryID, d.RequestID, err)
		}
		f.days, f.destination = det.Days, det.Destination
		if !withReceipt {
			return nil
		}
		if d.EntryID == nil {
			return runtime.Permanent(fmt.Errorf("request %s: a registration without a registry entry", d.RequestID))
		}
		if rd, err = h.receiptData(ctx, tx, in, *d.EntryID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return requestFacts{}, err
	}
	if rd != nil {
		// Rendered after the transaction: it is CPU work that needs no
		// connection.
		var buf bytes.Buffer
		if err := receipt.Write(&buf, *rd); err != nil {
			return requestFacts{}, fmt.Errorf("receipt of request %s: %w", d.RequestID, err)
		}
		f.receipt = &mail.Attachment{Name: fmt.Sprintf("dovada-%s-%d-%d.pdf", rd.RegisterCode, rd.Number, rd.Year),
			ContentType: "application/pdf", Data: buf.Bytes()}
	}
	return f, nil
}

// receiptData is the registration receipt of entry, as register-document
// serves it (GET .../registry-entries/{entry}/receipt).
func (h *Handler) receiptData(ctx context.Context, tx pgx.Tx, in institutions.Institution, entry uuid.UUID) (*receipt.Data, error) {
	e, err := registry.Get(ctx, tx, in.ID, entry)
	if err != nil {
		return nil, fmt.Errorf("registry entry %s: %w", entry, notFoundPermanent(err, registry.ErrNotFound))
	}
	reg, err := registry.GetRegister(ctx, tx, in.ID, e.Register)
	if err != nil {
		return nil, fmt.Errorf("register of entry %s: %w", entry, err)
	}
	tz, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		return nil, runtime.Permanent(fmt.Errorf("institution %s time zone: %w", in.ID, err))
	}
	return &receipt.Data{Institution: in.Name, InstitutionAddress: in.Address, RegisterName: reg.Name,
		RegisterCode: reg.Code, Number: e.Number, Year: e.Year, RegisteredAt: e.RegisteredAt, TimeZone: tz,
		Subject: e.Subject, Sender: e.Sender, Pages: e.Pages, Attachments: e.Attachments,
		VerificationCode: e.VerificationCode,
		// The address register-document prints on the receipts it serves:
		// both copies of a receipt are the same.
		VerificationURL: h.site.StatusLookup(in.ID, e.Number, e.Year, e.VerificationCode)}, nil
}

func notFoundPermanent(err, notFound error) error {
	if errors.Is(err, notFound) {
		return runtime.Permanent(err)
	}
	return err
}

// backupsLink is the back office's page of the backups' status.
func (h *Handler) backupsLink() string { return h.site.Backups() }

// operatorData is what an operators' notice's template receives: the
// event's data as it is, numbers as written.
func (h *Handler) operatorData(eventData []byte, at time.Time, to recipient) (mail.Data, error) {
	dec := json.NewDecoder(bytes.NewReader(eventData))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		return mail.Data{}, runtime.Permanent(fmt.Errorf("event data: %w", err))
	}
	return mail.Data{Name: to.name, Link: h.backupsLink(), OccurredAt: at, Event: ev}, nil
}

// requestLink is the request's page: the applicant's on the portal, the
// clerk's in the back office.
func (h *Handler) requestLink(k kind, institution, request uuid.UUID) string {
	if k.to == assignee {
		return h.site.WorkRequest(request)
	}
	return h.site.Request(institution, request)
}

// requestData is what a request notification's template receives.
func (h *Handler) requestData(k kind, institution uuid.UUID, d requests.EventData, f requestFacts, to recipient, now time.Time) (mail.Data, error) {
	data := mail.Data{Name: to.name, Link: h.requestLink(k, institution, d.RequestID), Institution: f.institution, RequestType: f.typeName,
		Note: f.note, Days: f.days, Destination: f.destination}
	if d.RegisterCode != nil {
		data.RegisterCode = *d.RegisterCode
	}
	if d.Number != nil {
		data.Number = *d.Number
	}
	if d.Year != nil {
		data.Year = *d.Year
	}
	if d.RegisteredAt != nil {
		data.RegisteredAt = *d.RegisteredAt
	}
	data.Term = d.Term
	due := d.Deadline
	if d.Term == requests.TermRefusal {
		// A reminder of the term for a reasoned refusal is about its day.
		due = d.RefusalDeadline
	}
	if due != nil {
		t, err := time.Parse(time.DateOnly, *due)
		if err != nil {
			return mail.Data{}, runtime.Permanent(fmt.Errorf("deadline %q: %w", *due, err))
		}
		deadline := deadlines.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
		data.Deadline = &deadline
		// Counted when the notification is written: a reminder sent late
		// still says how many days are left.
		data.DaysLeft = deadlines.DaysLeft(deadlines.DateOf(now), deadline)
	}
	return data, nil
}

// templateKey names one version of a template.
type templateKey struct {
	institution  uuid.UUID
	name, locale string
	version      int
}

// templateCache keeps the institutions' parsed templates. A saved version
// never changes, so an entry is valid for ever; the cache is only bounded.
type templateCache struct {
	mu   sync.Mutex
	sets map[templateKey]*mail.Set
}

const templateCacheSize = 1000

func (c *templateCache) get(k templateKey) (*mail.Set, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sets[k]
	return s, ok
}

func (c *templateCache) put(k templateKey, s *mail.Set) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sets == nil || len(c.sets) >= templateCacheSize {
		c.sets = map[templateKey]*mail.Set{}
	}
	c.sets[k] = s
}

// newestVersion is the version of template name an institution's message
// in locale is written with now: its newest, or 0 (the built-in one).
func newestVersion(ctx context.Context, tx pgx.Tx, institution uuid.UUID, name, locale string) (int, error) {
	if institution == uuid.Nil {
		return 0, nil
	}
	var v int
	err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM message_template
		WHERE institution_id = $1 AND name = $2 AND locale = $3`, institution, name, locale).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("template %s/%s of %s: %w", name, locale, institution, err)
	}
	return v, nil
}

// templateSet returns version v of template name in locale: the built-in
// one for 0, else the institution's, read with tx.
func (h *Handler) templateSet(ctx context.Context, tx pgx.Tx, k templateKey) (*mail.Set, error) {
	if k.version == 0 {
		s, ok := h.templates.Builtin(k.name, k.locale)
		if !ok {
			return nil, runtime.Permanent(fmt.Errorf("no template %s", k.name))
		}
		return s, nil
	}
	if s, ok := h.cache.get(k); ok {
		return s, nil
	}
	var p mail.Parts
	err := tx.QueryRow(ctx, `SELECT subject, text, html, sms, notice FROM message_template
		WHERE institution_id = $1 AND name = $2 AND locale = $3 AND version = $4`, k.institution, k.name, k.locale, k.version).
		Scan(&p.Subject, &p.Text, &p.HTML, &p.SMS, &p.Notice)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, runtime.Permanent(fmt.Errorf("template %s/%s version %d of %s does not exist", k.name, k.locale, k.version, k.institution))
	case err != nil:
		return nil, fmt.Errorf("template %s/%s version %d: %w", k.name, k.locale, k.version, err)
	}
	s, err := h.templates.Parse(k.locale, p)
	if err != nil {
		// Checked before it was saved; a version that no longer parses
		// (a function it used was removed) will not parse on a retry.
		return nil, runtime.Permanent(fmt.Errorf("template %s/%s version %d: %w", k.name, k.locale, k.version, err))
	}
	h.cache.put(k, s)
	return s, nil
}
