package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/shared/db/dbtest"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/mail/mailtest"
)

const backupSource = "/ghiseu/functions/nightly-backup"

// The platform's operators, and only they, hear of a backup that failed
// or went wrong and of a fixity check that found damage: by mail in their
// language, in the app, and by SMS when they have a phone. A backup or a
// check that went well tells nobody.
func TestOperatorsAreToldOfBackupProblems(t *testing.T) {
	mp := mailtest.New(t)
	w := newWorld(t)
	n := w.notifier(smtpTo(t, mp.SMTPAddr), testOptions())

	school := uuid.New()
	w.exec(`INSERT INTO institution (id, cif, name, address, parent_id) VALUES ($1, '4358150', 'Școala Gimnazială nr. 1 Lugoj', 'Lugoj', $2)`,
		school, w.inst)
	staff := func(institution uuid.UUID, name, locale, phone, role, validFrom string, revoked bool) (uuid.UUID, string) {
		id, email := uuid.New(), mailtest.UniqueAddress(strings.ToLower(strings.Fields(name)[0]))
		var ph *string
		if phone != "" {
			ph = &phone
		}
		w.exec(`INSERT INTO account (id, kind, institution_id, email, email_verified_at, display_name, locale, phone)
			VALUES ($1, 'staff', $2, $3, now(), $4, $5, $6)`, id, institution, email, name, locale, ph)
		w.exec(`INSERT INTO role_assignment (institution_id, id, account_id, role_code, valid_from, reason, revoked_at)
			VALUES ($1, $2, $3, $4, $5::date, 'test', CASE WHEN $6 THEN now() END)`, institution, uuid.New(), id, role, validFrom, revoked)
		return id, email
	}
	yesterday, nextWeek := dbtest.Day(-1), dbtest.Day(7)
	admin, adminEmail := staff(w.inst, "Maria Administrator", "ro", "0722 333 444", "administrator", yesterday, false)
	_, engineerEmail := staff(w.inst, "John Operator", "en", "", "administrator", yesterday, false)
	silent := map[string]string{}
	_, silent["a school's administrator"] = staff(school, "Ioana Director", "ro", "", "administrator", yesterday, false)
	_, silent["a revoked administrator"] = staff(w.inst, "Vasile Fost", "ro", "", "administrator", yesterday, true)
	_, silent["an administrator from next week"] = staff(w.inst, "Dan Viitor", "ro", "", "administrator", nextWeek, false)
	_, silent["an auditor"] = staff(w.inst, "Elena Auditor", "ro", "", "auditor", yesterday, false)
	silent["a clerk"] = w.clerkEmail

	completed := func(verified bool, verificationError string, damaged int) map[string]any {
		return map[string]any{"backupId": "20261124T000005.123Z", "startedAt": "2026-11-24T00:00:05Z", "finishedAt": "2026-11-24T00:09:05Z",
			"dumpBytes": 1 << 30, "documents": 10, "documentBytes": 1 << 20, "damagedDocuments": damaged, "verified": verified,
			"verificationError": verificationError, "pruned": 1}
	}
	checked := func(mismatched, missing, broken int) map[string]any {
		return map[string]any{"run": 3, "runsPerCycle": 4, "checked": 1520, "bytes": 1 << 30, "mismatched": mismatched,
			"missing": missing, "unreadable": 0, "ok": mismatched+missing+broken == 0, "auditChains": 2, "auditBroken": broken}
	}
	tests := []struct {
		name      string
		eventType string
		data      map[string]any
		told      bool
		subjectRO string
		subjectEN string
		text      []string // in the Romanian mail
	}{
		{name: "backup failed", eventType: events.TypeBackupFailed,
			data: map[string]any{"startedAt": "2026-11-24T00:00:05Z", "error": "pg_dump: connection refused"}, told: true,
			subjectRO: "Copia de siguranță a platformei Ghișeu nu s-a făcut", subjectEN: "The Ghișeu platform's backup failed",
			text: []string{"Maria Administrator", "pg_dump: connection refused", publicURL + "/birou/copii-de-siguranta"}},
		{name: "backup completed and verified", eventType: events.TypeBackupCompleted, data: completed(true, "", 0)},
		{name: "backup completed, verification failed", eventType: events.TypeBackupCompleted,
			data: completed(false, "row counts differ: account 12, want 13", 0), told: true,
			subjectRO: "Copia de siguranță 20261124T000005.123Z s-a făcut cu probleme", subjectEN: "Backup 20261124T000005.123Z completed with problems",
			text: []string{"restaurarea de probă", "row counts differ: account 12, want 13"}},
		{name: "backup completed with damaged documents", eventType: events.TypeBackupCompleted, data: completed(true, "", 3), told: true,
			subjectRO: "Copia de siguranță 20261124T000005.123Z s-a făcut cu probleme", subjectEN: "Backup 20261124T000005.123Z completed with problems",
			text: []string{"3 documente nu au putut fi copiate"}},
		{name: "fixity check clean", eventType: events.TypeFixityChecked, data: checked(0, 0, 0)},
		{name: "fixity check found damage", eventType: events.TypeFixityChecked, data: checked(1, 2, 1), told: true,
			subjectRO: "Verificarea integrității documentelor a găsit probleme", subjectEN: "The document integrity check found problems",
			text: []string{"a recitit 1520 documente", "la primire: 1", "lipsesc din stocare: 2", "audit rupte: 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := map[string]int{adminEmail: len(mp.MessagesTo(adminEmail)), engineerEmail: len(mp.MessagesTo(engineerEmail))}
			for who, email := range silent {
				before[who] = len(mp.MessagesTo(email))
			}
			texts := len(n.texts.to("+40722333444"))
			e := w.newEvent(tt.eventType, backupSource, uuid.Nil, tt.data)
			for delivery := 1; delivery <= 2; delivery++ {
				if status := n.post(e); status != http.StatusAccepted {
					t.Fatalf("delivery %d: status %d\n%s", delivery, status, n.logs.String())
				}
			}
			for who, email := range silent {
				if got := len(mp.MessagesTo(email)); got != before[who] {
					t.Errorf("%s was mailed", who)
				}
			}
			wantMails := 0
			if tt.told {
				wantMails = 1
			}
			// Newest first: the new ones lead.
			ro := mp.MessagesTo(adminEmail)
			ro = ro[:len(ro)-before[adminEmail]]
			en := mp.MessagesTo(engineerEmail)
			en = en[:len(en)-before[engineerEmail]]
			if len(ro) != wantMails || len(en) != wantMails {
				t.Fatalf("%d and %d new mails to the two operators for one event delivered twice, want %d each", len(ro), len(en), wantMails)
			}
			if !tt.told {
				if len(w.messages(e)) != 0 || len(w.notifications(e)) != 0 {
					t.Error("nothing to tell, but messages or notifications were written")
				}
				return
			}
			if ro[0].Subject != tt.subjectRO || en[0].Subject != tt.subjectEN {
				t.Errorf("subjects %q and %q, want %q and %q", ro[0].Subject, en[0].Subject, tt.subjectRO, tt.subjectEN)
			}
			for _, want := range tt.text {
				if !strings.Contains(ro[0].Text, want) {
					t.Errorf("the mail does not say %q:\n%s", want, ro[0].Text)
				}
			}
			if got := n.texts.to("+40722333444"); len(got) != texts+1 || !strings.Contains(got[len(got)-1].Text, "Ghiseu:") {
				t.Errorf("texts to the administrator's phone: %+v, want one more", got)
			}
			ns := w.notifications(e)
			if len(ns) != 2 {
				t.Fatalf("%d in-app notifications, want one per operator", len(ns))
			}
			for _, nt := range ns {
				if nt.Link != publicURL+"/birou/copii-de-siguranta" || nt.Title == "" || nt.Body == "" {
					t.Errorf("notification %+v", nt)
				}
				if nt.Account == admin && nt.Title != tt.subjectRO {
					t.Errorf("the administrator's notification is titled %q, want %q", nt.Title, tt.subjectRO)
				}
			}
		})
	}
}
