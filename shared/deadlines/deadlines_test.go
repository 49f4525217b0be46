package deadlines

import (
	"errors"
	"testing"
	"time"
)

// ro returns an instant in Romanian local time; utc one in UTC.
func ro(y int, m time.Month, day, h, min int) time.Time {
	return time.Date(y, m, day, h, min, 0, 0, romania)
}

func utc(y int, m time.Month, day, h, min int) time.Time {
	return time.Date(y, m, day, h, min, 0, 0, time.UTC)
}

var (
	petition = Regime{Kind: Petition}
	pi       = Regime{Kind: PublicInformation}
	piRefuse = Regime{Kind: PublicInformation, Days: PublicInformationRefusalDays}
	pi30     = Regime{Kind: PublicInformation, Days: PublicInformationMaxDays}
)

func TestDeadline(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		r    Regime
		want Date
	}{
		// Plain cases: registration day R, N days, last day R+N+1.
		{"PI Monday", ro(2026, time.March, 2, 10, 0), pi, d(2026, time.March, 13)},
		{"PI default equals explicit 10", ro(2026, time.March, 2, 10, 0), Regime{Kind: PublicInformation, Days: 10}, d(2026, time.March, 13)},
		{"PI 30 days", ro(2026, time.March, 2, 10, 0), pi30, d(2026, time.April, 2)},
		{"PI refusal 5 days ends Sunday, moves to Monday", ro(2026, time.March, 2, 10, 0), piRefuse, d(2026, time.March, 9)},
		{"petition Monday", ro(2026, time.March, 2, 10, 0), petition, d(2026, time.April, 2)},
		{"petition forwarding 5 days", ro(2026, time.March, 3, 10, 0), Regime{Kind: Petition, Days: PetitionForwardingDays}, d(2026, time.March, 9)},
		{"registration time does not matter", ro(2026, time.March, 2, 0, 0), pi, d(2026, time.March, 13)},
		{"registration at 23:59:59", time.Date(2026, time.March, 2, 23, 59, 59, 999999999, romania), pi, d(2026, time.March, 13)},

		// Easter: Good Friday 10, Easter 12, Easter Monday 13 April 2026.
		{"PI ends on Good Friday 2026", ro(2026, time.March, 30, 9, 0), pi, d(2026, time.April, 14)},
		{"petition ends on Good Friday 2026", ro(2026, time.March, 10, 9, 0), petition, d(2026, time.April, 14)},
		{"PI ends on Easter Monday 2026", ro(2026, time.April, 2, 9, 0), pi, d(2026, time.April, 14)},
		{"PI running through Easter 2026", ro(2026, time.April, 7, 9, 0), pi, d(2026, time.April, 20)}, // 18 Apr is a Saturday
		{"PI ends on Good Friday 2027, then 1 May and Easter", ro(2027, time.April, 19, 9, 0), pi, d(2027, time.May, 4)},
		{"PI ends on Rusalii Monday and Children's Day 2026", ro(2026, time.May, 21, 9, 0), pi, d(2026, time.June, 2)},

		// Sf. Andrei (30 November) and Ziua Națională (1 December).
		{"PI ends on Sf. Andrei 2026, then 1 December", ro(2026, time.November, 19, 9, 0), pi, d(2026, time.December, 2)},
		{"PI ends on 1 December 2026", ro(2026, time.November, 20, 9, 0), pi, d(2026, time.December, 2)},
		{"petition over 1 December ends on a weekday", ro(2026, time.November, 2, 9, 0), petition, d(2026, time.December, 3)},
		{"PI ends on 1 December 2027, a Wednesday", ro(2027, time.November, 20, 9, 0), pi, d(2027, time.December, 2)},

		// Christmas and New Year, and 6–7 January.
		{"PI ends on Christmas 2026", ro(2026, time.December, 14, 9, 0), pi, d(2026, time.December, 28)},
		{"petition ends on 1 January 2027", ro(2026, time.December, 1, 9, 0), petition, d(2027, time.January, 4)},
		{"PI ends on Bobotează 2027, then Sf. Ioan", ro(2026, time.December, 26, 9, 0), pi, d(2027, time.January, 8)},
		{"PI ends on 6 January 2023, before it was a holiday", ro(2022, time.December, 26, 9, 0), pi, d(2023, time.January, 6)},
		{"PI ends on 1 January 2026, then 2, weekend", ro(2025, time.December, 21, 9, 0), pi, d(2026, time.January, 5)},
		{"PI ends on 6 January 2026 after New Year", ro(2025, time.December, 26, 9, 0), pi, d(2026, time.January, 8)},

		// Friday evening and the weekend.
		{"PI Friday evening", ro(2026, time.March, 6, 21, 45), pi, d(2026, time.March, 17)},
		{"PI Friday evening in UTC is Saturday in Romania", utc(2026, time.March, 6, 22, 30), pi, d(2026, time.March, 18)},
		{"PI Saturday", ro(2026, time.March, 7, 11, 0), pi, d(2026, time.March, 18)},
		{"PI Sunday", ro(2026, time.March, 8, 11, 0), pi, d(2026, time.March, 19)},
		{"petition Saturday", ro(2026, time.May, 9, 11, 0), petition, d(2026, time.June, 9)},
		{"petition Thursday ends on Sunday", ro(2026, time.March, 5, 11, 0), petition, d(2026, time.April, 6)},

		// 31 December.
		{"PI 31 December 2025 ends on Sunday", ro(2025, time.December, 31, 15, 0), pi, d(2026, time.January, 12)},
		{"petition 31 December 2025 ends on Saturday", ro(2025, time.December, 31, 15, 0), petition, d(2026, time.February, 2)},
		{"PI 31 December 2026", ro(2026, time.December, 31, 15, 0), pi, d(2027, time.January, 11)},
		{"31 December 23:30 UTC is 1 January in Romania", utc(2026, time.December, 31, 23, 30), pi, d(2027, time.January, 12)},

		// DST: 29 March 2026 (02:00 EET -> 04:00 EEST) and 25 October 2026
		// (04:00 EEST -> 03:00 EET), the last Sundays of March and October.
		{"23:30 on the spring DST Sunday", ro(2026, time.March, 29, 23, 30), pi, d(2026, time.April, 9)},
		{"23:30 EEST on the spring DST Sunday, in UTC", utc(2026, time.March, 29, 20, 30), pi, d(2026, time.April, 9)},
		{"00:30 the day after the spring DST Sunday, in UTC (ends on Good Friday)", utc(2026, time.March, 29, 21, 30), pi, d(2026, time.April, 14)},
		{"03:30 in the spring DST gap", utc(2026, time.March, 29, 0, 30), pi, d(2026, time.April, 9)},
		{"23:30 on the autumn DST Sunday", ro(2026, time.October, 25, 23, 30), pi, d(2026, time.November, 5)},
		{"23:30 EET on the autumn DST Sunday, in UTC", utc(2026, time.October, 25, 21, 30), pi, d(2026, time.November, 5)},
		{"00:30 the day after the autumn DST Sunday, in UTC", utc(2026, time.October, 25, 22, 30), pi, d(2026, time.November, 6)},
		{"03:30 in the repeated autumn hour", utc(2026, time.October, 25, 0, 30), pi, d(2026, time.November, 5)},
		{"petition 23:30 on the autumn DST Sunday", ro(2026, time.October, 25, 23, 30), petition, d(2026, time.November, 25)},

		// Leap years.
		{"PI 29 February 2028", ro(2028, time.February, 29, 12, 0), pi, d(2028, time.March, 13)},
		{"petition 29 February 2028", ro(2028, time.February, 29, 12, 0), petition, d(2028, time.March, 31)},
		{"petition ending on 29 February 2028", ro(2028, time.January, 29, 12, 0), petition, d(2028, time.February, 29)},
		{"petition ending on 28 February 2028", ro(2028, time.January, 28, 12, 0), petition, d(2028, time.February, 28)},
		{"petition over February 2027, no 29th", ro(2027, time.January, 29, 12, 0), petition, d(2027, time.March, 1)},
		{"petition ending on Sunday 28 February 2027", ro(2027, time.January, 28, 12, 0), petition, d(2027, time.March, 1)},
		{"PI 28 February 2027 (Sunday)", ro(2027, time.February, 28, 12, 0), pi, d(2027, time.March, 11)},

		// Custom terms.
		{"custom 3 calendar days ending on Easter", ro(2026, time.April, 8, 9, 0), Regime{Kind: Custom, Days: 3}, d(2026, time.April, 14)},
		{"custom 1 calendar day", ro(2026, time.March, 2, 9, 0), Regime{Kind: Custom, Days: 1}, d(2026, time.March, 4)},
		{"custom 5 working days over Easter", ro(2026, time.April, 9, 9, 0), Regime{Kind: Custom, Days: 5, WorkingDays: true}, d(2026, time.April, 20)},
		{"custom 1 working day from Friday before Rusalii", ro(2026, time.May, 29, 9, 0), Regime{Kind: Custom, Days: 1, WorkingDays: true}, d(2026, time.June, 2)},
		{"custom 1 working day from Saturday", ro(2026, time.March, 7, 9, 0), Regime{Kind: Custom, Days: 1, WorkingDays: true}, d(2026, time.March, 9)},
		{"custom 5 working days Monday", ro(2026, time.March, 2, 9, 0), Regime{Kind: Custom, Days: 5, WorkingDays: true}, d(2026, time.March, 9)},
		{"custom 10 working days over New Year", ro(2026, time.December, 23, 9, 0), Regime{Kind: Custom, Days: 10, WorkingDays: true}, d(2027, time.January, 12)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Deadline(tt.at, tt.r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Deadline(%v, %+v) = %v (%v), want %v (%v)",
					tt.at, tt.r, got, got.Weekday(), tt.want, tt.want.Weekday())
			}
			if !IsWorkingDay(got) {
				t.Errorf("deadline %v is not a working day", got)
			}
		})
	}
}

