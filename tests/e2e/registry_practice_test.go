package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/poll"
)

type practiceEntryView struct {
	ID             uuid.UUID  `json:"id"`
	RegisterCode   string     `json:"registerCode"`
	Number         int64      `json:"number"`
	Year           int        `json:"year"`
	Direction      string     `json:"direction"`
	AnswersEntryID *uuid.UUID `json:"answersEntryId"`
	Links          []struct {
		Kind      string    `json:"kind"`
		Direction string    `json:"direction"`
		EntryID   uuid.UUID `json:"entryId"`
		Reference string    `json:"reference"`
	} `json:"links"`
	Dispatches []struct {
		ID        uuid.UUID `json:"id"`
		Recipient string    `json:"recipient"`
	} `json:"dispatches"`
	AnsweredBy []string `json:"answeredBy"`
	Annulment  *struct {
		Reason string `json:"reason"`
	} `json:"annulment"`
}

// The answer to a request is numbered as the institution's practice says:
// in the outgoing register by default, or, once an administrator chooses
// the Archives' practice, under the number of the request's own entry; the
// entry, the search and the receipt show the link either way. Entries link
// to any number of others, each link seen from both sides and never
// overwritten. A registrar annuls their own fresh entry, not another's.
func TestAnswerNumberingByPracticeAndLinks(t *testing.T) {
	p, gw, as := requestsPlatform(t, nil)
	mp := newMailpit(t)
	lugoj := seed.InstitutionID(seed.LugojCIF)
	urbanism := seed.RequestTypeID(seed.LugojCIF, "certificat-urbanism")
	citizen := signUpVerifiedAt(t, gw, mp, uniqueEmail("constructor"), "o parolă lungă și bună")
	clerk, registrar, admin := as("urbanism@primarialugoj.ro"), as("registratura@primarialugoj.ro"), as("admin@primarialugoj.ro")
	entries := "/api/institutions/" + lugoj.String() + "/registry-entries/"
	practice := "/api/institutions/" + lugoj.String() + "/registry-practice"

	resolved := func() (requestView, practiceEntryView) {
		t.Helper()
		var v requestView
		citizen.submit(lugoj, urbanism, urbanismForm(), []declared{
			{kind: "plan-situatie", name: "plan.pdf", body: textPDF(t, "Plan de situație")},
			{kind: "extras-cf", name: "cf.pdf", body: textPDF(t, "Extras de carte funciară")}}).want(t, http.StatusCreated).json(t, &v)
		v = citizen.waitRegistered(lugoj, v.ID)
		decl, err := json.Marshal(map[string]any{"note": "Certificatul a fost emis.", "files": []map[string]string{{"name": "certificat.pdf", "title": "Certificat"}}})
		if err != nil {
			t.Fatal(err)
		}
		base := "/api/institutions/" + lugoj.String() + "/requests/" + v.ID.String()
		clerk.postMultipart(base+"/resolution", "resolution", string(decl),
			[]filePart{{filename: "certificat.pdf", body: bytes.NewReader(textPDF(t, "Certificat de urbanism"))}}).want(t, http.StatusOK)
		var answered struct {
			Answer *struct {
				EntryID uuid.UUID `json:"entryId"`
				Number  int64     `json:"number"`
			} `json:"answer"`
		}
		poll.Until(t, 60*time.Second, "the answer's registration", func() bool {
			citizen.do(http.MethodGet, base, nil).want(t, http.StatusOK).json(t, &answered)
			return answered.Answer != nil
		})
		var e practiceEntryView
		registrar.do(http.MethodGet, entries+answered.Answer.EntryID.String(), nil).want(t, http.StatusOK).json(t, &e)
		if e.Number != answered.Answer.Number {
			t.Fatalf("the answer's entry has number %d, the request says %d", e.Number, answered.Answer.Number)
		}
		return v, e
	}
	searchFor := func(number int64) practiceEntryView {
		t.Helper()
		var page struct {
			Items []practiceEntryView `json:"items"`
		}
		registrar.do(http.MethodGet, entries[:len(entries)-1]+"?register="+seed.RegisterID(seed.LugojCIF, "I").String()+
			"&number="+itoa(number), nil).want(t, http.StatusOK).json(t, &page)
		if len(page.Items) != 1 {
			t.Fatalf("search for %d: %+v", number, page.Items)
		}
		return page.Items[0]
	}

	// Default: the outgoing register, its own number, linked both ways.
	var got struct {
		AnswerNumbering string `json:"answerNumbering"`
		OwnAnnulMinutes int    `json:"ownAnnulMinutes"`
	}
	registrar.do(http.MethodGet, practice, nil).want(t, http.StatusOK).json(t, &got)
	if got.AnswerNumbering != "answer_register" || got.OwnAnnulMinutes != 30 {
		t.Fatalf("default practice: %+v", got)
	}
	req, answer := resolved()
	if answer.RegisterCode != "E" || answer.Direction != "outgoing" || answer.AnswersEntryID == nil || *answer.AnswersEntryID != req.Registration.EntryID {
		t.Fatalf("default practice: the answer is %+v, want a new outgoing entry of E answering %s", answer, req.Registration.EntryID)
	}
	var petition practiceEntryView
	registrar.do(http.MethodGet, entries+req.Registration.EntryID.String(), nil).want(t, http.StatusOK).json(t, &petition)
	wantRef := "E-" + itoa(answer.Number) + "/" + itoa(int64(answer.Year))
	if len(petition.Links) != 1 || petition.Links[0].Kind != "answer" || petition.Links[0].Direction != "from" || petition.Links[0].Reference != wantRef {
		t.Errorf("the request's entry links: %+v, want a back-link from %s", petition.Links, wantRef)
	}
	if s := searchFor(req.Registration.Number); !slices.Equal(s.AnsweredBy, []string{wantRef}) {
		t.Errorf("search shows answered by %v, want %s", s.AnsweredBy, wantRef)
	}

	// The Archives' practice: only an administrator sets it, audited.
	registrar.do(http.MethodPut, practice, map[string]any{"answerNumbering": "same_number"}).want(t, http.StatusForbidden)
	admin.do(http.MethodPut, practice, map[string]any{"answerNumbering": "nonsense"}).want(t, http.StatusUnprocessableEntity)
	admin.do(http.MethodPut, practice, map[string]any{"answerNumbering": "same_number", "ownAnnulMinutes": 30}).want(t, http.StatusOK).json(t, &got)
	if got.AnswerNumbering != "same_number" {
		t.Fatalf("set practice: %+v", got)
	}
	var audits int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE institution_id = $1 AND action = 'registry.practice'`, lugoj).Scan(&audits)
	})
	if audits != 1 {
		t.Errorf("audit rows of the practice: %d, want 1", audits)
	}
	req, answer = resolved()
	if answer.ID != req.Registration.EntryID || answer.Number != req.Registration.Number || len(answer.Dispatches) != 1 {
		t.Fatalf("same number: the answer is %+v, want the request's own entry %d with one dispatch", answer, req.Registration.Number)
	}
	if s := searchFor(req.Registration.Number); len(s.AnsweredBy) != 1 || !strings.HasPrefix(s.AnsweredBy[0], "ieșire ") {
		t.Errorf("search shows answered by %v, want ieșire on the same number", s.AnsweredBy)
	}
	if r := registrar.do(http.MethodGet, entries+answer.ID.String()+"/receipt", nil).want(t, http.StatusOK); !strings.Contains(pdfText(t, r.body), "ieșire") {
		t.Errorf("the receipt does not show the answer on its number")
	}
	// The register's export shows both answers: the first by its own
	// number, the second as "ieșire" on the request's number.
	today := time.Now().In(bucharest(t)).Format(time.DateOnly)
	csv := registrar.do(http.MethodGet, "/api/institutions/"+lugoj.String()+"/registers/"+seed.RegisterID(seed.LugojCIF, "I").String()+
		"/export?format=csv&from="+today+"&to="+today, nil).want(t, http.StatusOK)
	if !strings.Contains(string(csv.body), wantRef) || !strings.Contains(string(csv.body), "ieșire ") {
		t.Errorf("the export lacks %s or an ieșire:\n%s", wantRef, csv.body)
	}

	// Links: many, both ways, never overwritten.
	register := func(subject string) practiceEntryView {
		t.Helper()
		var e practiceEntryView
		registrar.do(http.MethodPost, entries[:len(entries)-1], map[string]any{"registerId": seed.RegisterID(seed.LugojCIF, "I"),
			"sender": "Ion Popescu", "subject": subject}).want(t, http.StatusCreated).json(t, &e)
		return e
	}
	a, b, c := register("Sesizare 1"), register("Sesizare 2"), register("Sesizare 3")
	registrar.do(http.MethodPost, entries+a.ID.String()+"/links", map[string]any{"entryId": b.ID, "note": "aceeași stradă"}).want(t, http.StatusCreated)
	registrar.do(http.MethodPost, entries+a.ID.String()+"/links", map[string]any{"entryId": c.ID}).want(t, http.StatusCreated)
	registrar.do(http.MethodPost, entries+a.ID.String()+"/links", map[string]any{"entryId": b.ID}).want(t, http.StatusOK)
	registrar.do(http.MethodPost, entries+a.ID.String()+"/links", map[string]any{"entryId": a.ID}).want(t, http.StatusUnprocessableEntity)
	registrar.do(http.MethodPost, entries+a.ID.String()+"/links", map[string]any{"entryId": uuid.New()}).want(t, http.StatusUnprocessableEntity)
	registrar.do(http.MethodGet, entries+a.ID.String(), nil).want(t, http.StatusOK).json(t, &a)
	registrar.do(http.MethodGet, entries+b.ID.String(), nil).want(t, http.StatusOK).json(t, &b)
	if len(a.Links) != 2 || a.Links[0].EntryID != b.ID || a.Links[1].EntryID != c.ID || a.Links[0].Direction != "to" {
		t.Errorf("links of a: %+v", a.Links)
	}
	if len(b.Links) != 1 || b.Links[0].EntryID != a.ID || b.Links[0].Direction != "from" {
		t.Errorf("links of b: %+v", b.Links)
	}

	// The registrar annuls their own fresh entry; not one registered by
	// someone else (without registry.annul).
	other := practiceEntryView{}
	admin.do(http.MethodPost, entries[:len(entries)-1], map[string]any{"registerId": seed.RegisterID(seed.LugojCIF, "I"),
		"sender": "Ion Popescu", "subject": "Înregistrată de administrator"}).want(t, http.StatusCreated).json(t, &other)
	registrar.do(http.MethodPost, entries+other.ID.String()+"/annulment", map[string]string{"reason": "greșeală"}).want(t, http.StatusForbidden)
	registrar.do(http.MethodPost, entries+c.ID.String()+"/annulment", map[string]string{"reason": "registru greșit"}).want(t, http.StatusOK).json(t, &c)
	if c.Annulment == nil || c.Annulment.Reason != "registru greșit" {
		t.Errorf("own annulment: %+v", c.Annulment)
	}
}

// Identical petitions of one petitioner (OG 27/2002 art. 16) are linked and
// marked for the clerk, and answering the first answers the second.
func TestIdenticalPetitionsLinkedAndAnsweredOnce(t *testing.T) {
	p, gw, as := requestsPlatform(t, nil)
	mp := newMailpit(t)
	lugoj := seed.InstitutionID(seed.LugojCIF)
	petitionType := seed.RequestTypeID(seed.LugojCIF, "petitie")
	citizen := signUpVerifiedAt(t, gw, mp, uniqueEmail("petent"), "o parolă lungă și bună")
	// A clerk of the registry department, who handles petitions.
	today := deadlines.DateOf(time.Now()).String()
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO role_assignment (institution_id, id, account_id, role_code, department_id, valid_from, reason)
			SELECT $1, $2, $3, 'clerk', d.id, $4::date, 'petiții' FROM department d WHERE d.institution_id = $1 AND d.code = 'RRPA'`,
			lugoj, uuid.New(), seed.AccountID("urbanism@primarialugoj.ro"), today)
		return err
	})
	clerk := as("urbanism@primarialugoj.ro")

	submit := func() requestView {
		var v requestView
		citizen.submit(lugoj, petitionType, petitionData("Groapă pe strada Bălcescu"), nil).want(t, http.StatusCreated).json(t, &v)
		return citizen.waitRegistered(lugoj, v.ID)
	}
	first, second := submit(), submit()
	var dup struct {
		DuplicateOf *uuid.UUID `json:"duplicateOf"`
		History     []struct {
			Action string `json:"action"`
			Note   string `json:"note"`
		} `json:"history"`
		Status string `json:"status"`
		Answer *struct {
			Number int64 `json:"number"`
		} `json:"answer"`
	}
	base := "/api/institutions/" + lugoj.String() + "/requests/"
	poll.Until(t, 30*time.Second, "the identical petition's link", func() bool {
		clerk.do(http.MethodGet, base+second.ID.String(), nil).want(t, http.StatusOK).json(t, &dup)
		return dup.DuplicateOf != nil
	})
	if *dup.DuplicateOf != first.ID || dup.History[len(dup.History)-1].Action != "link_duplicate" {
		t.Fatalf("the second petition: %+v", dup)
	}
	decl, err := json.Marshal(map[string]any{"note": "Groapa a fost astupată.", "files": []map[string]string{{"name": "raspuns.pdf", "title": "Răspuns"}}})
	if err != nil {
		t.Fatal(err)
	}
	clerk.postMultipart(base+first.ID.String()+"/resolution", "resolution", string(decl),
		[]filePart{{filename: "raspuns.pdf", body: bytes.NewReader(textPDF(t, "Răspuns la petiție"))}}).want(t, http.StatusOK)
	poll.Until(t, 60*time.Second, "the shared answer", func() bool {
		citizen.do(http.MethodGet, base+second.ID.String(), nil).want(t, http.StatusOK).json(t, &dup)
		return dup.Answer != nil
	})
	if dup.Status != "resolved" || !strings.Contains(dup.History[len(dup.History)-1].Note+dup.History[len(dup.History)-2].Note, "art. 16") {
		t.Errorf("the second petition after the answer: %+v", dup)
	}
	var firstNow requestView
	citizen.do(http.MethodGet, base+first.ID.String(), nil).want(t, http.StatusOK).json(t, &firstNow)
	if firstNow.Answer == nil || firstNow.Answer.Number != dup.Answer.Number {
		t.Errorf("one answer for both: first %+v, second %+v", firstNow.Answer, dup.Answer)
	}
}
