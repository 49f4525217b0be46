// Package deadlines computes the legal deadline of a citizen's request from
// the instant it was registered: the last day on which the institution's
// answer is in time, under the rules of Romanian law for terms in days and
// with the Romanian public holidays.
//
// Dates are Date values (a civil day, no time and no zone); the registration
// instant is converted to Romanian time (Europe/Bucharest, embedded) to find
// its day. The package is pure: no database, no clock, no state.
//
// How a term is counted (the table in rules() says which rule each regime
// uses):
//
//   - Terms in calendar days are "zile libere": neither the day the term starts
//     (the registration day) nor the day it is fulfilled counts (Civil
//     Procedure Code, Law 134/2010, art. 181(1) pt. 2; the same rule is in the
//     Civil Code, Law 287/2009, art. 2553(1), which art. 2551 applies to every
//     term). A term of N days registered on day R therefore has the N full days
//     R+1 … R+N, and the answer is in time until the end of day R+N+1.
//   - A term whose last day is not a working day (a Saturday, a Sunday or a
//     public holiday) ends at the end of the next working day (Civil Procedure
//     Code art. 181(2); Civil Code art. 2554).
//   - Terms in working days (only for Custom regimes) skip every day that is not
//     a working day; the registration day does not count and the term ends on
//     the N-th working day after it. No law sets this rule in general: it is
//     the platform's reading of "N zile lucrătoare", used for internal terms.
//
// Petitions (OG 27/2002) and public information requests (Law 544/2001) both
// count in calendar days with these rules, as SPEC.md states for Law 544/2001.
package deadlines

import (
	"errors"
	"fmt"
	"time"
)

// The legal terms, in days.
const (
	// PetitionDays is the term to answer a petition, from its registration
	// (OG 27/2002 art. 8(1)).
	PetitionDays = 30
	// PetitionExtensionMaxDays is the most by which the head of the
	// institution may prolong that term, once (OG 27/2002 art. 9).
	PetitionExtensionMaxDays = 15
	// PetitionForwardingDays is the term to forward a petition sent to the
	// wrong body and to tell the petitioner (OG 27/2002 art. 6(1)).
	PetitionForwardingDays = 5

	// PublicInformationDays is the term to answer a request for public
	// information, or to tell the requester that it needs more (Law 544/2001
	// art. 7(1)).
	PublicInformationDays = 10
	// PublicInformationMaxDays is the longest term for the answer when the
	// requester was told within PublicInformationDays (Law 544/2001
	// art. 7(1)).
	PublicInformationMaxDays = 30
	// PublicInformationRefusalDays is the term to communicate a reasoned
	// refusal (Law 544/2001 art. 7(2)).
	PublicInformationRefusalDays = 5

	// MaxDays bounds Custom terms and extensions. No term for a request comes
	// near ten years; the bound keeps a mistyped configuration from becoming
	// a deadline in another century.
	MaxDays = 3660
)

// Errors, for errors.Is. The returned errors wrap them with the details.
var (
	// ErrKind: the regime's Kind is not one of the constants, or it counts
	// working days where the law counts calendar days.
	ErrKind = errors.New("deadlines: invalid regime")
	// ErrDays: the number of days is negative, zero for a Custom regime, or
	// longer than the law or MaxDays allows.
	ErrDays = errors.New("deadlines: invalid number of days")
	// ErrExtension: the extension is negative or longer than the law allows.
	ErrExtension = errors.New("deadlines: invalid extension")
	// ErrExtensionLate: the term is prolonged after its last day; the
	// requester must be told within the term (Law 544/2001 art. 7(1): within
	// the 10 days).
	ErrExtensionLate = errors.New("deadlines: extension announced after the term")
)

// Kind is the law a request's term comes from.
type Kind int

// The kinds. The zero Kind is not valid, so that a forgotten field is an
// error rather than a silent default.
const (
	// Petition: OG 27/2002 on petitions (requests, complaints, notices,
	// proposals addressed to public authorities).
	Petition Kind = iota + 1
	// PublicInformation: Law 544/2001 on free access to public information.
	PublicInformation
	// Custom: a term the institution configures (an internal term, or a term
	// set by another law), in calendar or working days.
	Custom
)