func TestDeadlineErrors(t *testing.T) {
	at := ro(2026, time.March, 2, 10, 0)
	tests := []struct {
		r    Regime
		want error
	}{
		{Regime{}, ErrKind},
		{Regime{Kind: Custom + 1, Days: 3}, ErrKind},
		{Regime{Kind: -1, Days: 3}, ErrKind},
		{Regime{Kind: Petition, WorkingDays: true}, ErrKind},
		{Regime{Kind: PublicInformation, Days: 10, WorkingDays: true}, ErrKind},
		{Regime{Kind: Petition, Days: -1}, ErrDays},
		{Regime{Kind: Petition, Days: 31}, ErrDays},
		{Regime{Kind: PublicInformation, Days: -10}, ErrDays},
		{Regime{Kind: PublicInformation, Days: 31}, ErrDays},
		{Regime{Kind: Custom}, ErrDays},
		{Regime{Kind: Custom, Days: -5}, ErrDays},
		{Regime{Kind: Custom, Days: MaxDays + 1}, ErrDays},
		{Regime{Kind: Custom, Days: MaxDays + 1, WorkingDays: true}, ErrDays},
	}
	for _, tt := range tests {
		if _, err := Deadline(at, tt.r); !errors.Is(err, tt.want) {
			t.Errorf("Deadline(%+v): error %v, want %v", tt.r, err, tt.want)
		}
		if err := tt.r.Validate(); !errors.Is(err, tt.want) {
			t.Errorf("%+v.Validate(): error %v, want %v", tt.r, err, tt.want)
		}
		if _, err := Extended(at, tt.r, 1); !errors.Is(err, tt.want) {
			t.Errorf("Extended(%+v): error %v, want %v", tt.r, err, tt.want)
		}
	}
	for _, r := range []Regime{petition, pi, piRefuse, pi30, {Kind: Custom, Days: MaxDays, WorkingDays: true}} {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v", r, err)
		}
	}
}

