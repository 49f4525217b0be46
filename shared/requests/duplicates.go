package requests

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/registry"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// Identical petitions (OG 27/2002 art. 16): "(1) Dacă un petent adresează
// aceleiași autorități sau instituții publice mai multe petiții, sesizând
// aceeași problemă, acestea se vor conexa, petentul urmând să primească un
// singur răspuns care trebuie să facă referire la toate petițiile primite.
// (2) Dacă după trimiterea răspunsului se primește o nouă petiție de la
// același petent ... cu același conținut, aceasta se clasează la numărul
// inițial, făcându-se mențiune despre faptul că s-a răspuns."
//
// So, when a petition is registered whose applicant, type and text (the
// form data, through its blind index) are those of an earlier petition
// of the same applicant that is still open or was answered:
//   - it is linked to that first petition (request.duplicate_of, and a
//     registry link of kind duplicate between their entries, which the
//     clerk sees on both);
//   - if the first is still open, it stays open, marked, and answering the
//     first answers it too, with the same answer (ResolveDuplicates): one
//     answer referring to all of them (paragraph 1). It is not filed at
//     once: the petitioner is owed that answer, and a clerk who finds the
//     two are not the same problem after all can still answer it alone;
//   - if the first was answered, it is filed away under the first's number
//     with the mention that it was answered, and the petitioner is told
//     which answer it was (paragraph 2).
// A first petition that was rejected, forwarded or filed away is no
// answer: a new identical petition is then handled on its own. Only
// petitions: Law 544/2001 has no such rule for information requests.

// ActLinkDuplicate is the history row of a petition linked to the identical
// one it repeats; it announces no event.
const ActLinkDuplicate = "link_duplicate"

// ContentKind is the pii.Index kind of a request's content: the index is
// of the type's id and the canonical form data (see CanonicalContent).
const ContentKind = "request-content"

// CanonicalContent is what the content index of a request is made of: its
// type and its form data with keys sorted (json.Marshal of a map sorts
// them), so the same answers typed in another order match.
func CanonicalContent(typeID uuid.UUID, canonicalData []byte) string {
	return typeID.String() + "\x00" + string(canonicalData)
}

// linkDuplicate is run when r is registered; it returns the changes it made
// to r, in order.
func linkDuplicate(ctx context.Context, tx pgx.Tx, r Request) ([]Change, error) {
	if r.Regime != requesttypes.Petition || len(r.ContentIndex) == 0 || r.Status != Registered {
		return nil, nil
	}
	var firstID uuid.UUID
	err := tx.QueryRow(ctx, `SELECT id FROM request
		WHERE institution_id = $1 AND applicant_id = $2 AND type_id = $3 AND content_index = $4 AND id <> $5
		  AND entry_id IS NOT NULL AND duplicate_of IS NULL
		  AND status IN ('registered', 'assigned', 'in_progress', 'info_requested', 'extended', 'resolved')
		ORDER BY registered_at, id LIMIT 1`, r.Institution, r.Applicant, r.Type, r.ContentIndex, r.ID).Scan(&firstID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identical petitions of %s: %w", r.ID, err)
	}
	first, err := Get(ctx, tx, r.Institution, firstID)
	if err != nil {
		return nil, err
	}
	ref := first.RegisterCode + "-" + strconv.FormatInt(first.Number, 10) + "/" + strconv.Itoa(first.Year)
	if _, err := tx.Exec(ctx, `UPDATE request SET duplicate_of = $3 WHERE institution_id = $1 AND id = $2`,
		r.Institution, r.ID, first.ID); err != nil {
		return nil, fmt.Errorf("link %s to %s: %w", r.ID, first.ID, err)
	}
	if _, err := registry.AddLink(ctx, tx, r.Institution, r.Entry, first.Entry, registry.LinkDuplicate, uuid.Nil,
		"Petiție identică a aceluiași petent (OG 27/2002, art. 16)."); err != nil {
		return nil, err
	}
	system := Actor{Kind: "system"}
	details := map[string]any{"duplicateOf": first.ID.String(), "number": first.Number, "year": first.Year, "registerCode": first.RegisterCode}
	if Open(first.Status) {
		c, err := addChange(ctx, tx, r, Change{Action: ActLinkDuplicate, Status: r.Status, Actor: system, Public: true, Details: details,
			Note: "Petiția este identică cu petiția dumneavoastră nr. " + ref + " și a fost conexată la aceasta: veți primi un singur răspuns pentru amândouă (OG 27/2002, art. 16)."})
		if err != nil {
			return nil, err
		}
		return []Change{c}, nil
	}
	// Answered: filed away under the first's number, with its answer.
	note := "Petiția este identică cu petiția dumneavoastră nr. " + ref + ", la care s-a răspuns"
	if first.AnswerNumber != 0 {
		note += " (răspunsul nr. " + strconv.FormatInt(first.AnswerNumber, 10) + ")"
		details["answerNumber"] = first.AnswerNumber
	}
	note += "; se clasează la numărul inițial (OG 27/2002, art. 16 alin. (2))."
	now := time.Now()
	if _, err := tx.Exec(ctx, `UPDATE request SET status = $3, closed_at = $4, answer_entry_id = $5, answer_number = $6,
			updated_at = now(), revision = revision + 1
		WHERE institution_id = $1 AND id = $2`, r.Institution, r.ID, FiledAway, now, nilIfZero(first.AnswerEntry),
		nilIfZeroNumber(first.AnswerNumber)); err != nil {
		return nil, fmt.Errorf("file %s as identical to %s: %w", r.ID, first.ID, err)
	}
	c, err := addChange(ctx, tx, r, Change{Action: ActFile, Status: FiledAway, Actor: system, Public: true, Details: details, Note: note})
	if err != nil {
		return nil, err
	}
	return []Change{c}, nil
}

