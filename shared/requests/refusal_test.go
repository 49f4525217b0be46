package requests_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/shared/db"
	"github.com/ghiseu/ghiseu/shared/deadlines"
	"github.com/ghiseu/ghiseu/shared/events"
	"github.com/ghiseu/ghiseu/shared/requests"
	"github.com/ghiseu/ghiseu/shared/requesttypes"
)

// The deadline watch reminds of public information's 5-day term for a
// reasoned refusal (Law 544/2001 art. 7(2)) on its eve and its last day:
// DueForRefusal finds the open requests for public information whose
// refusal term ends the given days after the given Romanian day, counting
// from the Romanian day of registration (5 days not counting that day nor
// the last, as every term of the law) and moving an end on a weekend to the
// next working day. Their reminders say which term they are about.
func TestDueForRefusalFindsPublicInformationNearItsRefusalTerm(t *testing.T) {
	f := setUp(t)
	ctx := context.Background()
	ro, err := time.LoadLocation(deadlines.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	at := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, ro)
	}
	d := func(month time.Month, day int) deadlines.Date {
		return deadlines.Date{Year: 2026, Month: month, Day: day}
	}
	// Thursday 5 March 2026 in Romania; the watch reminds 1 and 0 days ahead.
	today := deadlines.Date{Year: 2026, Month: time.March, Day: 5}
	days := []int{1, 0}
	// In registration order, as the register numbers them.
	tests := []struct {
		name         string
		regime       string
		registeredAt time.Time
		closed       bool
		refusalBy    deadlines.Date // the term's last day; zero: none
		due          bool
	}{
		{"registered Thursday: the term ended yesterday", requesttypes.PublicInformation, at(time.February, 26, 10, 0), false,
			d(time.March, 4), false},
		// 00:30 in Romania is still Thursday in UTC: counted from Thursday
		// the term would have ended yesterday.
		{"registered Friday 00:30 in Romania: today is the last day", requesttypes.PublicInformation, at(time.February, 27, 0, 30), false,
			d(time.March, 5), true},
		{"registered Friday: today is the last day", requesttypes.PublicInformation, at(time.February, 27, 10, 0), false,
			d(time.March, 5), true},
		{"a petition has no refusal term of its own", requesttypes.Petition, at(time.February, 27, 11, 0), false,
			deadlines.Date{}, false},
		{"refused already: closed", requesttypes.PublicInformation, at(time.February, 27, 12, 0), true,
			d(time.March, 5), false},
		{"registered Saturday: tomorrow is the last day", requesttypes.PublicInformation, at(time.February, 28, 10, 0), false,
			d(time.March, 6), true},
		{"registered Saturday 23:30 in Romania: tomorrow is the last day", requesttypes.PublicInformation, at(time.February, 28, 23, 30), false,
			d(time.March, 6), true},
		// 00:30 in Romania is still Saturday in UTC: counted from Saturday
		// the term would end tomorrow.
		{"registered Sunday 00:30 in Romania: the term ends Saturday, moved to Monday", requesttypes.PublicInformation,
			at(time.March, 1, 0, 30), false, d(time.March, 9), false},
		{"registered Monday: Sunday's end moves to Monday", requesttypes.PublicInformation, at(time.March, 2, 10, 0), false,
			d(time.March, 9), false},
	}
	made := map[uuid.UUID]int{}
	for i, tc := range tests {
		r, _ := f.submit(t, tc.regime, true, tc.registeredAt)
		if tc.closed {
			if _, _, err := f.apply(r.ID, requests.Action{Kind: requests.ActReject, By: staff, Note: "Informații exceptate."}); err != nil {
				t.Fatal(err)
			}
		}
		end, ok := r.RefusalDeadline()
		if ok != (tc.refusalBy != deadlines.Date{}) || end != tc.refusalBy {
			t.Errorf("%s: refusal term ends %v (%v), want %v", tc.name, end, ok, tc.refusalBy)
		}
		made[r.ID] = i
	}

	catalogue, err := events.Platform()
	if err != nil {
		t.Fatal(err)
	}
	found := map[int]bool{}
	err = db.PlatformTx(ctx, f.d.App, func(tx pgx.Tx) error {
		due, last, err := requests.DueForRefusal(ctx, tx, today, days)
		if err != nil {
			return err
		}
		for i, r := range due {
			tc, mine := made[r.ID]
			if !mine {
				continue // another test's request
			}
			found[tc] = true
			if last[i] < 1 {
				t.Errorf("%s: latest change %d", tests[tc].name, last[i])
			}
			// Its reminder names the term and its last day, as the
			// event's schema wants.
			data, ok := requests.Reminder(r, requests.TermRefusal, last[i], time.Now())
			if !ok || data.Term != requests.TermRefusal || data.RefusalDeadline == nil ||
				*data.RefusalDeadline != tests[tc].refusalBy.String() || data.HistoryID != last[i] {
				t.Errorf("%s: reminder %+v, %v", tests[tc].name, data, ok)
			}
			if _, err := catalogue.New(events.TypeRequestDeadlineApproaching, "/ghiseu/functions/handle-request", r.Institution, data); err != nil {
				t.Errorf("%s: the reminder does not fit its schema: %v", tests[tc].name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		if found[i] != tc.due {
			t.Errorf("%s: due %v, want %v", tc.name, found[i], tc.due)
		}
	}
}

// A reminder says which term it is about: the answer's (as reminders
// without a term were), or the refusal's with its last day, which the
// event's schema then requires; a request without such a term has no such
// reminder.
func TestReminderNamesItsTerm(t *testing.T) {
	f := setUp(t)
	// Monday 2 March 2026, 10:00 in Lugoj.
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	info, _ := f.submit(t, requesttypes.PublicInformation, true, at)
	petition, _ := f.submit(t, requesttypes.Petition, true, at.Add(time.Hour))
	catalogue, err := events.Platform()
	if err != nil {
		t.Fatal(err)
	}
	valid := func(d any) error {
		_, err := catalogue.New(events.TypeRequestDeadlineApproaching, "/ghiseu/functions/handle-request", f.inst, d)
		return err
	}
	tests := []struct {
		name            string
		r               requests.Request
		term            string
		ok              bool
		refusalDeadline string
	}{
		{"public information, the answer's term", info, requests.TermAnswer, true, ""},
		{"public information, the refusal's term", info, requests.TermRefusal, true, "2026-03-09"},
		{"a petition, the answer's term", petition, requests.TermAnswer, true, ""},
		{"a petition has no refusal term", petition, requests.TermRefusal, false, ""},
	}
	for _, tt := range tests {
		d, ok := requests.Reminder(tt.r, tt.term, 1, at)
		if ok != tt.ok {
			t.Errorf("%s: ok %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		got := ""
		if d.RefusalDeadline != nil {
			got = *d.RefusalDeadline
		}
		if d.Term != tt.term || got != tt.refusalDeadline || d.Deadline == nil || *d.Deadline != tt.r.Deadline.String() {
			t.Errorf("%s: term %q, refusal deadline %q, deadline %v", tt.name, d.Term, got, d.Deadline)
		}
		if err := valid(d); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}

	// The schema: without a term the reminder is the answer's, as before;
	// a refusal's reminder without its day, or another term, is refused.
	d, _ := requests.Reminder(info, requests.TermAnswer, 1, at)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	delete(data, "term")
	if err := valid(data); err != nil {
		t.Errorf("a reminder without a term: %v", err)
	}
	data["term"] = requests.TermRefusal
	if valid(data) == nil {
		t.Error("a refusal's reminder without refusalDeadline was accepted")
	}
	data["term"], data["refusalDeadline"] = "appeal", "2026-03-09"
	if valid(data) == nil {
		t.Error("a reminder of an unknown term was accepted")
	}
}
