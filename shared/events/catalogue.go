// Package events is the platform's eventing: the catalogue of event types and
// their JSON Schemas, the transactional outbox that publishes them, and the
// inbox that makes consumers idempotent.
package events

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Event types of the platform. The data of each is described by a JSON Schema
// in schemas/, versioned by file name (<type>.v<N>.json); the schema's $id is
// the event's dataschema.
const (
	TypeEventDeadLettered             = "ro.ghiseu.event.deadlettered"
	TypeAccountRegistered             = "ro.ghiseu.account.registered"
	TypeAccountVerificationRequested  = "ro.ghiseu.account.verification.requested"
	TypeAccountPasswordResetRequested = "ro.ghiseu.account.password.reset.requested"
	TypeAccountInvited                = "ro.ghiseu.account.invited"
	TypeAccountClosed                 = "ro.ghiseu.account.closed"

	TypeInstitutionCreated   = "ro.ghiseu.institution.created"
	TypeInstitutionUpdated   = "ro.ghiseu.institution.updated"
	TypeDepartmentCreated    = "ro.ghiseu.institution.department.created"
	TypeDepartmentUpdated    = "ro.ghiseu.institution.department.updated"
	TypeDepartmentDeleted    = "ro.ghiseu.institution.department.deleted"
	TypeMachineClientRotated = "ro.ghiseu.institution.machineclient.rotated"
	TypeMachineClientClosed  = "ro.ghiseu.institution.machineclient.closed"

	TypeRoleAssignmentRequested = "ro.ghiseu.role.assignment.requested"
	TypeRoleAssignmentRefused   = "ro.ghiseu.role.assignment.refused"
	TypeRoleAssigned            = "ro.ghiseu.role.assigned"
	TypeRoleRevoked             = "ro.ghiseu.role.revoked"
)

// Registry events.
const (
	TypeDocumentReceived   = "ro.ghiseu.document.received"
	TypeDocumentRegistered = "ro.ghiseu.document.registered"
	TypeDocumentAnnulled   = "ro.ghiseu.document.annulled"
)

// Filing plan events.
const (
	TypeFilingFileCreated = "ro.ghiseu.filingplan.file.created"
	TypeFilingFileUpdated = "ro.ghiseu.filingplan.file.updated"
	TypeFilingFileClosed  = "ro.ghiseu.filingplan.file.closed"
)

// Request events: one per change of a citizen request's status (see
// package requests); each names the history row it announces.
const (
	TypeRequestSubmitted           = "ro.ghiseu.request.submitted"
	TypeRequestRegistered          = "ro.ghiseu.request.registered"
	TypeRequestAssigned            = "ro.ghiseu.request.assigned"
	TypeRequestStarted             = "ro.ghiseu.request.started"
	TypeRequestInfoRequested       = "ro.ghiseu.request.info.requested"
	TypeRequestInfoProvided        = "ro.ghiseu.request.info.provided"
	TypeRequestExtended            = "ro.ghiseu.request.extended"
	TypeRequestResolved            = "ro.ghiseu.request.resolved"
	TypeRequestRejected            = "ro.ghiseu.request.rejected"
	TypeRequestFiled               = "ro.ghiseu.request.filed"
	TypeRequestForwarded           = "ro.ghiseu.request.forwarded"
	TypeRequestDeadlineApproaching = "ro.ghiseu.request.deadline.approaching"
)

// Backup events (platform events: no institution).
const (
	TypeBackupRequested = "ro.ghiseu.backup.requested"
	TypeBackupCompleted = "ro.ghiseu.backup.completed"
	TypeBackupFailed    = "ro.ghiseu.backup.failed"
	TypeFixityChecked   = "ro.ghiseu.fixity.checked"
	TypeFixityRequested = "ro.ghiseu.fixity.requested"
)

// ExtInstitution is the CloudEvents extension attribute carrying the tenant.
const ExtInstitution = "institutionid"

//go:embed schemas/*.json
var schemaFiles embed.FS

// Catalogue knows every event type and validates event data against its schema.
type Catalogue struct {
	schemas map[string]*schemaEntry // by dataschema URI
	latest  map[string]*schemaEntry // by type
}

type schemaEntry struct {
	eventType string
	version   int
	uri       string
	schema    *jsonschema.Schema
}

var schemaFileName = regexp.MustCompile(`^([a-z0-9.]+)\.v([0-9]+)\.json$`)

// Platform is the catalogue of the platform's own event types.
func Platform() (*Catalogue, error) {
	sub, err := fs.Sub(schemaFiles, "schemas")
	if err != nil {
		return nil, err
	}
	return LoadCatalogue(sub)
}

