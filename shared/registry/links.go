package registry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Kinds of links between entries.
const (
	LinkRelated   = "related"   // conexare: related documents
	LinkAnswer    = "answer"    // the entry answers the linked one
	LinkDuplicate = "duplicate" // an identical petition of the same petitioner (OG 27/2002 art. 16)
)

// ErrSelfLink: an entry is not linked to itself.
var ErrSelfLink = errors.New("an entry is not linked to itself")

// Link is a link between two entries, seen from one of them.
type Link struct {
	Kind string
	// Outgoing: the link was made from this entry to Other; else from
	// Other to this one (a back-link).
	Outgoing bool
	Other    uuid.UUID
	// The other entry's register code, number and year.
	OtherRegister string
	OtherNumber   int64
	OtherYear     int
	LinkedAt      time.Time
	LinkedBy      uuid.UUID
	Note          string
}

// AddLink links entry to linked. A link is an addition: it is never
// changed or removed, and linking the same two entries the same way again
// adds nothing (added is false). Either entry may be annulled: the link
// records how documents relate, which annulment does not undo.
func AddLink(ctx context.Context, tx pgx.Tx, institution, entry, linked uuid.UUID, kind string, by uuid.UUID, note string) (added bool, err error) {
	if entry == linked {
		return false, ErrSelfLink
	}
	tag, err := tx.Exec(ctx, `INSERT INTO registry_link (institution_id, entry_id, linked_entry_id, kind, linked_by, note)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, institution, entry, linked, kind, nilIfZero(by), note)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return false, ErrNoLinkedEntry
		}
		return false, fmt.Errorf("link %s to %s: %w", entry, linked, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Links lists an entry's links both ways, oldest first. Entries the
// viewer may not see are still listed (a link is part of the record); the
// caller decides what it shows of them.
func Links(ctx context.Context, tx pgx.Tx, institution, entry uuid.UUID) ([]Link, error) {
	rows, err := tx.Query(ctx, `
		SELECT l.kind, l.entry_id = $2, o.id, r.code, o.number, o.year, l.linked_at, l.linked_by, l.note
		FROM registry_link l
		JOIN registry_entry o ON o.institution_id = l.institution_id
			AND o.id = CASE WHEN l.entry_id = $2 THEN l.linked_entry_id ELSE l.entry_id END
		JOIN register r ON r.institution_id = o.institution_id AND r.id = o.register_id
		WHERE l.institution_id = $1 AND (l.entry_id = $2 OR l.linked_entry_id = $2)
		ORDER BY l.linked_at, o.id`, institution, entry)
	if err != nil {
		return nil, fmt.Errorf("links of %s: %w", entry, err)
	}
	links, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Link, error) {
		var l Link
		var by *uuid.UUID
		err := r.Scan(&l.Kind, &l.Outgoing, &l.Other, &l.OtherRegister, &l.OtherNumber, &l.OtherYear, &l.LinkedAt, &by, &l.Note)
		l.LinkedBy = orNil(by)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("links of %s: %w", entry, err)
	}
	return links, nil
}

// Relation is how an entry relates to answers, for a listing: the entry it
// answers and what answers it, as "CODE-number/year" references; under
// AnswerSameNumber, an answer is "ieșire" on the entry's own number.
type Relation struct {
	Answers    string
	AnsweredBy []string
	// Dispatched: answers recorded under the entry's own number.
	Dispatched []time.Time
}

// answeredByColumns are two columns of registry_entry e: the references
// (CODE-number/year) of the entries that answer it, and the times answers
// were recorded under its own number (registry_dispatch), each in order.
const answeredByColumns = `coalesce((SELECT array_agg(br.code || '-' || b.number || '/' || b.year ORDER BY b.registered_at)
		FROM registry_link l
		JOIN registry_entry b ON b.institution_id = l.institution_id AND b.id = l.entry_id
		JOIN register br ON br.institution_id = b.institution_id AND br.id = b.register_id
		WHERE l.institution_id = e.institution_id AND l.linked_entry_id = e.id AND l.kind = 'answer'), '{}'),
	coalesce((SELECT array_agg(d.dispatched_at ORDER BY d.dispatched_at) FROM registry_dispatch d
		WHERE d.institution_id = e.institution_id AND d.entry_id = e.id), '{}')`

// Relations reads the relations of some entries (a page of a search).
func Relations(ctx context.Context, tx pgx.Tx, institution uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Relation, error) {
	out := map[uuid.UUID]Relation{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Query(ctx, `
		SELECT e.id,
			coalesce((SELECT ar.code || '-' || a.number || '/' || a.year FROM registry_entry a
				JOIN register ar ON ar.institution_id = a.institution_id AND ar.id = a.register_id
				WHERE a.institution_id = e.institution_id AND a.id = e.answers_entry), ''),
			`+answeredByColumns+`
		FROM registry_entry e WHERE e.institution_id = $1 AND e.id = ANY($2)`, institution, ids)
	if err != nil {
		return nil, fmt.Errorf("relations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var r Relation
		if err := rows.Scan(&id, &r.Answers, &r.AnsweredBy, &r.Dispatched); err != nil {
			return nil, fmt.Errorf("relations: %w", err)
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("relations: %w", err)
	}
	return out, nil
}
