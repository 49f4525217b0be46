package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"net/netip"
	"time"

	"github.com/google/uuid"
)

// hashDomain starts every hashed message, so a change to the encoding below
// can be told apart by a new version instead of passing for tampering.
const hashDomain = "ghiseu.audit.v1\x00"

// row is one audit_log row exactly as stored. Pointers (and a nil slice)
// keep SQL NULL apart from empty values, so the hash covers what the table
// holds even where someone stored a NULL that Append never would.
type row struct {
	Institution uuid.UUID
	Seq         int64
	OccurredAt  *time.Time
	ActorID     *uuid.UUID
	ActorKind   *string
	OnBehalfOf  *uuid.UUID
	Action      *string
	ObjectType  *string
	ObjectID    *string
	IP          *netip.Prefix
	// Old and New are jsonb in its canonical text form (the server's output:
	// keys sorted, duplicates dropped, fixed spacing), as read back.
	Old, New *string
	Reason   *string
	PrevHash []byte
	Hash     []byte
}

// columns lists audit_log's columns in the order of row.dest. jsonb is read
// as text: its canonical form, which is what the hash covers.
const columns = `institution_id, seq, occurred_at, actor_id, actor_kind, on_behalf_of, action,
	object_type, object_id, ip, old_value::text, new_value::text, reason, prev_hash, hash`

func (r *row) dest() []any {
	return []any{&r.Institution, &r.Seq, &r.OccurredAt, &r.ActorID, &r.ActorKind, &r.OnBehalfOf, &r.Action,
		&r.ObjectType, &r.ObjectID, &r.IP, &r.Old, &r.New, &r.Reason, &r.PrevHash, &r.Hash}
}

// sum computes the row's hash: SHA-256 over hashDomain and then the previous
// hash and every other column in table order, each encoded as one byte (0
// for NULL, 1 for a value) and, for a value, its length as 8 bytes big-endian
// and its bytes. Every field delimits itself, so no two rows encode alike.
// Values are encoded independently of any session setting: uuids as their
// 16 bytes, seq as 8 bytes big-endian, occurred_at as UTC microseconds since
// the Unix epoch (8 bytes big-endian, two's complement), ip in Go's
// canonical text form, text and jsonb as their UTF-8 bytes.
func (r *row) sum() []byte {
	h := sha256.New()
	h.Write([]byte(hashDomain))
	writeBytes(h, r.PrevHash)
	writeBytes(h, r.Institution[:])
	writeBytes(h, binary.BigEndian.AppendUint64(nil, uint64(r.Seq)))
	if r.OccurredAt == nil {
		writeNull(h)
	} else {
		writeBytes(h, binary.BigEndian.AppendUint64(nil, uint64(r.OccurredAt.UnixMicro())))
	}
	writeUUID(h, r.ActorID)
	writeString(h, r.ActorKind)
	writeUUID(h, r.OnBehalfOf)
	writeString(h, r.Action)
	writeString(h, r.ObjectType)
	writeString(h, r.ObjectID)
	if r.IP == nil {
		writeNull(h)
	} else {
		writeBytes(h, []byte(ipString(*r.IP)))
	}
	writeString(h, r.Old)
	writeString(h, r.New)
	writeString(h, r.Reason)
	return h.Sum(nil)
}

func writeNull(h hash.Hash) { h.Write([]byte{0}) }

// writeBytes writes a value; nil is NULL, an empty non-nil slice is a value.
func writeBytes(h hash.Hash, b []byte) {
	if b == nil {
		writeNull(h)
		return
	}
	h.Write([]byte{1})
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
	h.Write(b)
}

func writeString(h hash.Hash, s *string) {
	if s == nil {
		writeNull(h)
		return
	}
	writeBytes(h, []byte(*s))
}

func writeUUID(h hash.Hash, id *uuid.UUID) {
	if id == nil {
		writeNull(h)
		return
	}
	writeBytes(h, id[:])
}

// ipString is the text form of an inet value, as PostgreSQL prints it: the
// bare address for a single host, address/bits otherwise.
func ipString(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}
