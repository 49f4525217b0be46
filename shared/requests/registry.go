package requests

import (
	"strings"

	"github.com/google/uuid"
)

// ReceivedDocument is a file in ro.ghiseu.document.received.
type ReceivedDocument struct {
	Title  string `json:"title"`
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
}

// Received is the data of the ro.ghiseu.document.received a request sends
// to the registry: itself when submitted, its answer when resolved.
type Received struct {
	RegisterID      uuid.UUID          `json:"registerId"`
	Direction       string             `json:"direction"`
	Channel         string             `json:"channel"`
	Sender          string             `json:"sender,omitempty"`
	Recipient       string             `json:"recipient,omitempty"`
	Subject         string             `json:"subject"`
	Attachments     int                `json:"attachments"`
	Confidentiality string             `json:"confidentiality"`
	AnswersEntryID  *uuid.UUID         `json:"answersEntryId,omitempty"`
	SameNumber      bool               `json:"sameNumber,omitempty"`
	PartyAccountID  *uuid.UUID         `json:"partyAccountId,omitempty"`
	Reference       string             `json:"reference"`
	Documents       []ReceivedDocument `json:"documents"`
}

// Reference names a request to the registry, which echoes it in
// ro.ghiseu.document.registered; ParseReference reads it back.
func Reference(id uuid.UUID, answer bool) string {
	if answer {
		return "request:" + id.String() + ":answer"
	}
	return "request:" + id.String()
}

// ParseReference reads a Reference; ok is false for anything else.
func ParseReference(ref string) (id uuid.UUID, answer, ok bool) {
	rest, found := strings.CutPrefix(ref, "request:")
	if !found {
		return uuid.Nil, false, false
	}
	rest, answer = strings.CutSuffix(rest, ":answer")
	id, err := uuid.Parse(rest)
	return id, answer, err == nil
}

// Submission is what the registry registers of a submitted request: an
// incoming portal document from sender (the applicant's name: a register
// records who sent each document) with its files. Requests carry personal
// data, so their entries are internal.
func Submission(r Request, sender string, files []File) Received {
	return received(r, files, Received{Direction: "incoming", Sender: sender, Subject: r.Title, Reference: Reference(r.ID, false)})
}

// Answer is what the registry registers of a request's answer: an
// outgoing document to recipient (who sent the request: its entry's
// sender), linked to the request's entry, which its applicant may see. It
// goes where the institution's practice puts answers
// (registry.AnswerPlacement): in register, or, with sameNumber, under the
// number of the request's own entry. The subject names the identical
// petitions it also answers (OG 27/2002 art. 16: one answer referring to
// all of them).
func Answer(r Request, recipient string, files []File, register uuid.UUID, sameNumber bool, alsoAnswers []string) Received {
	entry := r.Entry
	subject := "Răspuns: " + r.Title
	if len(alsoAnswers) > 0 {
		subject += " (și petițiile identice nr. " + strings.Join(alsoAnswers, ", ") + ")"
	}
	d := received(r, files, Received{Direction: "outgoing", Recipient: recipient, Subject: subject,
		AnswersEntryID: &entry, SameNumber: sameNumber, Reference: Reference(r.ID, true)})
	d.RegisterID = register
	return d
}

func received(r Request, files []File, d Received) Received {
	applicant := r.Applicant
	d.RegisterID, d.Channel, d.Confidentiality, d.PartyAccountID = r.Register, "portal", "internal", &applicant
	d.Attachments, d.Documents = len(files), []ReceivedDocument{}
	for _, f := range files {
		d.Documents = append(d.Documents, ReceivedDocument{Title: f.Title, SHA256: f.SHA256, Name: f.Name})
	}
	if r := []rune(d.Subject); len(r) > 2000 {
		d.Subject = string(r[:2000])
	}
	return d
}
