package main

import (
	"strings"

	"github.com/ghiseu/ghiseu/shared/events"
)

// audience is who an event's notification goes to.
type audience int

const (
	// accountHolder: the account the event names (accountId), about its own
	// account (a one-time link).
	accountHolder audience = iota
	// applicant: the citizen or company that made the request
	// (applicantAccountId).
	applicant
	// assignee: the clerk the request is assigned to (assigneeAccountId);
	// nobody while it is unassigned.
	assignee
)

// kind is what notify does with events of one type.
type kind struct {
	// template names the built-in template (shared/mail/templates/<name>)
	// and the institutions' versions of it.
	template string
	to       audience
	// inApp: an in-app notification too.
	inApp bool
	// sms: a text message too, when the account has a phone and the
	// template a text for it.
	sms bool
	// receipt: the request's registration receipt is attached to the mail.
	receipt bool
}

// kinds lists the event types notify handles. Adding one is a line here,
// its templates, and its Trigger in k8s/base/functions/notify/triggers.yaml.
func kinds() map[string]kind {
	citizen := func(template string) kind {
		return kind{template: template, to: applicant, inApp: true, sms: true}
	}
	registered := citizen("request-registered")
	registered.receipt = true
	return map[string]kind{
		events.TypeAccountVerificationRequested:  {template: "account-verification", to: accountHolder},
		events.TypeAccountPasswordResetRequested: {template: "password-reset", to: accountHolder},
		events.TypeRequestRegistered:             registered,
		events.TypeRequestInfoRequested:          citizen("request-info-requested"),
		events.TypeRequestExtended:               citizen("request-extended"),
		events.TypeRequestResolved:               citizen("request-resolved"),
		events.TypeRequestRejected:               citizen("request-rejected"),
		events.TypeRequestForwarded:              citizen("request-forwarded"),
		events.TypeRequestFiled:                  citizen("request-filed"),
		events.TypeRequestAssigned:               {template: "request-assigned", to: assignee, inApp: true},
		events.TypeRequestDeadlineApproaching:    {template: "request-deadline-approaching", to: assignee, inApp: true},
	}
}

// aboutRequest reports whether events of the kind describe a request
// (their data is requests.EventData).
func (k kind) aboutRequest() bool { return k.to != accountHolder }

// notificationKind is how an in-app notification names its event type: the
// type without the platform's prefix, "request.registered".
func notificationKind(eventType string) string {
	return strings.TrimPrefix(eventType, "ro.ghiseu.")
}
