package main

import (
	"crypto/rand"
	"encoding/base32"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/institutions"
)

// previousSecretValidity is how long a rotated-out secret keeps working:
// a day to deploy the new one to the system without an outage.
const previousSecretValidity = 24 * time.Hour

// newClientID is a public client id: "mc_" and 20 base32 characters (100
// random bits), lower case so it reads and types easily.
func newClientID() string {
	b := make([]byte, 13)
	_, _ = rand.Read(b) // crypto/rand does not fail; it crashes the program instead
	return "mc_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:20]
}

// newSecret returns a fresh secret and its argon2id hash. A secret is 256
// random bits, so the hash guards against a leaked database, not guessing.
func newSecret() (secret, hash string, err error) {
	secret, _ = access.NewToken()
	hash, err = argon2id.CreateHash(secret, institutions.HashParams())
	return secret, hash, err
}

// machineClientSecret is a machine client with its secret, shown once.
type machineClientSecret struct {
	institutions.MachineClient
	ClientSecret string `json:"clientSecret"`
}

type machineClientList struct {
	MachineClients []institutions.MachineClient `json:"machineClients"`
	Next           *string                      `json:"next"`
}

func (s *server) listMachineClients(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	page, errs := pageFrom(r.URL.Query())
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	var res machineClientList
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) error {
		items, next, err := institutions.ListMachineClients(r.Context(), tx, inst, page)
		res = machineClientList{MachineClients: items, Next: cursor(next)}
		return err
	})
	if err != nil {
		s.refuse(w, "list machine clients", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

type machineClientCreate struct {
	Name string `json:"name"`
}

func (s *server) createMachineClient(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var req machineClientCreate
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("name", "name.invalid", "Completați denumirea (cel mult 200 de caractere).",
			"Give a name (at most 200 characters).")})
		return
	}
	// Hashed before the transaction, which then stays short; on a repeat
	// the hash is not used.
	secret, hash, err := newSecret()
	if err != nil {
		s.refuse(w, "hash secret", err)
		return
	}
	id, _ := uuid.NewV7()
	n := institutions.NewMachineClient{ID: id, Institution: inst, Name: name, ClientID: newClientID(), SecretHash: hash}
	ctx := r.Context()
	var res institutions.MachineClient
	var result institutions.Result
	var published []int64
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if res, result, err = institutions.CreateMachineClient(ctx, tx, n); err != nil || result != institutions.Created {
			return err
		}
		if err := s.audit(ctx, tx, r, inst, "machineclient.create", "account", res.ID, nil,
			map[string]string{"clientId": res.ClientID, "name": res.Name}); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeAccountRegistered, inst, map[string]string{"accountId": res.ID.String(), "kind": "machine"})
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "create machine client", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	if result != institutions.Created {
		// The secret of the client made before cannot be shown again.
		httpapi.WriteJSON(w, http.StatusOK, res)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, machineClientSecret{MachineClient: res, ClientSecret: secret})
}

func (s *server) rotateMachineClient(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "client")
	if !ok {
		return
	}
	secret, hash, err := newSecret()
	if err != nil {
		s.refuse(w, "hash secret", err)
		return
	}
	ctx := r.Context()
	var res institutions.MachineClient
	var published []int64
	err = access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if res, err = institutions.RotateMachineClient(ctx, tx, inst, id, hash, previousSecretValidity); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, r, inst, "machineclient.rotate", "account", id, nil,
			map[string]any{"clientId": res.ClientID, "previousSecretValidUntil": res.PreviousSecretValidUntil}); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeMachineClientRotated, inst, map[string]any{"institutionId": inst, "accountId": id,
			"clientId": res.ClientID, "previousSecretValidUntil": res.PreviousSecretValidUntil.UTC().Format(time.RFC3339)})
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "rotate machine client", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	httpapi.WriteJSON(w, http.StatusOK, machineClientSecret{MachineClient: res, ClientSecret: secret})
}

// closeMachineClient disables the client. Closing a closed one changes
// nothing and answers the same, as a repeated DELETE should.
func (s *server) closeMachineClient(w http.ResponseWriter, r *http.Request) {
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	id, ok := httpapi.PathID(w, r, "client")
	if !ok {
		return
	}
	ctx := r.Context()
	var published []int64
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		res, changed, err := institutions.CloseMachineClient(ctx, tx, inst, id)
		if err != nil || !changed {
			return err
		}
		if err := s.audit(ctx, tx, r, inst, "machineclient.close", "account", id,
			map[string]string{"status": "active"}, map[string]string{"status": "closed"}); err != nil {
			return err
		}
		oid, err := s.emit(ctx, tx, events.TypeMachineClientClosed, inst, map[string]any{"institutionId": inst, "accountId": id,
			"clientId": res.ClientID})
		published = append(published, oid)
		return err
	})
	if err != nil {
		s.refuse(w, "close machine client", err)
		return
	}
	s.outbox.Publish(ctx, published...)
	w.WriteHeader(http.StatusNoContent)
}