func TestExtended(t *testing.T) {
	tests := []struct {
		name  string
		at    time.Time
		r     Regime
		extra int
		want  Date
	}{
		{"petition no extension", ro(2026, time.March, 2, 10, 0), petition, 0, d(2026, time.April, 2)},
		{"petition 15 days", ro(2026, time.March, 2, 10, 0), petition, 15, d(2026, time.April, 17)},
		{"petition 10 days, ends on Easter Monday", ro(2026, time.March, 3, 10, 0), petition, 10, d(2026, time.April, 14)},
		// The original deadline (Saturday 31 January, moved to Monday
		// 2 February) does not move the extended term: 31 + 15 days from
		// 31 December is 15 February, a Sunday, hence Monday 16.
		{"petition extended over a moved deadline", ro(2025, time.December, 31, 10, 0), petition, 15, d(2026, time.February, 16)},
		{"PI to 30 days", ro(2026, time.March, 2, 10, 0), pi, 20, d(2026, time.April, 2)},
		{"PI to 30 days equals the 30-day term", ro(2026, time.December, 14, 10, 0), pi, 20, d(2027, time.January, 14)},
		{"custom calendar", ro(2026, time.March, 2, 10, 0), Regime{Kind: Custom, Days: 5}, 5, d(2026, time.March, 13)},
		{"custom working days", ro(2026, time.March, 2, 10, 0), Regime{Kind: Custom, Days: 5, WorkingDays: true}, 5, d(2026, time.March, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Extended(tt.at, tt.r, tt.extra)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Extended(%v, %+v, %d) = %v (%v), want %v", tt.at, tt.r, tt.extra, got, got.Weekday(), tt.want)
			}
			orig, _ := Deadline(tt.at, tt.r)
			if got.Before(orig) {
				t.Errorf("extended %v before the original %v", got, orig)
			}
		})
	}
	// An extension to 30 days is the 30-day term.
	for day := d(2026, time.January, 1); day.Year == 2026; day = day.AddDays(1) {
		at := ro(day.Year, day.Month, day.Day, 12, 0)
		ext, err1 := Extended(at, pi, 20)
		full, err2 := Deadline(at, pi30)
		if err1 != nil || err2 != nil || ext != full {
			t.Fatalf("%v: Extended(pi, 20) = %v, %v; Deadline(pi30) = %v, %v", day, ext, err1, full, err2)
		}
	}
}

