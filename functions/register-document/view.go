package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/documents"
	"github.com/ghiseu/ghiseu/shared/registry"
)

// entryJSON is a registry entry as the API shows it.
type entryJSON struct {
	ID               uuid.UUID      `json:"id"`
	InstitutionID    uuid.UUID      `json:"institutionId"`
	RegisterID       uuid.UUID      `json:"registerId"`
	RegisterCode     string         `json:"registerCode"`
	Year             int            `json:"year"`
	Number           int64          `json:"number"`
	RegisteredAt     time.Time      `json:"registeredAt"`
	Direction        string         `json:"direction"`
	Channel          string         `json:"channel"`
	Sender           string         `json:"sender"`
	Recipient        string         `json:"recipient"`
	Subject          string         `json:"subject"`
	Pages            int            `json:"pages"`
	Attachments      int            `json:"attachments"`
	Confidentiality  string         `json:"confidentiality"`
	AnswersEntryID   *uuid.UUID     `json:"answersEntryId"`
	FileID           *uuid.UUID     `json:"fileId"`
	RegisteredBy     *uuid.UUID     `json:"registeredBy"`
	VerificationCode string         `json:"verificationCode"`
	Annulment        *annulmentJSON `json:"annulment"`
	Revision         int            `json:"revision"`
	UpdatedAt        *time.Time     `json:"updatedAt"`
	Receipt          string         `json:"receipt"`
	Documents        []documentJSON `json:"documents"`
	Revisions        []revisionJSON `json:"revisions,omitempty"`
	// Links are the entry's links both ways (conexare, answers, identical
	// petitions); Dispatches, the answers recorded under its own number.
	// Shown when one entry is read.
	Links      []linkJSON     `json:"links,omitempty"`
	Dispatches []dispatchJSON `json:"dispatches,omitempty"`
	// AnsweredBy: references of what answers the entry (search results).
	AnsweredBy []string `json:"answeredBy,omitempty"`
}

type annulmentJSON struct {
	At     time.Time  `json:"at"`
	By     *uuid.UUID `json:"by"`
	Reason string     `json:"reason"`
}

type documentJSON struct {
	ID        uuid.UUID     `json:"id"`
	Title     string        `json:"title"`
	CreatedAt time.Time     `json:"createdAt"`
	Versions  []versionJSON `json:"versions"`
}

type versionJSON struct {
	Version   int       `json:"version"`
	SHA256    string    `json:"sha256"`
	Size      int64     `json:"size"`
	MediaType string    `json:"mediaType"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	Content   string    `json:"content"`
}

type revisionJSON struct {
	Revision  int             `json:"revision"`
	ChangedAt time.Time       `json:"changedAt"`
	ChangedBy *uuid.UUID      `json:"changedBy"`
	Reason    string          `json:"reason"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
}

func entryView(e registry.Entry, reg registry.Register, docs []documents.Filed) entryJSON {
	v := entryJSON{ID: e.ID, InstitutionID: e.Institution, RegisterID: e.Register, RegisterCode: reg.Code, Year: e.Year,
		Number: e.Number, RegisteredAt: e.RegisteredAt, Direction: e.Direction, Channel: e.Channel, Sender: e.Sender,
		Recipient: e.Recipient, Subject: e.Subject, Pages: e.Pages, Attachments: e.Attachments,
		Confidentiality: e.Confidentiality, AnswersEntryID: idOrNull(e.AnswersEntry), FileID: idOrNull(e.File),
		RegisteredBy: idOrNull(e.RegisteredBy), VerificationCode: e.VerificationCode, Revision: e.Revision,
		UpdatedAt: e.UpdatedAt, Receipt: entryPath(e) + "/receipt", Documents: []documentJSON{}}
	if e.AnnulledAt != nil {
		v.Annulment = &annulmentJSON{At: *e.AnnulledAt, By: idOrNull(e.AnnulledBy), Reason: e.AnnulReason}
	}
	for _, d := range docs {
		dj := documentJSON{ID: d.ID, Title: d.Title, CreatedAt: d.CreatedAt, Versions: []versionJSON{}}
		for _, ver := range d.Versions {
			dj.Versions = append(dj.Versions, versionJSON{Version: ver.Version, SHA256: ver.SHA256, Size: ver.Size,
				MediaType: ver.MediaType, Name: ver.OriginalName, CreatedAt: ver.CreatedAt,
				Content: fmt.Sprintf("%s/documents/%s/versions/%d", entryPath(e), d.ID, ver.Version)})
		}
		v.Documents = append(v.Documents, dj)
	}
	return v
}

// registerJSON is a register as the API shows it.
type registerJSON struct {
	ID          uuid.UUID   `json:"id"`
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	Kind        string      `json:"kind"`
	Description string      `json:"description"`
	Departments []uuid.UUID `json:"departments"`
	CreatedAt   time.Time   `json:"createdAt"`
	ClosedAt    *time.Time  `json:"closedAt"`
}

func registerView(r registry.Register) registerJSON {
	deps := r.Departments
	if deps == nil {
		deps = []uuid.UUID{}
	}
	return registerJSON{ID: r.ID, Code: r.Code, Name: r.Name, Kind: r.Kind, Description: r.Description,
		Departments: deps, CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt}
}
