package retention_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/ghiseu/ghiseu/shared/backup/retention"
)

// bucharest has DST, unlike the fixed zones other packages' tests use: the
// DST cases are the point here. The package under test embeds time/tzdata,
// so loading cannot fail on a machine without a zoneinfo database.
var bucharest = func() *time.Location {
	loc, err := time.LoadLocation(retention.DefaultTimeZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

func local(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, bucharest)
}

// summary renders a plan's keep list as "id: reason reason", so a case
// states ids, reasons and order in one readable line each.
func summary(keep []retention.Kept) []string {
	var out []string
	for _, k := range keep {
		out = append(out, k.ID+": "+strings.Join(k.Reasons, " "))
	}
	return out
}

func ids(backups []retention.Backup) []string {
	var out []string
	for _, b := range backups {
		out = append(out, b.ID)
	}
	return out
}

func TestPlan(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		name      string
		backups   []retention.Backup
		policy    retention.Policy
		now       time.Time
		loc       *time.Location
		wantKeep  []string
		wantPrune []string
	}{
		{
			name:   "empty input",
			policy: retention.DefaultPolicy(),
			now:    local(2026, time.May, 10, 3, 0),
			loc:    bucharest,
		},
		{
			name:     "a single backup is every period's newest",
			backups:  []retention.Backup{{ID: "only", At: local(2026, time.May, 10, 2, 0)}},
			policy:   retention.DefaultPolicy(),
			now:      local(2026, time.May, 10, 3, 0),
			loc:      bucharest,
			wantKeep: []string{"only: daily weekly monthly newest"},
		},
		{
			name:     "a single backup older than every period is kept as the newest",
			backups:  []retention.Backup{{ID: "old", At: local(2024, time.January, 1, 2, 0)}},
			policy:   retention.DefaultPolicy(),
			now:      local(2026, time.May, 10, 3, 0),
			loc:      bucharest,
			wantKeep: []string{"old: newest"},
		},
		{
			name: "several backups on the same day: only the day's newest is its daily",
			backups: []retention.Backup{
				{ID: "may10-0200", At: local(2026, time.May, 10, 2, 0)},
				{ID: "may11-0200", At: local(2026, time.May, 11, 2, 0)},
				{ID: "may10-2359", At: local(2026, time.May, 10, 23, 59)},
				{ID: "may10-1300", At: local(2026, time.May, 10, 13, 0)},
				{ID: "may11-0900", At: local(2026, time.May, 11, 9, 0)},
			},
			policy:    retention.Policy{Daily: 2},
			now:       local(2026, time.May, 11, 10, 0),
			loc:       bucharest,
			wantKeep:  []string{"may11-0900: daily newest", "may10-2359: daily"},
			wantPrune: []string{"may11-0200", "may10-1300", "may10-0200"},
		},
		{
			// 00:30 on 29 March 2026 is still 28 March in UTC; counted in
			// UTC it would share a day with sat-2330 and push it out.
			name: "a backup at 00:30 on the spring DST day belongs to that local day",
			backups: []retention.Backup{
				{ID: "fri-0200", At: local(2026, time.March, 27, 2, 0)},
				{ID: "sat-2330", At: local(2026, time.March, 28, 23, 30)},
				{ID: "sun-0030", At: local(2026, time.March, 29, 0, 30)},
			},
			policy:    retention.Policy{Daily: 2},
			now:       local(2026, time.March, 29, 12, 0),
			loc:       bucharest,
			wantKeep:  []string{"sun-0030: daily newest", "sat-2330: daily"},
			wantPrune: []string{"fri-0200"},
		},
		{
			name: "a backup at 00:30 on the autumn DST day belongs to that local day",
			backups: []retention.Backup{
				{ID: "sat-2330", At: local(2026, time.October, 24, 23, 30)},
				{ID: "sun-0030", At: local(2026, time.October, 25, 0, 30)},
			},
			policy:   retention.Policy{Daily: 2},
			now:      local(2026, time.October, 25, 12, 0),
			loc:      bucharest,
			wantKeep: []string{"sun-0030: daily newest", "sat-2330: daily"},
		},
		{
			// 03:30 happens twice on 25 October 2026, in summer then in
			// winter time: two instants, one local day.
			name: "both 03:30s of the repeated autumn hour are on one day",
			backups: []retention.Backup{
				{ID: "sun-0330-summer", At: time.Date(2026, time.October, 25, 0, 30, 0, 0, utc)},
				{ID: "sun-0330-winter", At: time.Date(2026, time.October, 25, 1, 30, 0, 0, utc)},
			},
			policy:    retention.Policy{Daily: 1},
			now:       local(2026, time.October, 25, 12, 0),
			loc:       bucharest,
			wantKeep:  []string{"sun-0330-winter: daily newest"},
			wantPrune: []string{"sun-0330-summer"},
		},
		{
			name: "a backup dated after now is kept and takes no period's place",
			backups: []retention.Backup{
				{ID: "yesterday", At: local(2026, time.May, 10, 2, 0)},
				{ID: "far-ahead", At: local(2027, time.January, 1, 2, 0)},
				{ID: "today", At: local(2026, time.May, 11, 2, 0)},
				{ID: "ahead", At: local(2026, time.May, 11, 13, 0)},
			},
			policy:    retention.Policy{Daily: 1},
			now:       local(2026, time.May, 11, 10, 0),
			loc:       bucharest,
			wantKeep:  []string{"far-ahead: newest future", "ahead: future", "today: daily"},
			wantPrune: []string{"yesterday"},
		},
		{
			name: "a clock far behind the backups keeps them all",
			backups: []retention.Backup{
				{ID: "b1", At: local(2026, time.May, 10, 2, 0)},
				{ID: "b2", At: local(2026, time.May, 11, 2, 0)},
			},
			policy:   retention.DefaultPolicy(),
			now:      local(2020, time.January, 1, 0, 0),
			loc:      bucharest,
			wantKeep: []string{"b2: newest future", "b1: future"},
		},
		{
			name: "a clock far ahead of the backups keeps only the newest",
			backups: []retention.Backup{
				{ID: "b1", At: local(2026, time.May, 10, 2, 0)},
				{ID: "b2", At: local(2026, time.May, 11, 2, 0)},
			},
			policy:    retention.DefaultPolicy(),
			now:       local(2030, time.January, 1, 0, 0),
			loc:       bucharest,
			wantKeep:  []string{"b2: newest"},
			wantPrune: []string{"b1"},
		},
		{
			// ISO weeks 19 and 18 have no backup; the window stays weeks
			// 20 to 18 rather than reaching back to weeks 17 and 16.
			name: "a period without a backup is skipped, not replaced by an older one",
			backups: []retention.Backup{
				{ID: "w16", At: local(2026, time.April, 15, 2, 0)},
				{ID: "w17", At: local(2026, time.April, 22, 2, 0)},
				{ID: "w20", At: local(2026, time.May, 12, 2, 0)},
			},
			policy:    retention.Policy{Weekly: 3},
			now:       local(2026, time.May, 14, 10, 0),
			loc:       bucharest,
			wantKeep:  []string{"w20: weekly newest"},
			wantPrune: []string{"w17", "w16"},
		},
		{
			// apr01-0100 is 31 March in UTC: counted in UTC it would be
			// March's newest instead of mar31-1200.
			name: "custom policy: monthly only",
			backups: []retention.Backup{
				{ID: "feb28", At: local(2026, time.February, 28, 2, 0)},
				{ID: "mar31-1200", At: local(2026, time.March, 31, 12, 0)},
				{ID: "apr01-0100", At: local(2026, time.April, 1, 1, 0)},
				{ID: "apr20", At: local(2026, time.April, 20, 2, 0)},
				{ID: "apr30", At: local(2026, time.April, 30, 2, 0)},
				{ID: "may10", At: local(2026, time.May, 10, 2, 0)},
			},
			policy:    retention.Policy{Monthly: 3},
			now:       local(2026, time.May, 14, 10, 0),
			loc:       bucharest,
			wantKeep:  []string{"may10: monthly newest", "apr30: monthly", "mar31-1200: monthly"},
			wantPrune: []string{"apr20", "apr01-0100", "feb28"},
		},
		{
			// The day of now counts as the first even before its backup.
			name: "custom policy: daily only, across a month end",
			backups: []retention.Backup{
				{ID: "may28", At: local(2026, time.May, 28, 2, 0)},
				{ID: "may29", At: local(2026, time.May, 29, 2, 0)},
				{ID: "may30", At: local(2026, time.May, 30, 2, 0)},
				{ID: "may31", At: local(2026, time.May, 31, 2, 0)},
			},
			policy:    retention.Policy{Daily: 3},
			now:       local(2026, time.June, 1, 1, 0),
			loc:       bucharest,
			wantKeep:  []string{"may31: daily newest", "may30: daily"},
			wantPrune: []string{"may29", "may28"},
		},
		{
			// 1 and 3 January 2027 are in ISO week 53 of 2026.
			name: "custom policy: weekly only, across an ISO year end",
			backups: []retention.Backup{
				{ID: "2026-12-27", At: local(2026, time.December, 27, 2, 0)},
				{ID: "2027-01-01", At: local(2027, time.January, 1, 2, 0)},
				{ID: "2027-01-03", At: local(2027, time.January, 3, 2, 0)},
				{ID: "2027-01-04", At: local(2027, time.January, 4, 2, 0)},
			},
			policy:    retention.Policy{Weekly: 2},
			now:       local(2027, time.January, 4, 10, 0),
			loc:       bucharest,
			wantKeep:  []string{"2027-01-04: weekly newest", "2027-01-03: weekly"},
			wantPrune: []string{"2027-01-01", "2026-12-27"},
		},
		{
			name: "custom policy: a negative count keeps nothing for its period",
			backups: []retention.Backup{
				{ID: "may10", At: local(2026, time.May, 10, 2, 0)},
				{ID: "may11", At: local(2026, time.May, 11, 2, 0)},
			},
			policy:    retention.Policy{Daily: -1, Monthly: 1},
			now:       local(2026, time.May, 11, 10, 0),
			loc:       bucharest,
			wantKeep:  []string{"may11: monthly newest"},
			wantPrune: []string{"may10"},
		},
		{
			name: "backups with the same time are ordered by ID",
			backups: []retention.Backup{
				{ID: "b", At: local(2026, time.May, 11, 2, 0)},
				{ID: "a", At: local(2026, time.May, 11, 2, 0)},
			},
			policy:    retention.Policy{Daily: 1},
			now:       local(2026, time.May, 11, 10, 0),
			loc:       bucharest,
			wantKeep:  []string{"a: daily newest"},
			wantPrune: []string{"b"},
		},
		{
			// jul01 is 30 June 23:30 UTC, 1 July 02:30 in Bucharest.
			name: "no location counts days in Europe/Bucharest",
			backups: []retention.Backup{
				{ID: "jun30", At: time.Date(2026, time.June, 30, 12, 0, 0, 0, utc)},
				{ID: "jul01", At: time.Date(2026, time.June, 30, 23, 30, 0, 0, utc)},
			},
			policy:   retention.Policy{Daily: 2},
			now:      time.Date(2026, time.July, 1, 8, 0, 0, 0, utc),
			loc:      nil,
			wantKeep: []string{"jul01: daily newest", "jun30: daily"},
		},
		{
			name: "another location counts other days",
			backups: []retention.Backup{
				{ID: "jun30", At: time.Date(2026, time.June, 30, 12, 0, 0, 0, utc)},
				{ID: "jul01", At: time.Date(2026, time.June, 30, 23, 30, 0, 0, utc)},
			},
			policy:    retention.Policy{Daily: 2},
			now:       time.Date(2026, time.July, 1, 8, 0, 0, 0, utc),
			loc:       utc,
			wantKeep:  []string{"jul01: daily newest"},
			wantPrune: []string{"jun30"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			given := slices.Clone(tc.backups)
			keep, prune := retention.Plan(tc.backups, tc.policy, tc.now, tc.loc)
			if got := summary(keep); !slices.Equal(got, tc.wantKeep) {
				t.Errorf("keep = %q, want %q", got, tc.wantKeep)
			}
			if got := ids(prune); !slices.Equal(got, tc.wantPrune) {
				t.Errorf("prune = %q, want %q", got, tc.wantPrune)
			}
			if !slices.Equal(tc.backups, given) {
				t.Errorf("Plan reordered or changed its input: %v, was %v", tc.backups, given)
			}
		})
	}
}

