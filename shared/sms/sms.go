// Package sms sends text messages through a provider: an HTTP gateway (any
// provider whose API takes a JSON POST, or a small adapter in front of one)
// or, where no provider is contracted and in the local stack, the log.
package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode"
)

// Message is a text message to one phone.
type Message struct {
	// To is the phone number in E.164 form (+40722123456): see Normalize.
	// It is personal data: it never goes into an error or a log line
	// unmasked (see Mask).
	To string
	// Text is what the message says. It may be personal too: never logged.
	Text string
	// Key identifies the message for the provider, the same on every
	// attempt, so a provider that deduplicates drops a resend.
	Key string
}

// Sender sends text messages. Send returns nil only once the provider
// accepted the message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrRejected is wrapped by the error Send returns when the provider refused
// the message for good (a 4xx): sending it again will not help.
var ErrRejected = errors.New("sms: the provider rejected the message for good")

// ErrInvalidNumber is returned for a phone number that cannot be texted.
var ErrInvalidNumber = errors.New("sms: the phone number is not valid")

// IsPermanent reports whether err, returned by Send or Normalize, means the
// message can never be sent as it is.
func IsPermanent(err error) bool {
	return errors.Is(err, ErrRejected) || errors.Is(err, ErrInvalidNumber)
}

// ProviderConfig chooses the provider, read with envconfig. It is not
// named Config so that a function's config can embed it next to
// runtime.Config.
type ProviderConfig struct {
	// Provider is log (the default: messages are logged, masked, and not
	// sent) or http.
	Provider string `envconfig:"SMS_PROVIDER" default:"log"`
	// URL is the HTTP provider's endpoint, Token its bearer token.
	URL   string `envconfig:"SMS_URL"`
	Token string `envconfig:"SMS_TOKEN"`
}

// New returns the sender cfg names.
func New(cfg ProviderConfig, log *slog.Logger) (Sender, error) {
	switch cfg.Provider {
	case "log":
		return &Log{Log: log}, nil
	case "http":
		return NewHTTP(cfg.URL, cfg.Token)
	}
	return nil, fmt.Errorf("SMS_PROVIDER %q: want log or http", cfg.Provider)
}

// Normalize writes a phone number as people type it (0722 123 456,
// +40 722-123-456, 0040722123456) in E.164 form. A national number
// (starting with a single 0) is taken as Romanian.
func Normalize(phone string) (string, error) {
	var digits strings.Builder
	plus := false
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		default:
			return "", ErrInvalidNumber
		}
	}
	d := digits.String()
	switch {
	case plus:
	case strings.HasPrefix(d, "00"):
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = "40" + d[1:]
	default:
		return "", ErrInvalidNumber
	}
	// E.164: at most 15 digits, country code first (never 0).
	if len(d) < 8 || len(d) > 15 || d[0] == '0' || (strings.HasPrefix(d, "40") && len(d) != 11) {
		return "", ErrInvalidNumber
	}
	return "+" + d, nil
}

// Mask shows enough of a number in E.164 form for an operator to tell two
// apart, and not enough to call it: +40 7** *** 123.
func Mask(number string) string {
	d := strings.TrimPrefix(number, "+")
	if len(d) < 8 {
		return "***"
	}
	// Two digits of the country code (all of Romania's, 40), the first
	// digit of the national number and its last three.
	national := d[2:]
	return "+" + d[:2] + " " + national[:1] + "** *** " + national[len(national)-3:]
}

// Plain writes Romanian text without diacritics (ă â î ș ț, and the
// cedilla look-alikes ş ţ): Romanian SMS are written so, because one
// letter outside the GSM 7-bit alphabet makes every part of the message
// hold 70 characters instead of 160. Other letters outside it are left to
// the provider.
func Plain(text string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ă', 'â':
			return 'a'
		case 'Ă', 'Â':
			return 'A'
		case 'î':
			return 'i'
		case 'Î':
			return 'I'
		case 'ș', 'ş':
			return 's'
		case 'Ș', 'Ş':
			return 'S'
		case 'ț', 'ţ':
			return 't'
		case 'Ț', 'Ţ':
			return 'T'
		case '„', '”', '“':
			return '"'
		}
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
}

// Log is the provider of last resort: it logs that a message would have
// been sent, with the number masked and without the text (which may be
// personal), and sends nothing.
type Log struct {
	Log *slog.Logger
}

// Send logs m.
func (l *Log) Send(_ context.Context, m Message) error {
	l.Log.Info("sms: not sent (SMS_PROVIDER=log)", "to", Mask(m.To), "key", m.Key, "chars", len([]rune(m.Text)))
	return nil
}
