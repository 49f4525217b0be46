package events

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// FirstDelivery records, in tx, that consumer handled the event (source, id),
// and reports whether this is the first time. Delivery is at least once, so
// every consumer calls it in the same transaction as its effect and does
// nothing when it returns false. A concurrent duplicate waits on the first's
// row lock and then sees it.
func FirstDelivery(ctx context.Context, tx pgx.Tx, consumer, source, id string) (bool, error) {
	tag, err := tx.Exec(ctx,
		`INSERT INTO inbox (consumer, event_source, event_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		consumer, source, id)
	if err != nil {
		return false, fmt.Errorf("inbox %s %s/%s: %w", consumer, source, id, err)
	}
	return tag.RowsAffected() == 1, nil
}
