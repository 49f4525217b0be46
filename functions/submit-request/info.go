package main

import (
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/requests"
)

// infoAnswer is the applicant's answer to an information request: a text
// and, declared before they follow, files.
type infoAnswer struct {
	Text  string         `json:"text"`
	Files []declaredFile `json:"files"`
}

// provideInfo takes the applicant's answer to the institution's question:
// application/json for the text alone, or multipart/form-data with an
// "answer" part (the JSON) and then one "file" part per declared file.
func (s *server) provideInfo(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "request")
	if !ok {
		return
	}
	p := access.FromContext(ctx)
	var in infoAnswer
	var parts *multipart.Reader
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		var err error
		if parts, err = r.MultipartReader(); err != nil {
			httpapi.WriteProblem(w, httpapi.Problem{Status: http.StatusBadRequest, Code: "malformed_multipart", Detail: err.Error()})
			return
		}
		if !httpapi.ReadJSONPart(w, parts, "answer", &in) {
			return
		}
	} else if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	if len(in.Files) > maxFiles {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("files", "files.too_many", "Prea multe fișiere.", "Too many files.")})
		return
	}
	for i := range in.Files {
		in.Files[i].Kind = requests.KindInfo
		if documents.CheckName(in.Files[i].Name) != nil {
			httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("files", "file.name_invalid",
				"Numele fișierului nu este permis.", "The file name is not allowed.")})
			return
		}
	}
	// Only the applicant answers, and only while the question is open:
	// checked before any file is stored.
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		req, err := requests.Get(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		if req.Applicant != p.Account {
			return errNotApplicant
		}
		if req.Status != requests.InfoRequested {
			return requests.ErrTransition
		}
		return nil
	})
	if err != nil {
		s.refuse(w, "provide info", err)
		return
	}
	var files []requests.File
	if parts != nil {
		if files, err = s.uploadDeclared(ctx, inst, parts, in.Files, func(int) *documents.Store { return s.docs }); err != nil {
			s.refuse(w, "provide info: upload", err)
			return
		}
	}
	var req requests.Request
	var ids []int64
	// The answer changes the institution's request: it runs in the
	// institution's scope, for the applicant checked above and again here.
	err = db.ScopedTx(ctx, s.pool, db.Scope{Institution: inst, Account: p.Account}, func(tx pgx.Tx) error {
		cur, err := requests.Get(ctx, tx, inst, id)
		if err != nil {
			return err
		}
		if cur.Applicant != p.Account {
			return errNotApplicant
		}
		var c requests.Change
		if req, c, err = requests.Apply(ctx, tx, inst, id, requests.Action{Kind: requests.ActProvideInfo, By: actorOf(ctx),
			Note: in.Text, Files: files}); err != nil {
			return err
		}
		ids, err = s.record(ctx, tx, r, req, c, "request.provide_info")
		return err
	})
	if err != nil {
		s.refuse(w, "provide info", err)
		return
	}
	s.outbox.Publish(ctx, ids...)
	httpapi.WriteJSON(w, http.StatusOK, requests.SummarizeForApplicant(req, time.Now()))
}