func TestExtendedErrors(t *testing.T) {
	at := ro(2026, time.March, 2, 10, 0)
	tests := []struct {
		r     Regime
		extra int
	}{
		{petition, -1},
		{petition, PetitionExtensionMaxDays + 1},
		{pi, -1},
		{pi, 21},
		{pi30, 1},
		{piRefuse, 26},
		{Regime{Kind: Custom, Days: 10}, MaxDays},
		{Regime{Kind: Custom, Days: 10}, -3},
	}
	for _, tt := range tests {
		if _, err := Extended(at, tt.r, tt.extra); !errors.Is(err, ErrExtension) {
			t.Errorf("Extended(%+v, %d): error %v, want ErrExtension", tt.r, tt.extra, err)
		}
	}
}

func TestDaysLeft(t *testing.T) {
	tests := []struct {
		today, deadline Date
		want            int
	}{
		{d(2026, time.April, 14), d(2026, time.April, 14), 0},
		{d(2026, time.April, 13), d(2026, time.April, 14), 1},
		{d(2026, time.April, 15), d(2026, time.April, 14), -1},
		{d(2026, time.March, 2), d(2026, time.April, 2), 31},
		{d(2026, time.December, 31), d(2027, time.January, 1), 1},
		{d(2028, time.February, 28), d(2028, time.March, 1), 2},
		{d(2027, time.February, 28), d(2027, time.March, 1), 1},
		// Across the DST changes a day is still one day.
		{d(2026, time.March, 28), d(2026, time.March, 30), 2},
		{d(2026, time.October, 24), d(2026, time.October, 26), 2},
		{d(2026, time.January, 1), d(2025, time.January, 1), -365},
		{d(1700, time.January, 1), d(2300, time.January, 1), 219145},
	}
	for _, tt := range tests {
		if got := DaysLeft(tt.today, tt.deadline); got != tt.want {
			t.Errorf("DaysLeft(%v, %v) = %d, want %d", tt.today, tt.deadline, got, tt.want)
		}
	}
}

