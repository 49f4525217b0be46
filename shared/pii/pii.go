// Package pii protects personal data at rest: values such as a CNP are stored
// sealed with AES-256-GCM and found through a keyed blind index, so that a
// copy of the database (a backup, a replica, a dump sent to support) does not
// reveal them.
//
// Sealed values are bound to a context naming where they are stored (for
// example "account.cnp:" + account id), so a value copied to another row or
// column does not open. Keys rotate: the key ring holds every key still needed
// to open old values, and the newest seals.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// KeysConfig is the key material, read with envconfig. The tags are the full
// variable names, so it works embedded or as a named field.
type KeysConfig struct {
	// Keys is the key ring: comma-separated id:key pairs, where id is a number
	// from 1 to 255 and key the standard base64 of 32 random bytes (see
	// GenerateKey). The highest id seals; every id opens. To rotate, add a key
	// with a higher id, re-seal the stored values (Rotate), then drop the old
	// key.
	Keys string `envconfig:"PII_KEYS" required:"true"`
	// IndexKey is the standard base64 of 32 random bytes, the key of the blind
	// index. It cannot rotate without recomputing every stored index.
	IndexKey string `envconfig:"PII_INDEX_KEY" required:"true"`
}

// ErrCannotOpen reports a sealed value that cannot be opened: sealed under
// another context, altered, truncated, or sealed with a key not in the ring.
// The reasons are not told apart, since telling them apart helps an attacker
// more than an operator.
var ErrCannotOpen = errors.New("pii: cannot open sealed value")

// Layout of a sealed value: version, key id, nonce, then ciphertext and tag.
const (
	version    = 1
	keySize    = 32 // AES-256
	headerSize = 2
	nonceSize  = 12 // the GCM standard nonce: 96 bits, random
	tagSize    = 16
)

// Protector seals, opens and indexes personal data. It is safe for concurrent
// use.
type Protector struct {
	aeads    map[byte]cipher.AEAD
	current  byte // the highest id in the ring, which seals
	indexKey []byte
}

// New checks the configuration and returns a Protector. Errors name the
// variable at fault and never contain key material.
func New(cfg KeysConfig) (*Protector, error) {
	keys, err := parseRing(cfg.Keys)
	if err != nil {
		return nil, fmt.Errorf("pii: PII_KEYS: %w", err)
	}
	indexKey, err := decodeKey(cfg.IndexKey)
	if err != nil {
		return nil, fmt.Errorf("pii: PII_INDEX_KEY: %w", err)
	}
	// One key for one purpose: an index key that also encrypts would tie the
	// safety of both uses to each other.
	for _, k := range keys {
		if hmac.Equal(k, indexKey) {
			return nil, errors.New("pii: PII_INDEX_KEY must differ from every key in PII_KEYS")
		}
	}

	p := &Protector{aeads: make(map[byte]cipher.AEAD, len(keys)), indexKey: indexKey}
	for id, k := range keys {
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("pii: PII_KEYS: key id %d: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("pii: PII_KEYS: key id %d: %w", id, err)
		}
		p.aeads[id] = aead
		p.current = max(p.current, id)
	}
	return p, nil
}

// parseRing parses "1:base64,2:base64". Its errors say which entry is wrong
// by position and id, never by content: an entry may be a key.
func parseRing(s string) (map[byte][]byte, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("is empty; want id:key pairs such as 1:<base64 of 32 bytes>")
	}
	keys := map[byte][]byte{}
	for i, entry := range strings.Split(s, ",") {
		n := i + 1
		idText, keyText, found := strings.Cut(strings.TrimSpace(entry), ":")
		idText, keyText = strings.TrimSpace(idText), strings.TrimSpace(keyText)
		if !found || idText == "" {
			return nil, fmt.Errorf("entry %d has no key id; want id:key", n)
		}
		id, err := strconv.ParseUint(idText, 10, 8)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("entry %d: the key id is not a number from 1 to 255", n)
		}
		if _, dup := keys[byte(id)]; dup {
			return nil, fmt.Errorf("entry %d: key id %d appears twice", n, id)
		}
		k, err := decodeKey(keyText)
		if err != nil {
			return nil, fmt.Errorf("entry %d (key id %d): %w", n, id, err)
		}
		keys[byte(id)] = k
	}
	return keys, nil
}

// decodeKey decodes a base64 key of keySize bytes. Its errors do not wrap the
// decoder's, to be sure no part of the input is repeated.
func decodeKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("the key is empty")
	}
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("the key is not valid standard base64")
	}
	if len(k) != keySize {
		return nil, fmt.Errorf("the key is %d bytes, want %d (the base64 of 32 random bytes)", len(k), keySize)
	}
	return k, nil
}

