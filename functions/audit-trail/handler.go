package main

import (
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/audit"
	"github.com/ghiseu/ghiseu/shared/httpapi"
)

type server struct {
	pool *pgxpool.Pool
	log  *slog.Logger
}

func (s *server) routes(r *access.Router) {
	r.Handle(access.Route{Pattern: "GET /api/institutions/{institution}/audit",
		Rule: access.Permission("audit.read", access.PathInstitution("institution")), Handler: s.list})
	r.Handle(access.Route{Pattern: "GET /api/institutions/{institution}/audit/verification",
		Rule: access.Permission("audit.read", access.PathInstitution("institution")), Handler: s.verify})
}

type record struct {
	Seq        int64           `json:"seq"`
	OccurredAt time.Time       `json:"occurredAt"`
	ActorID    *uuid.UUID      `json:"actorId"`
	ActorKind  string          `json:"actorKind"`
	OnBehalfOf *uuid.UUID      `json:"onBehalfOf"`
	Action     string          `json:"action"`
	ObjectType string          `json:"objectType"`
	ObjectID   string          `json:"objectId"`
	IP         string          `json:"ip"`
	Old        json.RawMessage `json:"old"`
	New        json.RawMessage `json:"new"`
	Reason     string          `json:"reason"`
	Hash       string          `json:"hash"`
}

func ptr(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func rawOrNull(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage("null")
	}
	return m
}

// list answers with one page of the institution's trail, newest first.
func (s *server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := audit.Filter{Institution: access.ScopeFromContext(r.Context()).Institution,
		Action: q.Get("action"), ObjectType: q.Get("objectType"), ObjectID: q.Get("objectId")}
	var errs []httpapi.FieldError
	bad := func(field, ro, en string) {
		errs = append(errs, httpapi.FieldError{Field: field, Code: field + ".invalid", Message: ro, MessageEn: en})
	}
	if v := q.Get("actor"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			bad("actor", "Actorul trebuie să fie un UUID.", "The actor must be a UUID.")
		}
		f.ActorID = id
	}
	for field, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(field); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				bad(field, "Data trebuie să fie în format RFC 3339.", "The time must be RFC 3339.")
			}
			*dst = t
		}
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			bad("after", "Cursorul nu este valid.", "The cursor is not valid.")
		}
		f.AfterSeq = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > audit.MaxLimit {
			bad("limit", "Limita trebuie să fie între 1 și 1000.", "The limit must be between 1 and 1000.")
		}
		f.Limit = n
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	var records []audit.Record
	var next int64
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) (err error) {
		records, next, err = audit.List(r.Context(), tx, f)
		return err
	})
	if err != nil {
		s.log.Error("list audit", "error", err.Error())
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal"})
		return
	}
	out := struct {
		Records []record `json:"records"`
		Next    *int64   `json:"next"`
	}{Records: make([]record, 0, len(records))}
	if next != 0 {
		out.Next = &next
	}
	for _, rec := range records {
		out.Records = append(out.Records, record{Seq: rec.Seq, OccurredAt: rec.OccurredAt, ActorID: ptr(rec.ActorID),
			ActorKind: rec.ActorKind, OnBehalfOf: ptr(rec.OnBehalfOf), Action: rec.Action, ObjectType: rec.ObjectType,
			ObjectID: rec.ObjectID, IP: rec.IP, Old: rawOrNull(rec.Old), New: rawOrNull(rec.New), Reason: rec.Reason,
			Hash: hex.EncodeToString(rec.Hash)})
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// verify recomputes the institution's chain and names the first broken row.
func (s *server) verify(w http.ResponseWriter, r *http.Request) {
	var res audit.Result
	err := access.Tx(r.Context(), s.pool, func(tx pgx.Tx) (err error) {
		res, err = audit.Verify(r.Context(), tx, access.ScopeFromContext(r.Context()).Institution)
		return err
	})
	if err != nil {
		s.log.Error("verify audit", "error", err.Error())
		httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusInternalServerError, Code: "internal"})
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"rows": res.Rows, "intact": res.OK(), "firstBroken": res.FirstBroken, "reason": res.Reason})
}