func TestDateOf(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Time
		want Date
	}{
		{utc(2026, time.January, 15, 21, 59), d(2026, time.January, 15)}, // EET, UTC+2
		{utc(2026, time.January, 15, 22, 0), d(2026, time.January, 16)},
		{utc(2026, time.July, 15, 20, 59), d(2026, time.July, 15)}, // EEST, UTC+3
		{utc(2026, time.July, 15, 21, 0), d(2026, time.July, 16)},
		{time.Date(2026, time.July, 15, 17, 30, 0, 0, ny), d(2026, time.July, 16)}, // 00:30 in Bucharest
		{time.Date(2026, time.July, 15, 16, 30, 0, 0, ny), d(2026, time.July, 15)},
	}
	for _, tt := range tests {
		if got := DateOf(tt.at); got != tt.want {
			t.Errorf("DateOf(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestDate(t *testing.T) {
	if got := (Date{2026, time.February, 29}).String(); got != "2026-03-01" {
		t.Errorf("String of 29 February 2026 = %q", got)
	}
	if got := d(2026, time.April, 12).String(); got != "2026-04-12" {
		t.Errorf("String = %q", got)
	}
	if got := d(2028, time.February, 28).AddDays(1); got != d(2028, time.February, 29) {
		t.Errorf("AddDays over a leap day = %v", got)
	}
	if got := d(2026, time.January, 1).AddDays(-1); got != d(2025, time.December, 31) {
		t.Errorf("AddDays(-1) = %v", got)
	}
	a, b := d(2026, time.April, 12), d(2026, time.April, 13)
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Compare(a) != 0 || a.Compare(b) != -1 || b.Compare(a) != 1 {
		t.Errorf("comparisons of %v and %v are wrong", a, b)
	}
	if a.Weekday() != time.Sunday {
		t.Errorf("Weekday(%v) = %v", a, a.Weekday())
	}
}

func TestMaxExtension(t *testing.T) {
	tests := []struct {
		name string
		r    Regime
		want int
	}{
		{"petition: one extension of at most 15 days (OG 27/2002 art. 9)", petition, 15},
		{"public information: to 30 days in all (Law 544/2001 art. 7(1))", pi, 20},
		{"public information already at 30 days", pi30, 0},
		{"custom term up to the bound", Regime{Kind: Custom, Days: 10}, MaxDays - 10},
	}
	for _, tt := range tests {
		got, err := MaxExtension(tt.r)
		if err != nil || got != tt.want {
			t.Errorf("%s: MaxExtension(%+v) = %d, %v; want %d", tt.name, tt.r, got, err, tt.want)
		}
		// The cap is exactly what Extended accepts.
		at := ro(2026, time.March, 2, 10, 0)
		if _, err := Extended(at, tt.r, tt.want); err != nil {
			t.Errorf("%s: Extended(%d) = %v", tt.name, tt.want, err)
		}
		if _, err := Extended(at, tt.r, tt.want+1); !errors.Is(err, ErrExtension) {
			t.Errorf("%s: Extended(%d) error %v, want ErrExtension", tt.name, tt.want+1, err)
		}
	}
	if _, err := MaxExtension(Regime{}); !errors.Is(err, ErrKind) {
		t.Errorf("MaxExtension of the zero regime: %v, want ErrKind", err)
	}
}

// TestExtendedOn: an extension reaches what each law allows in all, and only
// when it is announced within the term being prolonged, the day being
// Bucharest's (for public information the 10 days of Law 544/2001 art. 7(1)).
func TestExtendedOn(t *testing.T) {
	tests := []struct {
		name          string
		registered    time.Time
		announced     time.Time
		r             Regime
		extra         int
		want          Date
		wantErr       error
		originalEnded Date // the term being prolonged, for the record
	}{
		// Registered Monday 30 March 2026: the 10 days end on Good Friday
		// (10 April), moved over Easter to Tuesday 14 April; 30 days in all
		// is Thursday 30 April.
		{"PI over Easter, to 30 days in all", ro(2026, time.March, 30, 10, 0), ro(2026, time.April, 2, 9, 0), pi, 20,
			d(2026, time.April, 30), nil, d(2026, time.April, 14)},
		{"PI announced on the moved last day of the 10", ro(2026, time.March, 30, 10, 0), ro(2026, time.April, 14, 23, 30), pi, 20,
			d(2026, time.April, 30), nil, d(2026, time.April, 14)},
		// 00:30 in Bucharest on 15 April is still 14 April in UTC: the
		// Romanian day decides.
		{"PI announced after the 10 days, Bucharest's day", ro(2026, time.March, 30, 10, 0), utc(2026, time.April, 14, 21, 30), pi, 20,
			Date{}, ErrExtensionLate, d(2026, time.April, 14)},
		{"PI beyond 30 days in all", ro(2026, time.March, 30, 10, 0), ro(2026, time.April, 2, 9, 0), pi, 21,
			Date{}, ErrExtension, d(2026, time.April, 14)},
		// Registered Friday 20 November 2026: the 10 days end on 1 December
		// (Ziua Națională, after Sf. Andrei), moved to 2 December; 30 days
		// in all is Monday 21 December.
		{"PI over 30 November and 1 December", ro(2026, time.November, 20, 15, 0), ro(2026, time.December, 2, 12, 0), pi, 20,
			d(2026, time.December, 21), nil, d(2026, time.December, 2)},
		{"PI announced the day after the moved term", ro(2026, time.November, 20, 15, 0), ro(2026, time.December, 3, 8, 0), pi, 5,
			Date{}, ErrExtensionLate, d(2026, time.December, 2)},
		// Registered Monday 14 December 2026: the 10 days end on Christmas,
		// moved to Monday 28 December; 30 days in all is 14 January 2027.
		{"PI over Christmas and the New Year", ro(2026, time.December, 14, 10, 0), ro(2026, time.December, 28, 16, 0), pi, 20,
			d(2027, time.January, 14), nil, d(2026, time.December, 28)},
		{"PI extended by fewer days", ro(2026, time.March, 2, 10, 0), ro(2026, time.March, 3, 10, 0), pi, 10,
			d(2026, time.March, 23), nil, d(2026, time.March, 13)},
		// Petitions: one extension of at most 15 days, within the 30.
		{"petition by 15 days", ro(2026, time.March, 2, 10, 0), ro(2026, time.April, 2, 18, 0), petition, 15,
			d(2026, time.April, 17), nil, d(2026, time.April, 2)},
		{"petition by 16 days", ro(2026, time.March, 2, 10, 0), ro(2026, time.March, 20, 18, 0), petition, 16,
			Date{}, ErrExtension, d(2026, time.April, 2)},
		{"petition after its term", ro(2026, time.March, 2, 10, 0), ro(2026, time.April, 3, 9, 0), petition, 15,
			Date{}, ErrExtensionLate, d(2026, time.April, 2)},
		// Registered 31 December 2025: the 30 days end on Saturday
		// 31 January, moved to Monday 2 February, so Sunday 1 February is
		// still within the term.
		{"petition announced on the weekend its term was moved over", ro(2025, time.December, 31, 10, 0), ro(2026, time.February, 1, 11, 0), petition, 15,
			d(2026, time.February, 16), nil, d(2026, time.February, 2)},
		{"petition announced after the moved term", ro(2025, time.December, 31, 10, 0), ro(2026, time.February, 3, 8, 0), petition, 15,
			Date{}, ErrExtensionLate, d(2026, time.February, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if due, err := Deadline(tt.registered, tt.r); err != nil || due != tt.originalEnded {
				t.Fatalf("the term being prolonged ends on %v (%v), want %v", due, err, tt.originalEnded)
			}
			got, err := ExtendedOn(tt.registered, tt.announced, tt.r, tt.extra)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ExtendedOn = %v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ExtendedOn = %v (%v), %v; want %v", got, got.Weekday(), err, tt.want)
			}
		})
	}
}

// TestRefusalDeadline: a reasoned refusal of a request for public
// information is due within 5 days (Law 544/2001 art. 7(2)), counted as its
// other terms: neither the registration day nor the last counts, and a last
// day on a weekend or a holiday moves to the next working day.
func TestRefusalDeadline(t *testing.T) {
	tests := []struct {
		name   string
		at     time.Time
		r      Regime
		want   Date
		wantOK bool
	}{
		{"Monday: the 6th day is a Sunday", ro(2026, time.March, 2, 10, 0), pi, d(2026, time.March, 9), true},
		{"Wednesday, a plain week", ro(2026, time.December, 16, 10, 0), pi, d(2026, time.December, 22), true},
		{"ends on Sf. Andrei, then 1 December", ro(2026, time.November, 24, 10, 0), pi, d(2026, time.December, 2), true},
		{"ends on Good Friday, over Easter", ro(2026, time.April, 4, 10, 0), pi, d(2026, time.April, 14), true},
		{"ends on Bobotează, then Sf. Ioan", ro(2026, time.December, 31, 23, 30), pi, d(2027, time.January, 8), true},
		// 22:30 UTC on Tuesday is Wednesday in Bucharest: 10 March, not 9.
		{"registered after midnight in Bucharest", utc(2026, time.March, 3, 22, 30), pi, d(2026, time.March, 10), true},
		{"the same whatever the term the type gives", ro(2026, time.March, 2, 10, 0), pi30, d(2026, time.March, 9), true},
		{"petitions have no refusal term of their own", ro(2026, time.March, 2, 10, 0), petition, Date{}, false},
		{"custom terms have none", ro(2026, time.March, 2, 10, 0), Regime{Kind: Custom, Days: 5}, Date{}, false},
	}
	for _, tt := range tests {
		got, ok, err := RefusalDeadline(tt.at, tt.r)
		if err != nil || ok != tt.wantOK || got != tt.want {
			t.Errorf("%s: RefusalDeadline(%v, %+v) = %v (%v), %v, %v; want %v, %v", tt.name, tt.at, tt.r, got, got.Weekday(), ok, err, tt.want, tt.wantOK)
		}
		if ok {
			// The refusal term is the law's 5-day term, counted as Deadline counts it.
			if same, _ := Deadline(tt.at, piRefuse); same != got {
				t.Errorf("%s: %v differs from the 5-day term %v", tt.name, got, same)
			}
		}
	}
	if _, _, err := RefusalDeadline(time.Now(), Regime{Kind: 9}); !errors.Is(err, ErrKind) {
		t.Errorf("RefusalDeadline of an unknown kind: %v, want ErrKind", err)
	}
}
