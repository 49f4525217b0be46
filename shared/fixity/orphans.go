package fixity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/blob"
	"github.com/ghiseu/ghiseu/shared/db"
)

// Orphans lists the objects of the documents bucket that no version and no
// request file references and that have been so for at least grace (zero
// means DefaultGrace): uploads never attached, registrations rolled back
// after their upload, temporary objects an upload failed to remove. It only
// lists; what to delete is decided elsewhere.
//
// S3 does not say when an object stopped being referenced, so each call
// records the unreferenced objects it finds (table fixity_orphan) and the
// grace period runs from the first call that found one: an object is
// listed from the first call at least grace after that, and a call finds
// none the first time. An object referenced again, or gone, loses its mark.
//
// The bucket is listed a page at a time and each page looked up in a short
// transaction, so no transaction stays open during the listing.
//
// Deleting what it lists is not safe by itself: an upload of the same bytes
// finds the object already there (it is content-addressed) and attaches it
// later, without writing it again.
func (c *Checker) Orphans(ctx context.Context, grace time.Duration) ([]blob.Object, error) {
	if grace <= 0 {
		grace = DefaultGrace
	}
	now := c.now()
	var orphans, batch []blob.Object
	after := ""
	flush := func(final bool) error {
		found, err := c.orphansIn(ctx, batch, after, final, now, grace)
		if err != nil {
			return err
		}
		orphans = append(orphans, found...)
		if len(batch) > 0 {
			after = batch[len(batch)-1].Key
		}
		batch = batch[:0]
		return nil
	}
	for o, err := range c.Blob.List(ctx, c.Bucket, "") {
		if err != nil {
			return nil, fmt.Errorf("orphans: %w", err)
		}
		batch = append(batch, o)
		if len(batch) == c.batch() {
			if err := flush(false); err != nil {
				return nil, fmt.Errorf("orphans: %w", err)
			}
		}
	}
	// Also after a listing that ended on a full batch: the marks of
	// objects past the last key are of objects now gone.
	if err := flush(true); err != nil {
		return nil, fmt.Errorf("orphans: %w", err)
	}
	return orphans, nil
}

// orphansIn looks up one page of the listing, the objects with keys in
// (after, last key of batch], or (after, ∞) for the final page: it marks
// the unreferenced ones not marked yet, drops the other marks of that key
// range, and returns the objects marked at least grace before now.
//
// The key ranges of the pages follow each other because S3 lists keys in
// bytewise order. Were a server not to, a mark dropped by mistake would
// only restart its object's grace period: the mistake errs on keeping.
func (c *Checker) orphansIn(ctx context.Context, batch []blob.Object, after string, final bool, now time.Time, grace time.Duration) ([]blob.Object, error) {
	var upper *string
	if !final {
		upper = &batch[len(batch)-1].Key
	}
	var found []blob.Object
	err := db.PlatformTx(ctx, c.Pool, func(tx pgx.Tx) error {
		referenced, err := referencedKeys(ctx, tx, batch)
		if err != nil {
			return err
		}
		unreferenced := make([]string, 0, len(batch))
		for _, o := range batch {
			if !referenced[o.Key] {
				unreferenced = append(unreferenced, o.Key)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM fixity_orphan
			WHERE object_key > $1 AND ($2::text IS NULL OR object_key <= $2) AND object_key <> ALL ($3::text[])`,
			after, upper, unreferenced); err != nil {
			return fmt.Errorf("drop marks: %w", err)
		}
		if len(unreferenced) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO fixity_orphan (object_key, first_seen_at)
			SELECT unnest($1::text[]), $2 ON CONFLICT (object_key) DO NOTHING`, unreferenced, now); err != nil {
			return fmt.Errorf("mark orphans: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT object_key FROM fixity_orphan WHERE object_key = ANY ($1::text[]) AND first_seen_at <= $2`,
			unreferenced, now.Add(-grace))
		if err != nil {
			return fmt.Errorf("read marks: %w", err)
		}
		old, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("read marks: %w", err)
		}
		isOld := make(map[string]bool, len(old))
		for _, k := range old {
			isOld[k] = true
		}
		for _, o := range batch {
			if isOld[o.Key] {
				found = append(found, o)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// referencedKeys returns which of the objects a version or a request file
// references. Content-addressed keys are looked up by institution and
// SHA-256, through the tables' indexes; other keys (temporary objects,
// anything else put in the bucket) are rare and looked up by key, which
// reads the tables once for the whole batch.
func referencedKeys(ctx context.Context, tx pgx.Tx, batch []blob.Object) (map[string]bool, error) {
	var keys, shas, others []string
	var institutions []uuid.UUID
	for _, o := range batch {
		if inst, sha, ok := parseContentKey(o.Key); ok {
			keys, institutions, shas = append(keys, o.Key), append(institutions, inst), append(shas, sha)
		} else {
			others = append(others, o.Key)
		}
	}
	referenced := map[string]bool{}
	collect := func(rows pgx.Rows, err error) error {
		if err != nil {
			return fmt.Errorf("look up references: %w", err)
		}
		found, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("look up references: %w", err)
		}
		for _, k := range found {
			referenced[k] = true
		}
		return nil
	}
	if len(keys) > 0 {
		err := collect(tx.Query(ctx, `SELECT k.key FROM unnest($1::text[], $2::uuid[], $3::text[]) AS k (key, institution_id, sha256)
			WHERE EXISTS (SELECT FROM document_version v
			              WHERE v.institution_id = k.institution_id AND v.sha256 = k.sha256 AND v.object_key = k.key)
			   OR EXISTS (SELECT FROM request_file f
			              WHERE f.institution_id = k.institution_id AND f.sha256 = k.sha256 AND f.object_key = k.key)`,
			keys, institutions, shas))
		if err != nil {
			return nil, err
		}
	}
	if len(others) > 0 {
		err := collect(tx.Query(ctx, `SELECT object_key FROM document_version WHERE object_key = ANY ($1::text[])
			UNION SELECT object_key FROM request_file WHERE object_key = ANY ($1::text[])`, others))
		if err != nil {
			return nil, err
		}
	}
	return referenced, nil
}

// parseContentKey splits a key made by blob.ContentKey under an
// institution's prefix: <institution>/sha256/<first two hex digits>/<hex>.
func parseContentKey(key string) (institution uuid.UUID, sha string, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[1] != "sha256" || !isSHA256(parts[3]) || parts[2] != parts[3][:2] {
		return uuid.Nil, "", false
	}
	institution, err := uuid.Parse(parts[0])
	if err != nil || institution.String() != parts[0] {
		// Only the canonical spelling: documents.Upload writes no other.
		return uuid.Nil, "", false
	}
	return institution, parts[3], true
}

func isSHA256(h string) bool {
	if len(h) != 64 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
