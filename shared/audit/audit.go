// Package audit keeps the tamper-evident audit trail: every change and every
// read of personal data appends a row, in the transaction of the act itself,
// so the act and its audit commit or roll back together. All SQL of the
// audit_log and audit_chain tables is here.
//
// Each institution has its own chain, and acts not tied to an institution go
// to the platform chain (uuid.Nil). Within a chain rows are numbered 1, 2, 3…
// without gaps, and each row's hash covers the previous row's hash and all of
// its own columns, so Verify finds a changed, removed or reordered row.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Kinds of actor.
const (
	ActorCitizen = "citizen"
	ActorStaff   = "staff"
	ActorMachine = "machine" // another system, through an API key or a certificate
	ActorSystem  = "system"  // the platform itself; the only kind without an ActorID
)

// Entry is one act to record.
type Entry struct {
	// Institution is the chain: the institution the act belongs to, or
	// uuid.Nil for the platform chain.
	Institution uuid.UUID
	// ActorID is who acted; uuid.Nil exactly when ActorKind is ActorSystem.
	ActorID   uuid.UUID
	ActorKind string
	// OnBehalfOf is whom the actor acted for, if anyone (uuid.Nil: nobody).
	OnBehalfOf uuid.UUID
	// Action names the act, "object.verb": "role.assign", "account.cnp.read".
	Action     string
	ObjectType string
	ObjectID   string
	// IP is the address the act came from: an address or address/bits, or
	// empty.
	IP string
	// Old and New are the values before and after, marshalled with
	// encoding/json (a json.RawMessage goes as it is); nil is SQL NULL.
	Old, New any
	Reason   string
}

// Record is one stored row of the trail.
type Record struct {
	Institution uuid.UUID
	Seq         int64
	OccurredAt  time.Time
	ActorID     uuid.UUID
	ActorKind   string
	OnBehalfOf  uuid.UUID
	Action      string
	ObjectType  string
	ObjectID    string
	IP          string
	// Old and New are the values in PostgreSQL's canonical jsonb text; nil
	// where none was recorded.
	Old, New json.RawMessage
	Reason   string
	PrevHash []byte
	Hash     []byte
}

// Append records e in tx and returns the stored row. It must run in the
// transaction of the act it records. It locks the head of e's chain until tx
// ends, so keep the rest of tx short after it. In a transaction at REPEATABLE
// READ or above, a concurrent append to the same chain makes it fail with a
// serialisation error, to be retried like any other. A transaction that
// appends to two chains (its institution's and the platform's) should do so
// in that order, as others do, lest two such transactions deadlock.
//
// Row-level security lets a tenant transaction append to its own chain and
// the platform chain only.
func Append(ctx context.Context, tx pgx.Tx, e Entry) (Record, error) {
	r, oldJSON, newJSON, err := newRow(e)
	if err != nil {
		return Record{}, fmt.Errorf("audit %s: %w", e.Action, err)
	}
	// Take the next seq of the chain and the previous row's hash (last_hash is
	// only updated below). The server also supplies the time and puts Old
	// and New in canonical jsonb text, so that what is hashed here is
	// exactly what Verify will read back.
	var occurred time.Time
	err = tx.QueryRow(ctx, `
		INSERT INTO audit_chain AS c (institution_id, last_seq, last_hash) VALUES ($1, 1, ''::bytea)
		ON CONFLICT (institution_id) DO UPDATE SET last_seq = c.last_seq + 1
		RETURNING c.last_seq, c.last_hash, clock_timestamp(), $2::text::jsonb::text, $3::text::jsonb::text`,
		r.Institution, oldJSON, newJSON).Scan(&r.Seq, &r.PrevHash, &occurred, &r.Old, &r.New)
	if err != nil {
		return Record{}, fmt.Errorf("audit %s: advance chain %s: %w", e.Action, r.Institution, err)
	}
	r.OccurredAt = &occurred
	r.Hash = r.sum()
	// The head moves to the new row in the same statement that inserts it;
	// the join on head makes a head that did not match insert nothing.
	tag, err := tx.Exec(ctx, `
		WITH head AS (
			UPDATE audit_chain SET last_hash = $15 WHERE institution_id = $1 AND last_seq = $2
			RETURNING institution_id
		)
		INSERT INTO audit_log (institution_id, seq, occurred_at, actor_id, actor_kind, on_behalf_of, action,
			object_type, object_id, ip, old_value, new_value, reason, prev_hash, hash)
		SELECT $1::uuid, $2::bigint, $3::timestamptz, $4::uuid, $5::text, $6::uuid, $7::text,
			$8::text, $9::text, $10::inet, $11::jsonb, $12::jsonb, $13::text, $14::bytea, $15::bytea
		FROM head`,
		r.Institution, r.Seq, r.OccurredAt, r.ActorID, r.ActorKind, r.OnBehalfOf, r.Action,
		r.ObjectType, r.ObjectID, r.IP, r.Old, r.New, r.Reason, r.PrevHash, r.Hash)
	if err != nil {
		return Record{}, fmt.Errorf("audit %s: insert %s/%d: %w", e.Action, r.Institution, r.Seq, err)
	}
	if tag.RowsAffected() != 1 {
		return Record{}, fmt.Errorf("audit %s: insert %s/%d: chain head moved", e.Action, r.Institution, r.Seq)
	}
	return r.record(), nil
}

