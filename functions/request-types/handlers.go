package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/idempotency"
	"github.com/ghiseu/ghiseu/shared/institutions"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// publicTx runs a read of the public catalogue in a transaction acting for
// nobody, whoever calls: the catalogue's row-level security policies let
// anyone read request types, published versions, institutions and
// departments, and nothing else. So a draft cannot reach a citizen even
// through a mistake in a query here.
func (s *server) publicTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return db.ScopedTx(ctx, s.pool, db.Scope{}, fn)
}

// departmentNames maps the institution's departments to their names. An
// organisation chart has tens of units: it is read whole.
func departmentNames(ctx context.Context, tx pgx.Tx, institution uuid.UUID) (map[uuid.UUID]string, error) {
	ds, err := institutions.Departments(ctx, tx, institution)
	if err != nil {
		return nil, err
	}
	names := make(map[uuid.UUID]string, len(ds))
	for _, d := range ds {
		names[d.ID] = d.Name
	}
	return names, nil
}

// view shows a version with its form's fields. A stored form that no
// longer compiles is logged and shown without fields.
func (s *server) view(v requesttypes.Version, departments map[uuid.UUID]string) (versionJSON, bool) {
	out := toView(v, departments)
	if err := withFields(&out); err != nil {
		s.log.Error("a stored form does not compile", "institution", v.Institution.String(), "type", v.Type.String(),
			"version", v.Version, "error", err.Error())
		return out, false
	}
	return out, true
}

// read reads a version for the administration, in tx.
func (s *server) read(ctx context.Context, tx pgx.Tx, institution, typ uuid.UUID, version int) (versionJSON, error) {
	v, err := requesttypes.GetVersion(ctx, tx, institution, typ, version)
	if err != nil {
		return versionJSON{}, err
	}
	names, err := departmentNames(ctx, tx, institution)
	if err != nil {
		return versionJSON{}, err
	}
	out, _ := s.view(v, names)
	return out, nil
}