func nilIfZeroNumber(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

// Duplicates lists the petitions linked to r as identical to it, oldest first.
func Duplicates(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) ([]Request, error) {
	rows, err := tx.Query(ctx, `SELECT `+requestColumns+requestFrom+`
		WHERE r.institution_id = $1 AND r.duplicate_of = $2 ORDER BY r.registered_at, r.id`, institution, id)
	if err != nil {
		return nil, fmt.Errorf("duplicates of %s: %w", id, err)
	}
	ds, err := pgx.CollectRows(rows, scanRequest)
	if err != nil {
		return nil, fmt.Errorf("duplicates of %s: %w", id, err)
	}
	return ds, nil
}

// DuplicateResolution is a petition resolved along with the one it repeats.
type DuplicateResolution struct {
	Request Request
	Change  Change
}

// ResolveDuplicates resolves, with the first's answer, the open petitions
// linked to first as identical to it (first was just resolved by change
// c): one answer for all of them. Their files stay with the first; each
// history says which petition's answer it is.
func ResolveDuplicates(ctx context.Context, tx pgx.Tx, first Request, c Change) ([]DuplicateResolution, error) {
	dups, err := Duplicates(ctx, tx, first.Institution, first.ID)
	if err != nil {
		return nil, err
	}
	ref := first.RegisterCode + "-" + strconv.FormatInt(first.Number, 10) + "/" + strconv.Itoa(first.Year)
	var out []DuplicateResolution
	for _, d := range dups {
		if !Open(d.Status) {
			continue
		}
		if err := update(ctx, tx, d, Resolved, map[string]any{"closed_at": c.At}); err != nil {
			return nil, err
		}
		dc, err := addChange(ctx, tx, d, Change{Action: ActResolve, Status: Resolved, Actor: c.Actor, Public: true,
			Note:    c.Note + "\n\nAcest răspuns este dat și petiției nr. " + ref + ", identică, la care a fost conexată (OG 27/2002, art. 16).",
			Details: map[string]any{"answeredWith": first.ID.String(), "number": first.Number, "year": first.Year}})
		if err != nil {
			return nil, err
		}
		got, err := Get(ctx, tx, d.Institution, d.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, DuplicateResolution{Request: got, Change: dc})
	}
	return out, nil
}
