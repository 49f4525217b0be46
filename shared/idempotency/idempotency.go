// Package idempotency lets a creating request be retried safely: the first
// request with an Idempotency-Key claims the key in its transaction and
// stores its answer there; a retry with the same key gets that answer back,
// and the same key with a different request is refused. Keys belong to the
// account that sent them. All SQL of idempotency_key is here.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// Errors, usable with errors.Is.
var (
	// ErrKeyReused: the key was used before with a different request.
	ErrKeyReused = errors.New("the Idempotency-Key was used for a different request")
	// ErrBadKey: the key is empty, too long or not printable text.
	ErrBadKey = errors.New("an Idempotency-Key is 1 to 200 printable characters")
)

// Answer is a stored response.
type Answer struct {
	Status int
	Body   json.RawMessage
}

// Hash is the fingerprint of a request, over its parts in order.
func Hash(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write(p)
	}
	return h.Sum(nil)
}

// Claim claims key for account in tx. It returns nil when the request is
// the first with the key: the caller goes on and calls Store in the same
// tx. It returns the stored answer when the same request came before; a
// concurrent first request with the key is waited for (its row is locked
// until it commits or rolls back). tx must act for account (row-level
// security).
func Claim(ctx context.Context, tx pgx.Tx, account uuid.UUID, key string, request []byte) (*Answer, error) {
	if key == "" || len(key) > 200 || !utf8.ValidString(key) || bytes.ContainsFunc([]byte(key), func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, ErrBadKey
	}
	// Keys live a day, like most clients' retry windows: the account's
	// older ones go here, a handful of rows found by the primary key.
	if _, err := tx.Exec(ctx, `DELETE FROM idempotency_key WHERE account_id = $1 AND created_at < now() - interval '1 day'`, account); err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO idempotency_key (account_id, key, request_hash) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, key) DO NOTHING`, account, key, request)
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	var hash []byte
	var status *int
	var body []byte
	err = tx.QueryRow(ctx, `SELECT request_hash, status, response FROM idempotency_key WHERE account_id = $1 AND key = $2`,
		account, key).Scan(&hash, &status, &body)
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	if !bytes.Equal(hash, request) || status == nil {
		return nil, ErrKeyReused
	}
	return &Answer{Status: *status, Body: body}, nil
}

// Store keeps the answer to the request that claimed key, in its tx.
func Store(ctx context.Context, tx pgx.Tx, account uuid.UUID, key string, a Answer) error {
	if _, err := tx.Exec(ctx, `UPDATE idempotency_key SET status = $3, response = $4 WHERE account_id = $1 AND key = $2`,
		account, key, a.Status, a.Body); err != nil {
		return fmt.Errorf("store idempotent answer: %w", err)
	}
	return nil
}

// WriteProblem answers err when it is one of this package's refusals of the
// caller's key (a malformed key: 422 naming the header; a key reused for
// another request: 422 idempotency_key_reused) and reports whether it did.
func WriteProblem(w http.ResponseWriter, err error) bool {
	switch {
	case errors.Is(err, ErrBadKey):
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("Idempotency-Key", "idempotency_key.invalid",
			"Cheia de idempotență are 1-200 de caractere tipăribile.", err.Error())})
	case errors.Is(err, ErrKeyReused):
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusUnprocessableEntity, Code: "idempotency_key_reused", Detail: err.Error()})
	default:
		return false
	}
	return true
}
