// Package retention decides which backups to keep under a
// grandfather-father-son policy: the newest backup of each of the last N
// days, of each of the last W ISO weeks and of each of the last M months.
// Everything else is to be pruned. It only decides; listing and deleting
// backups is the caller's job, and the caller passes complete backups only,
// since an incomplete one is never restored and must not take a period's
// place.
//
// Days, weeks and months are calendar periods in a time zone (Europe/Bucharest
// unless told otherwise), not spans of 24 hours: a backup made at 02:00 local
// time belongs to that local day even when it is still the previous day in
// UTC, and a day lasts 23 or 25 hours across a DST change without any backup
// changing day.
//
// The periods are counted back from now, the one containing now being the
// first. A period with no backup is skipped: the window is not extended
// further back to make up for it, so after an outage fewer backups are kept
// than the policy counts. This keeps each window a fixed span of calendar
// time, so that what is kept depends on the date alone, and it means a backup
// pruned by one run is never one that a later run would want back; extending
// the window would reach, after an outage, for days whose backups an earlier
// run already deleted.
package retention

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	// Backups are placed in Romanian days wherever the job runs, including
	// an image without a zoneinfo database.
	_ "time/tzdata"
)

// DefaultTimeZone is the zone Plan counts days, weeks and months in when it
// is given no location: the platform's institutions work on Romanian days.
const DefaultTimeZone = "Europe/Bucharest"

// Reasons a backup is kept, as reported in Kept.Reasons.
const (
	ReasonDaily   = "daily"
	ReasonWeekly  = "weekly"
	ReasonMonthly = "monthly"
	// ReasonNewest: the newest backup is kept whatever the policy, so that a
	// wrong clock (now far ahead of the backups) cannot prune them all.
	ReasonNewest = "newest"
	// ReasonFuture: the backup is dated after now. See Plan.
	ReasonFuture = "future"
)

// ErrInvalidPolicy is wrapped by every error of Validate, ParsePolicy and
// Decode, for errors.Is.
var ErrInvalidPolicy = errors.New("invalid backup retention policy")

// defaultLocation is set once when the package is initialised and never
// changed; a *time.Location is safe for concurrent use.
var defaultLocation = mustLoadLocation(DefaultTimeZone)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Unreachable: time/tzdata is embedded above.
		panic("retention: " + err.Error())
	}
	return loc
}

// Policy says how many periods of each kind keep their newest backup.
//
// It is usable directly as an envconfig field, in the format ParsePolicy
// takes:
//
//	Retention retention.Policy `envconfig:"BACKUP_RETENTION" default:"daily=7,weekly=4,monthly=12"`
type Policy struct {
	Daily, Weekly, Monthly int
}

// DefaultPolicy keeps a week of dailies, a month of weeklies and a year of
// monthlies.
func DefaultPolicy() Policy {
	return Policy{Daily: 7, Weekly: 4, Monthly: 12}
}

// Validate refuses negative counts, and a policy whose counts are all zero:
// it would prune every backup but the newest, which is never what a
// configuration means.
func (p Policy) Validate() error {
	var negative []string
	for _, f := range p.fields() {
		if *f.n < 0 {
			negative = append(negative, fmt.Sprintf("%s=%d", f.key, *f.n))
		}
	}
	if len(negative) > 0 {
		return fmt.Errorf("%w %s: negative count %s", ErrInvalidPolicy, p, strings.Join(negative, ", "))
	}
	if p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0 {
		return fmt.Errorf("%w %s: all counts are zero, which would prune every backup but the newest", ErrInvalidPolicy, p)
	}
	return nil
}

// String gives the policy in the format ParsePolicy takes.
func (p Policy) String() string {
	return fmt.Sprintf("daily=%d,weekly=%d,monthly=%d", p.Daily, p.Weekly, p.Monthly)
}

// policyField names a count of a Policy, for parsing and messages.
type policyField struct {
	key string
	n   *int
}

func (p *Policy) fields() []policyField {
	return []policyField{{"daily", &p.Daily}, {"weekly", &p.Weekly}, {"monthly", &p.Monthly}}
}