// expectedKeep computes independently what Plan should keep: by walking the
// calendar back from now with time.Date's normalisation, ISOWeek and
// Year/Month, over every backup ever made, including those already pruned.
// Plan sees only what earlier runs left; agreeing with this on every night
// is what shows that no run pruned a backup a later run wanted.
func expectedKeep(made []retention.Backup, p retention.Policy, now time.Time, loc *time.Location) []string {
	byTime := slices.Clone(made)
	slices.SortFunc(byTime, func(a, b retention.Backup) int { return b.At.Compare(a.At) })
	reasons := map[string][]string{}
	newestWhere := func(reason string, in func(time.Time) bool) {
		for _, b := range byTime {
			if !b.At.After(now) && in(b.At.In(loc)) {
				reasons[b.ID] = append(reasons[b.ID], reason)
				return
			}
		}
	}
	y, m, d := now.In(loc).Date()
	for i := range p.Daily {
		// Noon, so that no DST change moves the reference to another day.
		dy, dm, dd := time.Date(y, m, d-i, 12, 0, 0, 0, loc).Date()
		newestWhere(retention.ReasonDaily, func(t time.Time) bool {
			ty, tm, td := t.Date()
			return ty == dy && tm == dm && td == dd
		})
	}
	for i := range p.Weekly {
		wy, ww := time.Date(y, m, d-7*i, 12, 0, 0, 0, loc).ISOWeek()
		newestWhere(retention.ReasonWeekly, func(t time.Time) bool {
			ty, tw := t.ISOWeek()
			return ty == wy && tw == ww
		})
	}
	for i := range p.Monthly {
		month := time.Date(y, m-time.Month(i), 1, 12, 0, 0, 0, loc)
		newestWhere(retention.ReasonMonthly, func(t time.Time) bool {
			return t.Year() == month.Year() && t.Month() == month.Month()
		})
	}
	if len(byTime) > 0 {
		reasons[byTime[0].ID] = append(reasons[byTime[0].ID], retention.ReasonNewest)
	}
	var out []string
	for _, b := range byTime {
		if r, ok := reasons[b.ID]; ok {
			out = append(out, b.ID+": "+strings.Join(r, " "))
		}
	}
	return out
}