// LoadCatalogue compiles every <type>.v<N>.json schema at the top of fsys.
func LoadCatalogue(fsys fs.FS) (*Catalogue, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	c := &Catalogue{schemas: map[string]*schemaEntry{}, latest: map[string]*schemaEntry{}}
	comp := jsonschema.NewCompiler()
	comp.AssertFormat()
	var entries []*schemaEntry
	for _, name := range names {
		m := schemaFileName.FindStringSubmatch(path.Base(name))
		if m == nil {
			return nil, fmt.Errorf("event schema %s: name must be <type>.v<N>.json", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("event schema %s: %w", name, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			return nil, fmt.Errorf("event schema %s: no $id (it becomes the events' dataschema)", name)
		}
		if err := comp.AddResource(id, doc); err != nil {
			return nil, fmt.Errorf("event schema %s: %w", name, err)
		}
		v, _ := strconv.Atoi(m[2])
		entries = append(entries, &schemaEntry{eventType: m[1], version: v, uri: id})
	}
	for _, e := range entries {
		if e.schema, err = comp.Compile(e.uri); err != nil {
			return nil, fmt.Errorf("event schema %s: %w", e.uri, err)
		}
		c.schemas[e.uri] = e
		if cur := c.latest[e.eventType]; cur == nil || e.version > cur.version {
			c.latest[e.eventType] = e
		}
	}
	return c, nil
}

// Types lists the catalogue's event types, sorted.
func (c *Catalogue) Types() []string {
	ts := make([]string, 0, len(c.latest))
	for t := range c.latest {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

// DataSchema is the URI of the newest schema of eventType.
func (c *Catalogue) DataSchema(eventType string) (string, bool) {
	e, ok := c.latest[eventType]
	if !ok {
		return "", false
	}
	return e.uri, true
}

// New builds a valid event of the newest version of eventType. institution
// is uuid.Nil for platform events.
func (c *Catalogue) New(eventType, source string, institution uuid.UUID, data any) (cloudevents.Event, error) {
	entry, ok := c.latest[eventType]
	if !ok {
		return cloudevents.Event{}, fmt.Errorf("event type %s is not in the catalogue", eventType)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return cloudevents.Event{}, err
	}
	e := cloudevents.NewEvent()
	e.SetID(id.String())
	e.SetType(eventType)
	e.SetSource(source)
	e.SetTime(time.Now().UTC())
	e.SetDataSchema(entry.uri)
	if institution != uuid.Nil {
		e.SetExtension(ExtInstitution, institution.String())
	}
	if err := e.SetData(cloudevents.ApplicationJSON, data); err != nil {
		return cloudevents.Event{}, fmt.Errorf("event %s data: %w", eventType, err)
	}
	if err := c.Validate(e); err != nil {
		return cloudevents.Event{}, err
	}
	return e, nil
}

// Validate checks e's envelope and, for a type in the catalogue, its data
// against the schema its dataschema names (the newest when it names none).
// Types the catalogue does not know (a PingSource's, another system's) are
// left to their consumer.
func (c *Catalogue) Validate(e cloudevents.Event) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("event %s: %w", e.ID(), err)
	}
	latest, known := c.latest[e.Type()]
	if !known {
		return nil
	}
	entry := latest
	if ds := e.DataSchema(); ds != "" {
		entry = c.schemas[ds]
		if entry == nil || entry.eventType != e.Type() {
			return fmt.Errorf("event %s: dataschema %s is not a schema of %s", e.ID(), ds, e.Type())
		}
	}
	if ct := e.DataContentType(); ct != "" && ct != cloudevents.ApplicationJSON {
		return fmt.Errorf("event %s: datacontenttype %q, want %s", e.ID(), ct, cloudevents.ApplicationJSON)
	}
	if ext, ok := e.Extensions()[ExtInstitution]; ok {
		s, _ := ext.(string)
		if _, err := uuid.Parse(s); err != nil {
			return fmt.Errorf("event %s: extension %s %q is not a UUID", e.ID(), ExtInstitution, s)
		}
	}
	var data any
	if err := json.Unmarshal(e.Data(), &data); err != nil {
		return fmt.Errorf("event %s: data is not JSON: %w", e.ID(), err)
	}
	if err := entry.schema.Validate(data); err != nil {
		return fmt.Errorf("event %s data does not match %s: %w", e.ID(), entry.uri, err)
	}
	return nil
}

// Institution is the tenant an event belongs to, or uuid.Nil for none.
func Institution(e cloudevents.Event) uuid.UUID {
	s, _ := e.Extensions()[ExtInstitution].(string)
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil
	}
	return id
}