// ParsePolicy reads "daily=7,weekly=4,monthly=12": the three keys, each
// once, in any order, spaces allowed around the parts. None may be left out:
// a forgotten key read as zero would silently prune, and one read as its
// default would make the setting say less than it does. The result is
// validated.
func ParsePolicy(s string) (Policy, error) {
	var p Policy
	if strings.TrimSpace(s) == "" {
		return Policy{}, fmt.Errorf("%w: empty, want daily=N,weekly=N,monthly=N", ErrInvalidPolicy)
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		key, value, ok := strings.Cut(part, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok {
			return Policy{}, fmt.Errorf("%w %q: %q is not key=N, want daily=N,weekly=N,monthly=N", ErrInvalidPolicy, s, strings.TrimSpace(part))
		}
		i := slices.IndexFunc(p.fields(), func(f policyField) bool { return f.key == key })
		if i < 0 {
			return Policy{}, fmt.Errorf("%w %q: unknown key %q, want daily, weekly and monthly", ErrInvalidPolicy, s, key)
		}
		if seen[key] {
			return Policy{}, fmt.Errorf("%w %q: %s given twice", ErrInvalidPolicy, s, key)
		}
		seen[key] = true
		n, err := strconv.Atoi(value)
		if err != nil {
			return Policy{}, fmt.Errorf("%w %q: %s=%q is not a whole number: %w", ErrInvalidPolicy, s, key, value, err)
		}
		*p.fields()[i].n = n
	}
	var missing []string
	for _, f := range p.fields() {
		if !seen[f.key] {
			missing = append(missing, f.key)
		}
	}
	if len(missing) > 0 {
		return Policy{}, fmt.Errorf("%w %q: missing %s, want daily=N,weekly=N,monthly=N", ErrInvalidPolicy, s, strings.Join(missing, " and "))
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Decode implements envconfig.Decoder with ParsePolicy, so a malformed
// setting stops the process at start rather than at the first prune.
func (p *Policy) Decode(s string) error {
	parsed, err := ParsePolicy(s)
	if err != nil {
		return err
	}
	*p = parsed
	return nil
}

// Backup is a complete backup, identified by ID and dated At.
type Backup struct {
	ID string
	At time.Time
}

// Kept is a backup to keep, with why: one or more of the Reason constants,
// in the order daily, weekly, monthly, newest, future.
type Kept struct {
	Backup
	Reasons []string
}

// Plan splits backups into those to keep and those to prune, each sorted
// newest first (backups with the same time by ID, so that the plan does not
// depend on the order they are given in). backups is not modified. loc is the
// zone periods are counted in; nil means DefaultTimeZone.
//
// A backup dated after now is kept, and takes no period's place. Such a date
// means a clock is wrong, the job's or the backup host's, and which one is
// not knowable here; pruning on a wrong clock deletes backups for good, while
// keeping one costs only its storage until the clocks agree and a later run
// decides with a date that makes sense.
//
// Plan does not validate p (do so when reading the configuration): a negative
// count keeps nothing for its period, and an all-zero policy keeps only the
// newest backup.
func Plan(backups []Backup, p Policy, now time.Time, loc *time.Location) (keep []Kept, prune []Backup) {
	if len(backups) == 0 {
		return nil, nil
	}
	if loc == nil {
		loc = defaultLocation
	}
	sorted := slices.Clone(backups)
	slices.SortFunc(sorted, func(a, b Backup) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})

	today := dayNumber(now.In(loc))
	thisWeek := mondayNumber(now.In(loc))
	thisMonth := monthNumber(now.In(loc))
	// Newest first, so the first backup met in a period is its newest.
	days := map[int64]bool{}
	weeks := map[int64]bool{}
	months := map[int64]bool{}
	for i, b := range sorted {
		future := b.At.After(now)
		var reasons []string
		if !future {
			local := b.At.In(loc)
			if d := dayNumber(local); today-d < int64(p.Daily) && !days[d] {
				days[d] = true
				reasons = append(reasons, ReasonDaily)
			}
			if w := mondayNumber(local); (thisWeek-w)/7 < int64(p.Weekly) && !weeks[w] {
				weeks[w] = true
				reasons = append(reasons, ReasonWeekly)
			}
			if m := monthNumber(local); thisMonth-m < int64(p.Monthly) && !months[m] {
				months[m] = true
				reasons = append(reasons, ReasonMonthly)
			}
		}
		if i == 0 {
			reasons = append(reasons, ReasonNewest)
		}
		if future {
			reasons = append(reasons, ReasonFuture)
		}
		if len(reasons) == 0 {
			prune = append(prune, b)
			continue
		}
		keep = append(keep, Kept{Backup: b, Reasons: reasons})
	}
	return keep, prune
}

// dayNumber numbers t's calendar day (in t's location) so that consecutive
// days differ by one whatever their length in hours.
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	// Midnight UTC is a whole number of days from the epoch, so the division
	// is exact, before 1970 too.
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// mondayNumber is the dayNumber of the Monday starting t's ISO week; ISO
// weeks run Monday to Sunday, so equal Mondays mean the same ISO week, across
// year ends too.
func mondayNumber(t time.Time) int64 {
	return dayNumber(t) - int64((t.Weekday()+6)%7)
}

func monthNumber(t time.Time) int64 {
	return int64(t.Year())*12 + int64(t.Month()) - 1
}