// nightly names the nightly backups of the given local dates, and passes
// other ids through, for checkpoints readable as a calendar.
func nightly(dates ...string) []string {
	out := make([]string, len(dates))
	for i, d := range dates {
		if strings.HasPrefix(d, "manual-") {
			out[i] = d
			continue
		}
		out[i] = "nightly-" + d
	}
	return out
}

func TestRetentionKeepsExactlyTheConfiguredSetOverASimulatedYearOfNightlyRuns(t *testing.T) {
	const nights = 400
	policy := retention.DefaultPolicy()
	maxKept := policy.Daily + policy.Weekly + policy.Monthly
	never := func(time.Time) bool { return false }
	tests := []struct {
		name string
		// missed: that night's backup failed; the prune job still runs.
		missed func(night time.Time) bool
		// manual: someone also made a backup at 15:00 that day.
		manual func(night time.Time) bool
		// checkpoints: hand-computed keep sets (ids newest first) after
		// the given night's run; the last night's is the end state.
		checkpoints map[string][]string
	}{
		{
			name:   "every night",
			missed: never,
			manual: never,
			checkpoints: map[string][]string{
				// Four days after the spring change (29 March).
				"2026-04-02": nightly(
					"2026-04-02", "2026-04-01", "2026-03-31", "2026-03-30", "2026-03-29", "2026-03-28", "2026-03-27",
					"2026-03-22", "2026-03-15",
					"2026-02-28", "2026-01-31",
				),
				// Two days after the autumn change (25 October).
				"2026-10-27": nightly(
					"2026-10-27", "2026-10-26", "2026-10-25", "2026-10-24", "2026-10-23", "2026-10-22", "2026-10-21",
					"2026-10-18", "2026-10-11",
					"2026-09-30", "2026-08-31", "2026-07-31", "2026-06-30", "2026-05-31", "2026-04-30", "2026-03-31", "2026-02-28", "2026-01-31",
				),
				// The last night: 7 days, weeks 5 to 2 of 2027 (5 and 4
				// already kept as days), 12 months (February and January
				// already kept).
				"2027-02-04": nightly(
					"2027-02-04", "2027-02-03", "2027-02-02", "2027-02-01", "2027-01-31", "2027-01-30", "2027-01-29",
					"2027-01-24", "2027-01-17",
					"2026-12-31", "2026-11-30", "2026-10-31", "2026-09-30", "2026-08-31", "2026-07-31", "2026-06-30", "2026-05-31", "2026-04-30", "2026-03-31",
				),
			},
		},
		{
			name: "ten nights missed in June",
			missed: func(night time.Time) bool {
				return night.Month() == time.June && night.Day() >= 10 && night.Day() <= 19
			},
			manual: never,
			checkpoints: map[string][]string{
				// 15 to 19 June have no backup and are skipped; 9 June is
				// its week's newest, 8 June nothing.
				"2026-06-21": nightly(
					"2026-06-21", "2026-06-20",
					"2026-06-09", "2026-06-07", "2026-05-31",
					"2026-04-30", "2026-03-31", "2026-02-28", "2026-01-31",
				),
			},
		},
		{
			name:   "a manual afternoon backup on the 15th of each month",
			missed: never,
			manual: func(night time.Time) bool { return night.Day() == 15 },
			checkpoints: map[string][]string{
				// The manual backup, not the nightly, is 15 May's newest.
				"2026-05-16": nightly(
					"2026-05-16", "manual-2026-05-15", "2026-05-14", "2026-05-13", "2026-05-12", "2026-05-11", "2026-05-10",
					"2026-05-03", "2026-04-30", "2026-04-26",
					"2026-03-31", "2026-02-28", "2026-01-31",
				),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var made, stored []retention.Backup
			prunedOn := map[string]string{}
			checked := 0
			offsetChanges, lastOffset := 0, 0
			for n := range nights {
				night := time.Date(2026, time.January, 1+n, 2, 0, 0, 0, bucharest)
				date := night.Format(time.DateOnly)
				if _, offset := night.Zone(); n > 0 && offset != lastOffset {
					offsetChanges++
				}
				_, lastOffset = night.Zone()
				if !tc.missed(night) {
					b := retention.Backup{ID: "nightly-" + date, At: night}
					made, stored = append(made, b), append(stored, b)
				}

				// The job runs once the night's backup is complete.
				now := night.Add(40 * time.Minute)
				keep, prune := retention.Plan(stored, policy, now, bucharest)
				if len(keep)+len(prune) != len(stored) {
					t.Fatalf("%s: %d kept + %d pruned of %d stored", date, len(keep), len(prune), len(stored))
				}
				if len(keep) > maxKept {
					t.Fatalf("%s: %d kept, more than %d", date, len(keep), maxKept)
				}
				for _, k := range keep {
					if on, ok := prunedOn[k.ID]; ok {
						t.Fatalf("%s: keeps %s, pruned on %s", date, k.ID, on)
					}
				}
				if got, want := summary(keep), expectedKeep(made, policy, now, bucharest); !slices.Equal(got, want) {
					t.Fatalf("%s: keep =\n%q\nwant\n%q", date, got, want)
				}
				if want, ok := tc.checkpoints[date]; ok {
					checked++
					var got []string
					for _, k := range keep {
						got = append(got, k.ID)
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: kept %q, want %q", date, got, want)
					}
				}

				for _, p := range prune {
					prunedOn[p.ID] = date
				}
				stored = slices.DeleteFunc(stored, func(b retention.Backup) bool { _, gone := prunedOn[b.ID]; return gone })

				if tc.manual(night) {
					b := retention.Backup{ID: "manual-" + date, At: time.Date(night.Year(), night.Month(), night.Day(), 15, 0, 0, 0, bucharest)}
					made, stored = append(made, b), append(stored, b)
				}
			}
			if checked != len(tc.checkpoints) {
				t.Errorf("%d of %d checkpoints reached", checked, len(tc.checkpoints))
			}
			if offsetChanges != 2 {
				t.Errorf("the nights crossed %d DST changes, want both of 2026's", offsetChanges)
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name    string
		policy  retention.Policy
		wantErr string // "" for a valid policy
	}{
		{name: "default", policy: retention.DefaultPolicy()},
		{name: "daily only", policy: retention.Policy{Daily: 1}},
		{name: "monthly only", policy: retention.Policy{Monthly: 1}},
		{name: "negative daily", policy: retention.Policy{Daily: -1, Weekly: 4, Monthly: 12}, wantErr: "negative count daily=-1"},
		{name: "two negatives", policy: retention.Policy{Daily: 7, Weekly: -4, Monthly: -12}, wantErr: "negative count weekly=-4, monthly=-12"},
		{name: "all zero", policy: retention.Policy{}, wantErr: "all counts are zero"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, retention.ErrInvalidPolicy) {
				t.Fatalf("Validate() = %v, want an ErrInvalidPolicy containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		in      string
		want    retention.Policy
		wantErr string // "" when in is valid
	}{
		{in: "daily=7,weekly=4,monthly=12", want: retention.DefaultPolicy()},
		{in: " monthly = 24 , daily=14,weekly=0 ", want: retention.Policy{Daily: 14, Monthly: 24}},
		{in: "daily=0,weekly=0,monthly=1", want: retention.Policy{Monthly: 1}},
		{in: "", wantErr: "empty"},
		{in: "   ", wantErr: "empty"},
		{in: "7d,4w,12m", wantErr: `"7d" is not key=N`},
		{in: "7,4,12", wantErr: `"7" is not key=N`},
		{in: "daily=7,weekly=4,monthly=12,", wantErr: `"" is not key=N`},
		{in: "daily=7,weekly=4", wantErr: "missing monthly"},
		{in: "daily=7", wantErr: "missing weekly and monthly"},
		{in: "daily=7,weekly=4,monthly=12,yearly=2", wantErr: `unknown key "yearly"`},
		{in: "Daily=7,weekly=4,monthly=12", wantErr: `unknown key "Daily"`},
		{in: "daily=7,daily=8,weekly=4,monthly=12", wantErr: "daily given twice"},
		{in: "daily=seven,weekly=4,monthly=12", wantErr: `daily="seven" is not a whole number`},
		{in: "daily=,weekly=4,monthly=12", wantErr: `daily="" is not a whole number`},
		{in: "daily=1.5,weekly=4,monthly=12", wantErr: `daily="1.5" is not a whole number`},
		{in: "daily=99999999999999999999,weekly=4,monthly=12", wantErr: "is not a whole number"},
		{in: "daily=7;weekly=4;monthly=12", wantErr: "is not a whole number"},
		{in: "daily=-1,weekly=4,monthly=12", wantErr: "negative count daily=-1"},
		{in: "daily=0,weekly=0,monthly=0", wantErr: "all counts are zero"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := retention.ParsePolicy(tc.in)
			decoded := retention.Policy{Daily: 1, Weekly: 2, Monthly: 3}
			decodeErr := decoded.Decode(tc.in)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Fatalf("ParsePolicy(%q) = %+v, %v, want %+v", tc.in, got, err, tc.want)
				}
				if decodeErr != nil || decoded != tc.want {
					t.Errorf("Decode(%q) = %v and set %+v, want %+v", tc.in, decodeErr, decoded, tc.want)
				}
				if again, err := retention.ParsePolicy(got.String()); err != nil || again != got {
					t.Errorf("ParsePolicy(%q) = %+v, %v, want %+v back", got.String(), again, err, got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, retention.ErrInvalidPolicy) {
				t.Fatalf("ParsePolicy(%q) = %+v, %v, want an ErrInvalidPolicy containing %q", tc.in, got, err, tc.wantErr)
			}
			if decodeErr == nil || decodeErr.Error() != err.Error() {
				t.Errorf("Decode(%q) = %v, want %v", tc.in, decodeErr, err)
			}
			if decoded != (retention.Policy{Daily: 1, Weekly: 2, Monthly: 3}) {
				t.Errorf("a failed Decode changed the policy to %+v", decoded)
			}
		})
	}
}

func TestPolicyFromEnvconfig(t *testing.T) {
	type config struct {
		Retention retention.Policy `envconfig:"BACKUP_RETENTION" default:"daily=7,weekly=4,monthly=12"`
	}
	const key = "RETENTIONTEST_BACKUP_RETENTION"
	tests := []struct {
		name    string
		env     *string // nil: unset
		want    retention.Policy
		wantErr string
	}{
		{name: "unset takes the default tag", want: retention.DefaultPolicy()},
		{name: "set", env: new("daily=14,weekly=8,monthly=24"), want: retention.Policy{Daily: 14, Weekly: 8, Monthly: 24}},
		{name: "malformed", env: new("7d,4w,12m"), wantErr: `"7d" is not key=N`},
		{name: "set but empty", env: new(""), wantErr: "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(key, "")
			if tc.env == nil {
				if err := os.Unsetenv(key); err != nil {
					t.Fatalf("unsetting %s: %v", key, err)
				}
			} else {
				t.Setenv(key, *tc.env)
			}
			var c config
			err := envconfig.Process("RETENTIONTEST", &c)
			if tc.wantErr == "" {
				if err != nil || c.Retention != tc.want {
					t.Fatalf("Process = %v, Retention %+v, want %+v", err, c.Retention, tc.want)
				}
				return
			}
			var pe *envconfig.ParseError
			if !errors.As(err, &pe) || pe.KeyName != key || !errors.Is(pe.Err, retention.ErrInvalidPolicy) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Process = %v, want a ParseError for %s containing %q", err, key, tc.wantErr)
			}
		})
	}
}