func (k Kind) String() string {
	switch k {
	case Petition:
		return "petition"
	case PublicInformation:
		return "public information"
	case Custom:
		return "custom"
	default:
		return fmt.Sprintf("Kind(%d)", int(k))
	}
}

// Regime is a term: the law it comes from and its length.
type Regime struct {
	Kind Kind
	// Days is the length of the term. Zero means the legal term of the Kind
	// (30 for a petition, 10 for public information); Custom needs it.
	// A legal Kind accepts a shorter term of the same law (5 days to forward
	// a petition, 5 days for a refusal, 30 days for announced public
	// information), never a longer one: use Extended.
	Days int
	// WorkingDays counts only working days. Only Custom may set it: OG 27/2002
	// and Law 544/2001 count calendar days.
	WorkingDays bool
}

// rule is how a regime is counted and how far it may go.
type rule struct {
	law         string // the legal basis, for error messages
	defaultDays int    // the term when Regime.Days is 0; 0: Days is required
	maxDays     int    // the longest Regime.Days
	maxExtra    int    // the longest extension in one go
	maxTotal    int    // the longest term once extended
	refusalDays int    // the term to communicate a reasoned refusal; 0: none of its own
	// workingDaysAllowed: the regime may count working days. Petitions and
	// public information count calendar days.
	workingDaysAllowed bool
	// lastDayCounts: the term ends on its N-th day. When false the term is in
	// "zile libere" and ends on the day after the N-th (art. 181(1) pt. 2
	// Civil Procedure Code).
	lastDayCounts bool
	// rollForward: a term ending on a non-working day ends on the next
	// working day (art. 181(2) Civil Procedure Code).
	rollForward bool
}

// rules is the table of regimes: every difference between them is here, not in
// the code that counts. A function returning an array, not a variable, so that
// nothing can modify it.
func rules() [Custom + 1]rule {
	return [...]rule{
		Petition: {
			law:         "OG 27/2002 art. 8-9",
			defaultDays: PetitionDays, maxDays: PetitionDays,
			maxExtra: PetitionExtensionMaxDays, maxTotal: PetitionDays + PetitionExtensionMaxDays,
			// OG 27/2002 has no counting rule of its own, so the general
			// one applies: Civil Procedure Code art. 181 and Civil Code
			// art. 2553 both exclude the first and the last day. Some
			// institutions count registration day + 30; that reading is
			// lastDayCounts: true here.
			lastDayCounts: false, rollForward: true,
		},
		PublicInformation: {
			law:         "Law 544/2001 art. 7",
			defaultDays: PublicInformationDays, maxDays: PublicInformationMaxDays,
			// The answer may take up to 30 days from registration in all,
			// whatever the first term was.
			maxExtra: PublicInformationMaxDays, maxTotal: PublicInformationMaxDays,
			// A refusal, with its reasons, within 5 days (art. 7(2)).
			refusalDays:   PublicInformationRefusalDays,
			lastDayCounts: false, rollForward: true,
		},
		Custom: {
			law:         "custom term",
			defaultDays: 0, maxDays: MaxDays,
			maxExtra: MaxDays, maxTotal: MaxDays,
			workingDaysAllowed: true,
			lastDayCounts:      false, rollForward: true,
			// Working-day terms end on the N-th working day: see count.
		},
	}
}

// resolve validates r and returns its rule and its length in days.
func (r Regime) resolve() (rule, int, error) {
	if r.Kind < Petition || r.Kind > Custom {
		return rule{}, 0, fmt.Errorf("%w: unknown kind %d", ErrKind, int(r.Kind))
	}
	ru := rules()[r.Kind]
	if r.WorkingDays && !ru.workingDaysAllowed {
		return rule{}, 0, fmt.Errorf("%w: %s counts calendar days (%s)", ErrKind, r.Kind, ru.law)
	}
	days := r.Days
	if days == 0 {
		days = ru.defaultDays
	}
	if days <= 0 || days > ru.maxDays {
		return rule{}, 0, fmt.Errorf("%w: %d days for a %s term; it must be between 1 and %d (%s)",
			ErrDays, r.Days, r.Kind, ru.maxDays, ru.law)
	}
	return ru, days, nil
}

// Validate reports whether r is a valid regime, with an error wrapping ErrKind
// or ErrDays.
func (r Regime) Validate() error {
	_, _, err := r.resolve()
	return err
}

