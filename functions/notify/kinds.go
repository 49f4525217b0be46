package main

import (
	"encoding/json"
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
	// operators: whoever runs the platform, every active account holding
	// the kind's permission in a top-level institution (the platform's
	// events, backups and fixity, belong to no institution of their own).
	operators
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
	// permission is what operators hold.
	permission string
	// wanted, when set, says from the event's data whether it needs
	// telling at all: a backup that completed is news only when something
	// in it went wrong.
	wanted func(data []byte) (bool, error)
}

// kinds lists the event types notify handles. Adding one is a line here,
// its templates, its Trigger in k8s/base/functions/notify/triggers.yaml,
// and an event of it in links_test.go, which checks where its links go.
func kinds() map[string]kind {
	citizen := func(template string) kind {
		return kind{template: template, to: applicant, inApp: true, sms: true}
	}
	registered := citizen("request-registered")
	registered.receipt = true
	return map[string]kind{
		events.TypeAccountVerificationRequested:  {template: "account-verification", to: accountHolder},
		events.TypeAccountPasswordResetRequested: {template: "password-reset", to: accountHolder},
		events.TypeAccountInvited:                {template: "staff-invitation", to: accountHolder},
		events.TypeRequestRegistered:             registered,
		events.TypeRequestInfoRequested:          citizen("request-info-requested"),
		events.TypeRequestExtended:               citizen("request-extended"),
		events.TypeRequestResolved:               citizen("request-resolved"),
		events.TypeRequestRejected:               citizen("request-rejected"),
		events.TypeRequestForwarded:              citizen("request-forwarded"),
		events.TypeRequestFiled:                  citizen("request-filed"),
		events.TypeRequestAssigned:               {template: "request-assigned", to: assignee, inApp: true},
		events.TypeRequestDeadlineApproaching:    {template: "request-deadline-approaching", to: assignee, inApp: true},
		events.TypeBackupFailed:                  operator("backup-failed", nil),
		events.TypeBackupCompleted:               operator("backup-flawed", backupFlawed),
		events.TypeFixityChecked:                 operator("fixity-failed", fixityFailed),
	}
}

// operator is a kind that tells the platform's operators: the holders of
// backup.manage, who see the backups' status.
func operator(template string, wanted func([]byte) (bool, error)) kind {
	return kind{template: template, to: operators, permission: "backup.manage", inApp: true, sms: true, wanted: wanted}
}

// backupFlawed: a backup completed whose dump failed its verification
// restore or that found damaged documents to copy.
func backupFlawed(data []byte) (bool, error) {
	var d struct {
		Verified         *bool `json:"verified"`
		DamagedDocuments int   `json:"damagedDocuments"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return false, err
	}
	return (d.Verified != nil && !*d.Verified) || d.DamagedDocuments > 0, nil
}

// fixityFailed: the weekly check found a document changed or missing, or
// an audit chain broken.
func fixityFailed(data []byte) (bool, error) {
	var d struct {
		OK bool `json:"ok"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return false, err
	}
	return !d.OK, nil
}

// aboutRequest reports whether events of the kind describe a request
// (their data is requests.EventData).
func (k kind) aboutRequest() bool { return k.to == applicant || k.to == assignee }

// notificationKind is how an in-app notification names its event type: the
// type without the platform's prefix, "request.registered".
func notificationKind(eventType string) string {
	return strings.TrimPrefix(eventType, "ro.ghiseu.")
}
