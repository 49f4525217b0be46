package main

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/httpapi"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// practiceJSON is an institution's registry practice as the API shows it.
type practiceJSON struct {
	AnswerNumbering  string     `json:"answerNumbering"`
	AnswerRegisterID *uuid.UUID `json:"answerRegisterId"`
	OwnAnnulMinutes  int        `json:"ownAnnulMinutes"`
	UpdatedAt        *time.Time `json:"updatedAt"`
}

func practiceView(p registry.Practice) practiceJSON {
	return practiceJSON{AnswerNumbering: p.AnswerNumbering, AnswerRegisterID: idOrNull(p.AnswerRegister),
		OwnAnnulMinutes: p.OwnAnnulMinutes, UpdatedAt: p.UpdatedAt}
}

func (s *server) getPractice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	var p registry.Practice
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) (err error) {
		p, err = registry.GetPractice(ctx, tx, inst)
		return err
	})
	if err != nil {
		s.refuse(w, "get practice", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, practiceView(p))
}

// practiceInput is the whole practice: PUT replaces it; a field left out
// takes its default (answers in the outgoing register, 30 minutes).
type practiceInput struct {
	AnswerNumbering  string  `json:"answerNumbering"`
	AnswerRegisterID *string `json:"answerRegisterId"`
	OwnAnnulMinutes  *int    `json:"ownAnnulMinutes"`
}

// setPractice lets an administrator choose how answers are numbered and
// how long registrars may annul their own entries; audited.
func (s *server) setPractice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	var in practiceInput
	if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	p := registry.Practice{Institution: inst, AnswerNumbering: in.AnswerNumbering, OwnAnnulMinutes: registry.DefaultOwnAnnulMinutes}
	if p.AnswerNumbering == "" {
		p.AnswerNumbering = registry.AnswerInRegister
	}
	var errs []httpapi.FieldError
	if p.AnswerNumbering != registry.AnswerInRegister && p.AnswerNumbering != registry.AnswerSameNumber {
		errs = append(errs, httpapi.Field("answerNumbering", "answerNumbering.invalid",
			"Răspunsurile se înregistrează în registrul de ieșire sau la numărul documentului la care se răspunde.",
			"Answers are numbered in the answer register (answer_register) or on the answered entry's number (same_number)."))
	}
	if in.AnswerRegisterID != nil {
		var fe []httpapi.FieldError
		p.AnswerRegister, fe = optionalID("answerRegisterId", *in.AnswerRegisterID)
		errs = append(errs, fe...)
	}
	if in.OwnAnnulMinutes != nil {
		p.OwnAnnulMinutes = *in.OwnAnnulMinutes
		if p.OwnAnnulMinutes < 0 || p.OwnAnnulMinutes > 1440 {
			errs = append(errs, httpapi.Field("ownAnnulMinutes", "ownAnnulMinutes.invalid",
				"Intervalul este între 0 și 1440 de minute.", "The window is 0 to 1440 minutes."))
		}
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	by := actorOf(ctx, r)
	var after registry.Practice
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		before, a, err := registry.SetPractice(ctx, tx, p, by.id)
		if err != nil {
			return err
		}
		after = a
		return s.audit(ctx, tx, by, inst, "registry.practice", "institution", inst, practiceView(before), practiceView(after), "")
	})
	if errors.Is(err, registry.ErrNoAnswerRegister) {
		httpapi.Invalid(w, []httpapi.FieldError{httpapi.Field("answerRegisterId", "answerRegisterId.invalid",
			"Registrul pentru răspunsuri este un registru de ieșire deschis al instituției.",
			"The answer register is an open outgoing register of the institution.")})
		return
	}
	if err != nil {
		s.refuse(w, "set practice", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, practiceView(after))
}

// linkJSON is a link of an entry, seen from it.
type linkJSON struct {
	Kind string `json:"kind"`
	// Direction: "to" when made from this entry, "from" for a back-link.
	Direction string     `json:"direction"`
	EntryID   uuid.UUID  `json:"entryId"`
	Reference string     `json:"reference"`
	Number    int64      `json:"number"`
	Year      int        `json:"year"`
	LinkedAt  time.Time  `json:"linkedAt"`
	LinkedBy  *uuid.UUID `json:"linkedBy"`
	Note      string     `json:"note"`
}