// GenerateKey returns the standard base64 of 32 bytes from crypto/rand: a
// fresh key for PII_KEYS or PII_INDEX_KEY.
func GenerateKey() string {
	k := make([]byte, keySize)
	// crypto/rand.Read never fails: it crashes the program instead if the
	// system cannot give random bytes.
	_, _ = rand.Read(k)
	return base64.StdEncoding.EncodeToString(k)
}

// String describes the ring without its keys, so that printing a Protector
// (or a struct holding one) shows no key material.
func (p *Protector) String() string {
	ids := make([]int, 0, len(p.aeads))
	for id := range p.aeads {
		ids = append(ids, int(id))
	}
	slices.Sort(ids)
	return fmt.Sprintf("pii.Protector{keys: %v, sealing: %d}", ids, p.current)
}

// GoString is String, for %#v.
func (p *Protector) GoString() string { return p.String() }

// Seal encrypts plaintext with the newest key. context names where the value
// is stored (table, column and row, such as "account.cnp:<account id>"); it
// is authenticated but not stored, and Open needs the same one.
func (p *Protector) Seal(plaintext []byte, context string) ([]byte, error) {
	aead := p.aeads[p.current]
	out := make([]byte, headerSize+nonceSize, headerSize+nonceSize+len(plaintext)+tagSize)
	out[0], out[1] = version, p.current
	nonce := out[headerSize:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("pii: seal: nonce: %w", err)
	}
	return aead.Seal(out, nonce, plaintext, additionalData(out[:headerSize], context)), nil
}

// Open decrypts a value sealed under the same context. Any failure is
// ErrCannotOpen.
func (p *Protector) Open(sealed []byte, context string) ([]byte, error) {
	_, plaintext, err := p.open(sealed, context)
	return plaintext, err
}

func (p *Protector) open(sealed []byte, context string) (keyID byte, plaintext []byte, err error) {
	if len(sealed) < headerSize+nonceSize+tagSize {
		return 0, nil, fmt.Errorf("%w: too short", ErrCannotOpen)
	}
	if sealed[0] != version {
		return 0, nil, fmt.Errorf("%w: unknown format version %d", ErrCannotOpen, sealed[0])
	}
	keyID = sealed[1]
	aead, ok := p.aeads[keyID]
	if !ok {
		return 0, nil, fmt.Errorf("%w: key id %d is not in PII_KEYS", ErrCannotOpen, keyID)
	}
	nonce := sealed[headerSize : headerSize+nonceSize]
	plaintext, err = aead.Open(nil, nonce, sealed[headerSize+nonceSize:], additionalData(sealed[:headerSize], context))
	if err != nil {
		// Wrong context, altered bytes or a different key with the same id.
		return 0, nil, ErrCannotOpen
	}
	return keyID, plaintext, nil
}

// additionalData authenticates the header with the context, so that neither
// the key id nor the version can be changed without Open noticing. The header
// has a fixed size, so the concatenation is unambiguous.
func additionalData(header []byte, context string) []byte {
	return append(append(make([]byte, 0, len(header)+len(context)), header...), context...)
}

// Rotate re-seals a value sealed with an older key using the newest one, and
// reports whether it did; a value already sealed with the newest key is
// returned as it is. It opens the value in both cases, so a value that cannot
// be opened is reported (ErrCannotOpen) rather than carried along.
func (p *Protector) Rotate(sealed []byte, context string) ([]byte, bool, error) {
	keyID, plaintext, err := p.open(sealed, context)
	if err != nil {
		return nil, false, err
	}
	if keyID == p.current {
		return sealed, false, nil
	}
	resealed, err := p.Seal(plaintext, context)
	if err != nil {
		return nil, false, err
	}
	return resealed, true, nil
}

// Index returns the blind index of value: HMAC-SHA-256 under the index key of
// kind, a NUL byte and value. Equal values of one kind have equal indexes, so
// a unique index on it keeps them unique and a lookup finds them, while the
// database never sees the value. kind (such as "cnp") keeps indexes of
// different kinds of data apart; it must not contain NUL.
//
// Normalise value first (nationalid.ParseCNP(...).String()): the index of a
// differently written value is different.
func (p *Protector) Index(kind, value string) []byte {
	mac := hmac.New(sha256.New, p.indexKey)
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(value))
	return mac.Sum(nil)
}
