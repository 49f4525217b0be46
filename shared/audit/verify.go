package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Querier runs queries: pgx.Tx, *pgx.Conn and *pgxpool.Pool are one.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Result is the outcome of verifying one chain.
type Result struct {
	Institution uuid.UUID
	// Rows is how many rows the chain's log holds.
	Rows int64
	// FirstBroken is the seq of the first row that fails verification, nil
	// if the chain is intact. When rows are missing at the end of the log it
	// is the first missing seq; when the log runs past its head, the first
	// row beyond the head.
	FirstBroken *int64
	// Reason says what is wrong with FirstBroken.
	Reason string
}

// OK reports whether the chain is intact.
func (r Result) OK() bool { return r.FirstBroken == nil }

func (r *Result) broken(seq int64, reason string) {
	r.FirstBroken = &seq
	r.Reason = reason
}

// Verify recomputes the hashes of institution's chain (uuid.Nil: the
// platform chain) in seq order and reports the first broken row. It streams
// the rows, whatever the chain's length.
//
// q must see the whole chain: a platform-scope transaction (or a tenant one
// for its own chain). Run it in a REPEATABLE READ transaction when appends
// may go on meanwhile, so that the chain's head and its log are read from
// one snapshot; otherwise a row appended between the two reads would be
// reported as the log running past its head.
func Verify(ctx context.Context, q Querier, institution uuid.UUID) (Result, error) {
	res := Result{Institution: institution}
	var headSeq int64
	var headHash []byte
	err := q.QueryRow(ctx, `SELECT last_seq, last_hash FROM audit_chain WHERE institution_id = $1`,
		institution).Scan(&headSeq, &headHash)
	headFound := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return res, fmt.Errorf("verify audit %s: read chain head: %w", institution, err)
	}

	rows, err := q.Query(ctx, `SELECT `+columns+` FROM audit_log WHERE institution_id = $1 ORDER BY seq`, institution)
	if err != nil {
		return res, fmt.Errorf("verify audit %s: %w", institution, err)
	}
	defer rows.Close()
	var last int64       // seq of the previous row, 0 before the first
	prevHash := []byte{} // the previous row's hash, empty before the first
	for rows.Next() {
		var r row
		if err := rows.Scan(r.dest()...); err != nil {
			return res, fmt.Errorf("verify audit %s: row after seq %d: %w", institution, last, err)
		}
		res.Rows++
		// Past the first break there is nothing left to check, but the
		// rows are still counted.
		if res.OK() {
			if reason := check(&r, last, prevHash); reason != "" {
				res.broken(r.Seq, reason)
			}
		}
		last, prevHash = r.Seq, r.Hash
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("verify audit %s: %w", institution, err)
	}
	if !res.OK() {
		return res, nil
	}

	// The rows agree with each other; the head says where the log should end,
	// which is what shows rows removed from the end.
	switch {
	case !headFound && last > 0:
		res.broken(1, fmt.Sprintf("chain head is missing but the log ends at %d", last))
	case headSeq > last:
		res.broken(last+1, fmt.Sprintf("chain head says last seq is %d but the log ends at %d", headSeq, last))
	case headSeq < last:
		res.broken(headSeq+1, fmt.Sprintf("chain head says last seq is %d but the log ends at %d", headSeq, last))
	case headFound && !bytes.Equal(headHash, prevHash):
		res.broken(last, fmt.Sprintf("chain head's hash does not match row %d", last))
	}
	return res, nil
}

// check returns what is wrong with r, which follows the row last whose hash
// is prevHash, or "" if nothing is. A removed or reordered row shows as a
// gap or a broken link before its contents are looked at; a changed row
// shows as contents not matching their hash.
func check(r *row, last int64, prevHash []byte) string {
	switch {
	case r.Seq <= last:
		// Only possible once the primary key is gone.
		return fmt.Sprintf("seq %d follows seq %d", r.Seq, last)
	case r.Seq == last+2:
		return fmt.Sprintf("sequence gap: %d missing", last+1)
	case r.Seq != last+1:
		return fmt.Sprintf("sequence gap: %d to %d missing", last+1, r.Seq-1)
	case !bytes.Equal(r.PrevHash, prevHash) && last == 0:
		return "previous hash of the first row is not empty"
	case !bytes.Equal(r.PrevHash, prevHash):
		return fmt.Sprintf("previous hash does not match row %d", last)
	case !bytes.Equal(r.sum(), r.Hash):
		return "hash does not match the row's contents"
	}
	return ""
}

// VerifyAll verifies every chain, in institution order; see Verify.
func VerifyAll(ctx context.Context, q Querier) ([]Result, error) {
	// A chain is known by its head and by its rows: either may be all that
	// is left of it after tampering.
	rows, err := q.Query(ctx, `SELECT institution_id FROM audit_chain UNION SELECT institution_id FROM audit_log ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("verify audit: list chains: %w", err)
	}
	chains, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("verify audit: list chains: %w", err)
	}
	results := make([]Result, 0, len(chains))
	for _, inst := range chains {
		res, err := Verify(ctx, q, inst)
		if err != nil {
			return results, err
		}
		results = append(results, res)
	}
	return results, nil
}