func linksView(links []registry.Link) []linkJSON {
	out := []linkJSON{}
	for _, l := range links {
		dir := "from"
		if l.Outgoing {
			dir = "to"
		}
		out = append(out, linkJSON{Kind: l.Kind, Direction: dir, EntryID: l.Other, Number: l.OtherNumber, Year: l.OtherYear,
			Reference: l.OtherRegister + "-" + strconv.FormatInt(l.OtherNumber, 10) + "/" + strconv.Itoa(l.OtherYear),
			LinkedAt:  l.LinkedAt, LinkedBy: idOrNull(l.LinkedBy), Note: l.Note})
	}
	return out
}

func dispatchesView(ds []registry.Dispatch) []dispatchJSON {
	out := []dispatchJSON{}
	for _, d := range ds {
		out = append(out, dispatchJSON{ID: d.ID, DispatchedAt: d.DispatchedAt, Recipient: d.Recipient,
			Subject: d.Subject, RegisteredBy: idOrNull(d.RegisteredBy)})
	}
	return out
}

type linkInput struct {
	EntryID string `json:"entryId"`
	Note    string `json:"note"`
}

// addLink links an entry to another (conexare): an addition, audited, that
// is never overwritten or removed. Linking the same two entries again is
// answered 200 with the links as they are.
func (s *server) addLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	var in linkInput
	if !httpapi.DecodeJSON(w, r, &in) {
		return
	}
	in.Note = strings.TrimSpace(in.Note)
	other, errs := optionalID("entryId", in.EntryID)
	if in.EntryID == "" {
		errs = append(errs, httpapi.Field("entryId", "entryId.required", "Alegeți înregistrarea de conexat.", "Name the entry to link."))
	}
	errs = append(errs, text("note", in.Note, 1000, false)...)
	if other == id && other != uuid.Nil {
		errs = append(errs, httpapi.Field("entryId", "entryId.self", "O înregistrare nu se conexează cu ea însăși.", "An entry is not linked to itself."))
	}
	if len(errs) > 0 {
		httpapi.Invalid(w, errs)
		return
	}
	by := actorOf(ctx, r)
	var links []registry.Link
	added := false
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := loadEntry(ctx, tx, inst, id); err != nil {
			return err
		}
		if _, _, err := loadEntry(ctx, tx, inst, other); err != nil {
			if errors.Is(err, registry.ErrNotFound) || errors.Is(err, errHidden) {
				return invalid{httpapi.Field("entryId", "entryId.not_found", "Înregistrarea nu există.", "The entry does not exist.")}
			}
			return err
		}
		var err error
		if added, err = registry.AddLink(ctx, tx, inst, id, other, registry.LinkRelated, by.id, in.Note); err != nil {
			return err
		}
		if added {
			if err := s.audit(ctx, tx, by, inst, "registry.link", "registry_entry", id, nil,
				map[string]any{"linkedEntryId": other, "kind": registry.LinkRelated, "note": in.Note}, in.Note); err != nil {
				return err
			}
		}
		links, err = registry.Links(ctx, tx, inst, id)
		return err
	})
	if err != nil {
		s.refuse(w, "link entry", err)
		return
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	httpapi.WriteJSON(w, status, struct {
		Items []linkJSON `json:"items"`
	}{linksView(links)})
}

// listLinks lists an entry's links both ways.
func (s *server) listLinks(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inst, _ := uuid.Parse(r.PathValue("institution"))
	id, ok := httpapi.PathID(w, r, "entry")
	if !ok {
		return
	}
	var links []registry.Link
	err := access.Tx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, _, err := loadEntry(ctx, tx, inst, id); err != nil {
			return err
		}
		var err error
		links, err = registry.Links(ctx, tx, inst, id)
		return err
	})
	if err != nil {
		s.refuse(w, "list links", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Items []linkJSON `json:"items"`
	}{linksView(links)})
}
