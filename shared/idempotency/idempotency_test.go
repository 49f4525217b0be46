package idempotency_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/idempotency"
)

func TestClaimAndReplay(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	account, other := uuid.New(), uuid.New()
	for _, a := range []uuid.UUID{account, other} {
		if _, err := d.Owner.Exec(ctx, `INSERT INTO account (id, kind, email, display_name) VALUES ($1, 'person', $2, 'x')`, a, a.String()+"@example.ro"); err != nil {
			t.Fatal(err)
		}
	}
	// run claims key as acct; a first claim creates (counting in made) and stores an answer.
	var made int
	var mu sync.Mutex
	run := func(acct uuid.UUID, key string, request []byte) (*idempotency.Answer, error) {
		var replay *idempotency.Answer
		err := db.ScopedTx(ctx, d.App, db.Scope{Account: acct}, func(tx pgx.Tx) (err error) {
			if replay, err = idempotency.Claim(ctx, tx, acct, key, request); err != nil || replay != nil {
				return err
			}
			mu.Lock()
			made++
			mu.Unlock()
			return idempotency.Store(ctx, tx, acct, key, idempotency.Answer{Status: 201, Body: []byte(`{"n":1}`)})
		})
		return replay, err
	}
	req := idempotency.Hash([]byte("cerere"), []byte("fișier"))

	// Eight concurrent first requests with one key create once; the
	// others get the stored answer.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := run(account, "k1", req); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if made != 1 {
		t.Fatalf("%d creations for one key, want 1", made)
	}
	tests := []struct {
		name    string
		account uuid.UUID
		key     string
		request []byte
		wantErr error
		replay  bool
	}{
		{"a retry gets the first answer", account, "k1", req, nil, true},
		{"the key with another request", account, "k1", idempotency.Hash([]byte("alta")), idempotency.ErrKeyReused, false},
		{"another account's key is its own", other, "k1", req, nil, false},
		{"an empty key", account, "", req, idempotency.ErrBadKey, false},
		{"a key too long", account, strings.Repeat("k", 201), req, idempotency.ErrBadKey, false},
		{"a key with a newline", account, "k\n2", req, idempotency.ErrBadKey, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			replay, err := run(tt.account, tt.key, tt.request)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if (replay != nil) != tt.replay || replay != nil && (replay.Status != 201 || string(replay.Body) != `{"n": 1}`) {
				t.Fatalf("replay %+v, want one: %v", replay, tt.replay)
			}
		})
	}
}