// Deadline returns the last day on which the answer to a request registered at
// registeredAt is in time under r: the answer is late from the day after it.
// The registration day is the day of registeredAt in Romania.
func Deadline(registeredAt time.Time, r Regime) (Date, error) {
	ru, days, err := r.resolve()
	if err != nil {
		return Date{}, err
	}
	return ru.count(DateOf(registeredAt), days, r.WorkingDays), nil
}

// Extended returns the deadline once the term of r is prolonged by extraDays.
//
// An extension lengthens the term itself, so the extended term is counted as
// one term of r.Days+extraDays days from the registration, with the same rules;
// a weekend or holiday that moved the original deadline does not move the
// extended one. For a petition the extension is at most 15 days (OG 27/2002
// art. 9; the law allows one, which the caller records); for public information
// the term may reach 30 days in all (Law 544/2001 art. 7(1)), so extraDays is
// at most 30 minus r's term.
func Extended(registeredAt time.Time, r Regime, extraDays int) (Date, error) {
	ru, days, err := r.resolve()
	if err != nil {
		return Date{}, err
	}
	if extraDays < 0 || extraDays > ru.maxExtra || days+extraDays > ru.maxTotal {
		return Date{}, fmt.Errorf("%w: %d more days on a %d-day %s term; the law allows at most %d more and %d in all (%s)",
			ErrExtension, extraDays, days, r.Kind, min(ru.maxExtra, ru.maxTotal-days), ru.maxTotal, ru.law)
	}
	return ru.count(DateOf(registeredAt), days+extraDays, r.WorkingDays), nil
}

// MaxExtension returns the most days by which r's term may be prolonged:
// 15 for a petition (OG 27/2002 art. 9), as many as bring a public
// information request to 30 days in all (Law 544/2001 art. 7(1): 20 on its
// 10-day term).
func MaxExtension(r Regime) (int, error) {
	ru, days, err := r.resolve()
	if err != nil {
		return 0, err
	}
	return min(ru.maxExtra, ru.maxTotal-days), nil
}

// ExtendedOn is Extended for a prolongation decided and announced to the
// requester at announcedAt, which must fall on or before the last day of
// the term being prolonged (for public information the 10-day term, Law
// 544/2001 art. 7(1)): later, the error wraps ErrExtensionLate.
func ExtendedOn(registeredAt, announcedAt time.Time, r Regime, extraDays int) (Date, error) {
	due, err := Deadline(registeredAt, r)
	if err != nil {
		return Date{}, err
	}
	if on := DateOf(announcedAt); on.After(due) {
		return Date{}, fmt.Errorf("%w: announced on %s, the %s term ended on %s (%s)",
			ErrExtensionLate, on, r.Kind, due, rules()[r.Kind].law)
	}
	return Extended(registeredAt, r, extraDays)
}

// RefusalDeadline returns the last day on which a reasoned refusal of a
// request registered at registeredAt under r is in time, counted as every
// term of its law: 5 days for public information (Law 544/2001 art. 7(2)).
// ok is false when the law sets no refusal term of its own (petitions and
// custom terms are refused within their term).
func RefusalDeadline(registeredAt time.Time, r Regime) (d Date, ok bool, err error) {
	ru, _, err := r.resolve()
	if err != nil || ru.refusalDays == 0 {
		return Date{}, false, err
	}
	return ru.count(DateOf(registeredAt), ru.refusalDays, false), true, nil
}

// count returns the last day of a term of days days that starts on the
// registration day start. It is the only place the counting happens.
func (ru rule) count(start Date, days int, workingDays bool) Date {
	if workingDays {
		// The registration day never counts; each working day after it
		// counts once, and the term ends on the last one counted, which is
		// a working day by construction.
		end := start
		for n := 0; n < days; {
			end = end.AddDays(1)
			if IsWorkingDay(end) {
				n++
			}
		}
		return end
	}
	end := start.AddDays(days) // the N-th day after the registration day
	if !ru.lastDayCounts {
		end = end.AddDays(1) // zile libere: the N-th day is not the last
	}
	if ru.rollForward {
		for !IsWorkingDay(end) {
			end = end.AddDays(1)
		}
	}
	return end
}

// DaysLeft returns the calendar days from today to deadline: 0 on the deadline
// itself (still in time), negative once it has passed.
func DaysLeft(today, deadline Date) int {
	return daysBetween(today, deadline)
}