// newRow checks e and turns it into a row without seq, time and hashes.
// Old and New come back separately, as marshalled JSON for the server to
// canonicalise.
func newRow(e Entry) (r row, oldJSON, newJSON *string, err error) {
	if e.Action == "" {
		return r, nil, nil, errors.New("no action")
	}
	switch e.ActorKind {
	case ActorCitizen, ActorStaff, ActorMachine:
		if e.ActorID == uuid.Nil {
			return r, nil, nil, fmt.Errorf("actor kind %q needs an actor id", e.ActorKind)
		}
	case ActorSystem:
		if e.ActorID != uuid.Nil {
			return r, nil, nil, errors.New("the system acts without an actor id")
		}
	default:
		return r, nil, nil, fmt.Errorf("unknown actor kind %q", e.ActorKind)
	}
	if r.IP, err = parseIP(e.IP); err != nil {
		return r, nil, nil, err
	}
	if oldJSON, err = marshal(e.Old); err != nil {
		return r, nil, nil, fmt.Errorf("old value: %w", err)
	}
	if newJSON, err = marshal(e.New); err != nil {
		return r, nil, nil, fmt.Errorf("new value: %w", err)
	}
	r.Institution = e.Institution
	r.ActorID = uuidOrNull(e.ActorID)
	r.ActorKind = &e.ActorKind
	r.OnBehalfOf = uuidOrNull(e.OnBehalfOf)
	r.Action = &e.Action
	r.ObjectType = &e.ObjectType
	r.ObjectID = &e.ObjectID
	r.Reason = &e.Reason
	return r, oldJSON, newJSON, nil
}

func uuidOrNull(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func marshal(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// parseIP reads an address ("192.0.2.1", "2001:db8::1") or a network
// ("10.0.0.0/8"), as inet takes them.
func parseIP(s string) (*netip.Prefix, error) {
	if s == "" {
		return nil, nil
	}
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return nil, fmt.Errorf("ip %q: %w", s, err)
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("ip %q: %w", s, err)
		}
		// inet has no zones: storing one would lose it and break the hash.
		if a.Zone() != "" {
			return nil, fmt.Errorf("ip %q: zones cannot be stored", s)
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	return &p, nil
}

// record is r as callers see it, NULL read as the zero value.
func (r *row) record() Record {
	rec := Record{Institution: r.Institution, Seq: r.Seq, PrevHash: r.PrevHash, Hash: r.Hash}
	if r.OccurredAt != nil {
		rec.OccurredAt = *r.OccurredAt
	}
	if r.ActorID != nil {
		rec.ActorID = *r.ActorID
	}
	if r.OnBehalfOf != nil {
		rec.OnBehalfOf = *r.OnBehalfOf
	}
	if r.IP != nil {
		rec.IP = ipString(*r.IP)
	}
	if r.Old != nil {
		rec.Old = json.RawMessage(*r.Old)
	}
	if r.New != nil {
		rec.New = json.RawMessage(*r.New)
	}
	rec.ActorKind = deref(r.ActorKind)
	rec.Action = deref(r.Action)
	rec.ObjectType = deref(r.ObjectType)
	rec.ObjectID = deref(r.ObjectID)
	rec.Reason = deref(r.Reason)
	return rec
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// List page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Filter selects rows of one chain; the zero value of a field does not
// filter.
type Filter struct {
	// Institution is the chain, uuid.Nil for the platform chain. A tenant
	// transaction sees its own chain only.
	Institution uuid.UUID
	ActorID     uuid.UUID
	Action      string
	// ObjectID is meant to be used with ObjectType: the index has both.
	ObjectType string
	ObjectID   string
	// From is inclusive, To exclusive.
	From, To time.Time
	// AfterSeq is the keyset cursor: the next value returned by the previous
	// page. Lists run newest first, so the page holds rows with seq below it.
	AfterSeq int64
	// Limit is the page size: DefaultLimit if not set, at most MaxLimit.
	Limit int
}

// List returns one page of rows of f.Institution's chain, newest first (the
// highest seq first), and next, the cursor for the following page (0 when
// this is the last one).
func List(ctx context.Context, tx pgx.Tx, f Filter) (records []Record, next int64, err error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	// Only the filters in use go into the statement, so each combination
	// gets its own plan and the index that fits it.
	where := []string{"institution_id = $1"}
	args := []any{f.Institution}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.ActorID != uuid.Nil {
		add("actor_id = $%d", f.ActorID)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if f.ObjectType != "" {
		add("object_type = $%d", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("object_id = $%d", f.ObjectID)
	}
	if !f.From.IsZero() {
		add("occurred_at >= $%d", f.From)
	}
	if !f.To.IsZero() {
		add("occurred_at < $%d", f.To)
	}
	if f.AfterSeq > 0 {
		add("seq < $%d", f.AfterSeq)
	}
	// One row more than the page tells whether there is a next page.
	args = append(args, limit+1)
	sql := fmt.Sprintf("SELECT %s FROM audit_log WHERE %s ORDER BY seq DESC LIMIT $%d",
		columns, strings.Join(where, " AND "), len(args))
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit %s: %w", f.Institution, err)
	}
	records, err = pgx.CollectRows(rows, func(cr pgx.CollectableRow) (Record, error) {
		var r row
		err := cr.Scan(r.dest()...)
		return r.record(), err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list audit %s: %w", f.Institution, err)
	}
	if len(records) > limit {
		records = records[:limit]
		next = records[limit-1].Seq
	}
	return records, next, nil
}