// listPublished answers the institution's catalogue: the newest published
// version of every type not withdrawn, by name. It is small (tens of
// types), so it is one list.
func (s *server) listPublished(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var vs []requesttypes.Version
	var names map[uuid.UUID]string
	err := s.publicTx(ctx, func(tx pgx.Tx) error {
		if _, err := institutions.Get(ctx, tx, inst); err != nil {
			return err
		}
		var err error
		if vs, err = requesttypes.Published(ctx, tx, inst); err != nil {
			return err
		}
		names, err = departmentNames(ctx, tx, inst)
		return err
	})
	if err != nil {
		s.refuse(w, "list request types", err)
		return
	}
	items := []versionJSON{}
	for _, v := range vs {
		// A form that cannot be built cannot be submitted either: it is
		// not offered.
		if out, ok := s.view(v, names); ok {
			items = append(items, out)
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, items)
}

// getPublished answers a type's newest published version, unless the type
// is withdrawn.
func (s *server) getPublished(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, typ, ok := pathType(w, r)
	if !ok {
		return
	}
	var v requesttypes.Version
	var names map[uuid.UUID]string
	err := s.publicTx(ctx, func(tx pgx.Tx) error {
		t, err := requesttypes.GetType(ctx, tx, inst, typ)
		if err != nil {
			return err
		}
		if t.WithdrawnAt != nil {
			return errHidden
		}
		// 0: the newest published version; none is ErrNotFound.
		if v, err = requesttypes.GetVersion(ctx, tx, inst, typ, 0); err != nil {
			return err
		}
		names, err = departmentNames(ctx, tx, inst)
		return err
	})
	if err != nil {
		s.refuse(w, "get request type", err)
		return
	}
	out, ok := s.view(v, names)
	if !ok {
		httpapi.NotFound(w)
		return
	}
	w.Header().Set("ETag", etag(out))
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// listAll answers every type of the institution for its administrators:
// those with only a draft and the withdrawn ones too, which the public
// catalogue leaves out.
func (s *server) listAll(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	out := struct {
		Items []summaryJSON `json:"items"`
	}{Items: []summaryJSON{}}
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		list, err := requesttypes.Summaries(ctx, tx, inst)
		for _, t := range list {
			out.Items = append(out.Items, summaryView(t))
		}
		return err
	})
	if err != nil {
		s.refuse(w, "list all request types", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// listVersions answers a type with every version, drafts included.
func (s *server) listVersions(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, typ, ok := pathType(w, r)
	if !ok {
		return
	}
	var out typeVersionsJSON
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		t, err := requesttypes.GetType(ctx, tx, inst, typ)
		if err != nil {
			return err
		}
		vs, err := requesttypes.Versions(ctx, tx, inst, typ)
		if err != nil {
			return err
		}
		names, err := departmentNames(ctx, tx, inst)
		if err != nil {
			return err
		}
		out = typeVersionsJSON{typeJSON: typeView(t), Versions: []versionJSON{}}
		for _, v := range vs {
			view, _ := s.view(v, names)
			out.Versions = append(out.Versions, view)
		}
		return nil
	})
	if err != nil {
		s.refuse(w, "list versions", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// getVersion answers one version, draft or published, with its ETag.
func (s *server) getVersion(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, typ, ok := pathType(w, r)
	if !ok {
		return
	}
	n, ok := pathVersion(w, r)
	if !ok {
		return
	}
	var out versionJSON
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		out, err = s.read(ctx, tx, inst, typ, n)
		return err
	})
	if err != nil {
		s.refuse(w, "get version", err)
		return
	}
	w.Header().Set("ETag", etag(out))
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// creating answers a POST that makes a version (a new type's first draft,
// or a type's next draft): build runs in the request's transaction and
// returns the version made. With an Idempotency-Key it runs at most once
// per key: a retry (a double click, a timeout) gets the first answer back.
func (s *server) creating(w http.ResponseWriter, r *http.Request, what string, inst uuid.UUID, request any,
	build func(ctx context.Context, tx pgx.Tx) (versionJSON, error)) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	key := r.Header.Get("Idempotency-Key")
	var hash []byte
	if key != "" {
		b, err := json.Marshal(request)
		if err != nil {
			s.refuse(w, what, err)
			return
		}
		// The same key for another path is another request.
		hash = idempotency.Hash([]byte(r.URL.Path), b)
	}
	var out versionJSON
	var replay *idempotency.Answer
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if key != "" {
			var err error
			if replay, err = idempotency.Claim(ctx, tx, p.Account, key, hash); err != nil || replay != nil {
				return err
			}
		}
		var err error
		if out, err = build(ctx, tx); err != nil || key == "" {
			return err
		}
		body, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return idempotency.Store(ctx, tx, p.Account, key, idempotency.Answer{Status: http.StatusCreated, Body: body})
	})
	if err != nil {
		s.refuse(w, what, err)
		return
	}
	status := http.StatusCreated
	if replay != nil {
		if err := json.Unmarshal(replay.Body, &out); err != nil {
			s.refuse(w, what+": replay", err)
			return
		}
		status = replay.Status
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", location(out, inst))
	w.Header().Set("ETag", etag(out))
	httpapi.WriteJSON(w, status, out)
}

// create defines a type with its first version, a draft.
func (s *server) create(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, ok := httpapi.PathID(w, r, "institution")
	if !ok {
		return
	}
	var in createInput
	if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	v, errs := in.check(inst, s.maxFileSize)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	v.CreatedBy = access.FromContext(ctx).Account
	s.creating(w, r, "create request type", inst, in, func(ctx context.Context, tx pgx.Tx) (versionJSON, error) {
		t, _, err := requesttypes.Create(ctx, tx, requesttypes.Type{Institution: inst, Code: in.Code}, v)
		if err != nil {
			return versionJSON{}, err
		}
		out, err := s.read(ctx, tx, inst, t.ID, 1)
		if err != nil {
			return versionJSON{}, err
		}
		return out, s.audit(ctx, tx, r, inst, "requesttype.create", t.ID, nil, contentOf(out))
	})
}

// newDraft starts the type's next version; there is one draft at a time.
func (s *server) newDraft(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, typ, ok := pathType(w, r)
	if !ok {
		return
	}
	var in versionInput
	if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	v, errs := in.check(inst, s.maxFileSize)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	v.Type, v.CreatedBy = typ, access.FromContext(ctx).Account
	s.creating(w, r, "new draft", inst, in, func(ctx context.Context, tx pgx.Tx) (versionJSON, error) {
		vs, err := requesttypes.Versions(ctx, tx, inst, typ)
		if err != nil {
			return versionJSON{}, err
		}
		if len(vs) == 0 {
			return versionJSON{}, requesttypes.ErrNotFound
		}
		// Two drafts started at once wait for each other on the newest
		// version: the second then finds the first's draft.
		if _, err := requesttypes.LockVersion(ctx, tx, inst, typ, vs[0].Version); err != nil {
			return versionJSON{}, err
		}
		d, err := requesttypes.NewDraft(ctx, tx, v)
		if err != nil {
			return versionJSON{}, err
		}
		out, err := s.read(ctx, tx, inst, typ, d.Version)
		if err != nil {
			return versionJSON{}, err
		}
		return out, s.audit(ctx, tx, r, inst, "requesttype.draft", typ, nil, contentOf(out))
	})
}

// updateDraft replaces a draft's content; If-Match must name its current
// ETag.
func (s *server) updateDraft(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, typ, ok := pathType(w, r)
	if !ok {
		return
	}
	n, ok := pathVersion(w, r)
	if !ok {
		return
	}
	ifMatch, ok := httpapi.RequireIfMatch(w, r)
	if !ok {
		return
	}
	var in versionInput
	if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	v, errs := in.check(inst, s.maxFileSize)
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	v.Type, v.Version = typ, n
	var out versionJSON
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := requesttypes.LockVersion(ctx, tx, inst, typ, n)
		if err != nil {
			return err
		}
		if before.PublishedAt != nil {
			return requesttypes.ErrPublished
		}
		prev := toView(before, nil)
		if !httpapi.IfMatch(ifMatch, etag(prev)) {
			return errStale
		}
		if _, err := requesttypes.UpdateDraft(ctx, tx, v); err != nil {
			return err
		}
		if out, err = s.read(ctx, tx, inst, typ, n); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, inst, "requesttype.update", typ, contentOf(prev), contentOf(out))
	})
	if err != nil {
		s.refuse(w, "update draft", err)
		return
	}
	w.Header().Set("ETag", etag(out))
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// publish publishes a draft: from now on citizens submit with it, and it
// never changes. If-Match, when sent, must name the draft's current ETag,
// so that what is published is what was reviewed.
func (s *server) publish(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, typ, ok := pathType(w, r)
	if !ok {
		return
	}
	n, ok := pathVersion(w, r)
	if !ok {
		return
	}
	ifMatch := r.Header.Get("If-Match")
	by := access.FromContext(ctx).Account
	var out versionJSON
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := requesttypes.LockVersion(ctx, tx, inst, typ, n)
		if err != nil {
			return err
		}
		if before.PublishedAt != nil {
			return requesttypes.ErrNoDraft
		}
		if ifMatch != "" && !httpapi.IfMatch(ifMatch, etag(toView(before, nil))) {
			return errStale
		}
		published, err := requesttypes.Publish(ctx, tx, inst, typ, by)
		if err != nil {
			return err
		}
		if published.Version != n {
			// The lock keeps the draft the draft: this cannot happen.
			return fmt.Errorf("published version %d, not %d", published.Version, n)
		}
		if out, err = s.read(ctx, tx, inst, typ, n); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, inst, "requesttype.publish", typ, nil,
			map[string]any{"version": n, "publishedAt": published.PublishedAt})
	})
	if err != nil {
		s.refuse(w, "publish", err)
		return
	}
	w.Header().Set("ETag", etag(out))
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// withdraw stops offering a type; its versions and requests stay. Again
// is no change: answered the same, not audited twice.
func (s *server) withdraw(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, typ, ok := pathType(w, r)
	if !ok {
		return
	}
	var out requesttypes.Type
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := requesttypes.GetType(ctx, tx, inst, typ)
		if err != nil {
			return err
		}
		out = before
		if before.WithdrawnAt != nil {
			return nil
		}
		if err := requesttypes.Withdraw(ctx, tx, inst, typ); err != nil {
			return err
		}
		if out, err = requesttypes.GetType(ctx, tx, inst, typ); err != nil {
			return err
		}
		return s.audit(ctx, tx, r, inst, "requesttype.withdraw", typ, typeView(before), typeView(out))
	})
	if err != nil {
		s.refuse(w, "withdraw", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, typeView(out))
}
