package pii

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kelseyhightower/envconfig"
)

func newProtector(t testing.TB, keys, indexKey string) *Protector {
	t.Helper()
	p, err := New(KeysConfig{Keys: keys, IndexKey: indexKey})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func TestSealOpen(t *testing.T) {
	p := newProtector(t, "1:"+GenerateKey(), GenerateKey())
	for _, plain := range []string{"1920822296090", "", strings.Repeat("x", 100000)} {
		sealed, err := p.Seal([]byte(plain), "account.cnp:a1")
		if err != nil {
			t.Fatalf("Seal: %v", err)
		}
		if len(plain) > 0 && bytes.Contains(sealed, []byte(plain)) {
			t.Fatalf("sealed value contains the plaintext")
		}
		if sealed[0] != version || sealed[1] != 1 || len(sealed) != headerSize+nonceSize+len(plain)+tagSize {
			t.Fatalf("sealed layout: version %d, key %d, length %d", sealed[0], sealed[1], len(sealed))
		}
		got, err := p.Open(sealed, "account.cnp:a1")
		if err != nil || string(got) != plain {
			t.Fatalf("Open = %.20q, %v; want %.20q", got, err, plain)
		}
	}

	// The nonce is random: sealing twice gives two different values.
	a, _ := p.Seal([]byte("1920822296090"), "c")
	b, _ := p.Seal([]byte("1920822296090"), "c")
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same value are equal")
	}
}

func TestOpenWrongContext(t *testing.T) {
	p := newProtector(t, "1:"+GenerateKey(), GenerateKey())
	sealed, err := p.Seal([]byte("1920822296090"), "account.cnp:a1")
	if err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []string{"account.cnp:a2", "account.cnp:a1 ", "", "account.totp:a1"} {
		if _, err := p.Open(sealed, ctx); !errors.Is(err, ErrCannotOpen) {
			t.Errorf("Open under context %q: %v, want ErrCannotOpen", ctx, err)
		}
	}
}

func TestOpenTampered(t *testing.T) {
	p := newProtector(t, "1:"+GenerateKey()+",2:"+GenerateKey(), GenerateKey())
	sealed, err := p.Seal([]byte("1920822296090"), "ctx")
	if err != nil {
		t.Fatal(err)
	}
	// Every bit of every byte, header included, is authenticated.
	for i := range sealed {
		for bit := range 8 {
			bad := bytes.Clone(sealed)
			bad[i] ^= 1 << bit
			if got, err := p.Open(bad, "ctx"); !errors.Is(err, ErrCannotOpen) || got != nil {
				t.Fatalf("Open with byte %d bit %d flipped: %q, %v; want ErrCannotOpen", i, bit, got, err)
			}
		}
	}
	for n := range len(sealed) {
		if _, err := p.Open(sealed[:n], "ctx"); !errors.Is(err, ErrCannotOpen) {
			t.Fatalf("Open of the first %d bytes: %v, want ErrCannotOpen", n, err)
		}
	}
	if _, err := p.Open(append(bytes.Clone(sealed), 0), "ctx"); !errors.Is(err, ErrCannotOpen) {
		t.Fatalf("Open with a byte appended: %v, want ErrCannotOpen", err)
	}
	if _, err := p.Open(nil, "ctx"); !errors.Is(err, ErrCannotOpen) {
		t.Fatalf("Open(nil): %v, want ErrCannotOpen", err)
	}
}

func TestKeyRotation(t *testing.T) {
	k1, k2, ik := GenerateKey(), GenerateKey(), GenerateKey()
	old := newProtector(t, "1:"+k1, ik)
	sealedOld, err := old.Seal([]byte("1920822296090"), "ctx")
	if err != nil {
		t.Fatal(err)
	}

	// A new key with a higher id, in any order in the ring: the old key still
	// opens, and the new one seals.
	rotated := newProtector(t, " 2:"+k2+" , 1:"+k1+" ", ik)
	if got, err := rotated.Open(sealedOld, "ctx"); err != nil || string(got) != "1920822296090" {
		t.Fatalf("Open of a value sealed with key 1: %q, %v", got, err)
	}
	sealedNew, err := rotated.Seal([]byte("1920822296090"), "ctx")
	if err != nil {
		t.Fatal(err)
	}
	if sealedNew[1] != 2 {
		t.Fatalf("Seal used key id %d, want 2", sealedNew[1])
	}
	if _, err := old.Open(sealedNew, "ctx"); !errors.Is(err, ErrCannotOpen) {
		t.Fatalf("a ring without key 2 opened a value sealed with it: %v", err)
	}

	// Rotate re-seals the old value with key 2, under the same context.
	again, changed, err := rotated.Rotate(sealedOld, "ctx")
	if err != nil || !changed || again[1] != 2 {
		t.Fatalf("Rotate of a key-1 value = key %d, %v, %v; want key 2, true, nil", again[1], changed, err)
	}
	if got, err := rotated.Open(again, "ctx"); err != nil || string(got) != "1920822296090" {
		t.Fatalf("Open after Rotate: %q, %v", got, err)
	}
	// Once the old key is dropped, the rotated value still opens.
	onlyNew := newProtector(t, "2:"+k2, ik)
	if _, err := onlyNew.Open(again, "ctx"); err != nil {
		t.Fatalf("Open with key 1 dropped: %v", err)
	}
	if _, err := onlyNew.Open(sealedOld, "ctx"); !errors.Is(err, ErrCannotOpen) {
		t.Fatalf("Open of a key-1 value with key 1 dropped: %v, want ErrCannotOpen", err)
	}

	// A value already under the newest key is left as it is.
	same, changed, err := rotated.Rotate(sealedNew, "ctx")
	if err != nil || changed || !bytes.Equal(same, sealedNew) {
		t.Fatalf("Rotate of a key-2 value: changed %v, %v; want it unchanged", changed, err)
	}
	// A value that does not open is reported, not carried along.
	if _, _, err := rotated.Rotate(sealedOld, "other"); !errors.Is(err, ErrCannotOpen) {
		t.Fatalf("Rotate under a wrong context: %v, want ErrCannotOpen", err)
	}
}

func TestIndex(t *testing.T) {
	ik := GenerateKey()
	p := newProtector(t, "1:"+GenerateKey(), ik)
	a := p.Index("cnp", "1920822296090")
	if len(a) != 32 {
		t.Fatalf("Index is %d bytes, want 32", len(a))
	}
	// Deterministic, also across processes sharing the key, and independent of
	// the encryption keys (which rotate).
	if !bytes.Equal(a, p.Index("cnp", "1920822296090")) ||
		!bytes.Equal(a, newProtector(t, "7:"+GenerateKey(), ik).Index("cnp", "1920822296090")) {
		t.Fatal("Index is not deterministic")
	}
	different := map[string][]byte{
		"another value":     p.Index("cnp", "2850315123457"),
		"another kind":      p.Index("cui", "1920822296090"),
		"kind/value split":  p.Index("cnp1", "920822296090"),
		"another index key": newProtector(t, "1:"+GenerateKey(), GenerateKey()).Index("cnp", "1920822296090"),
	}
	for name, b := range different {
		if bytes.Equal(a, b) {
			t.Errorf("%s gives the same index", name)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	good, ik := GenerateKey(), GenerateKey()
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	secret := "c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LW11c3Qtbm90LWxlYWs" // no padding: not valid StdEncoding
	tests := []struct {
		name, keys, indexKey, want string
	}{
		{"empty ring", "", ik, "PII_KEYS"},
		{"missing id", good, ik, "PII_KEYS: entry 1 has no key id"},
		{"empty id", ":" + good, ik, "PII_KEYS: entry 1 has no key id"},
		{"id not a number", "one:" + good, ik, "PII_KEYS: entry 1: the key id"},
		{"id 0", "0:" + good, ik, "PII_KEYS: entry 1: the key id"},
		{"id 256", "256:" + good, ik, "PII_KEYS: entry 1: the key id"},
		{"bad base64", "1:" + good + ",2:" + secret, ik, "PII_KEYS: entry 2 (key id 2): the key is not valid standard base64"},
		{"empty key", "1:", ik, "PII_KEYS: entry 1 (key id 1): the key is empty"},
		{"wrong key length", "1:" + short, ik, "PII_KEYS: entry 1 (key id 1): the key is 16 bytes, want 32"},
		{"duplicate id", "1:" + good + ",1:" + GenerateKey(), ik, "PII_KEYS: entry 2: key id 1 appears twice"},
		{"trailing comma", "1:" + good + ",", ik, "PII_KEYS: entry 2 has no key id"},
		{"index key missing", "1:" + good, "", "PII_INDEX_KEY: the key is empty"},
		{"index key bad base64", "1:" + good, secret, "PII_INDEX_KEY: the key is not valid standard base64"},
		{"index key wrong length", "1:" + good, short, "PII_INDEX_KEY: the key is 16 bytes"},
		{"index key reused", "1:" + good, good, "PII_INDEX_KEY must differ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(KeysConfig{Keys: tt.keys, IndexKey: tt.indexKey})
			if err == nil || p != nil {
				t.Fatalf("New = %v, %v; want an error", p, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
			for _, key := range []string{good, secret, short, ik} {
				if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), key[:8]) {
					t.Fatalf("error %q contains key material", err)
				}
			}
		})
	}
}

// TestConfigEnv checks the envconfig tags, which deployments rely on.
func TestConfigEnv(t *testing.T) {
	keys, ik := "1:"+GenerateKey()+",2:"+GenerateKey(), GenerateKey()
	t.Setenv("PII_KEYS", keys)
	t.Setenv("PII_INDEX_KEY", ik)
	var cfg KeysConfig
	if err := envconfig.Process("", &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Keys != keys || cfg.IndexKey != ik {
		t.Fatalf("envconfig read %d and %d bytes, want the variables", len(cfg.Keys), len(cfg.IndexKey))
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.current != 2 {
		t.Fatalf("sealing key id %d, want 2", p.current)
	}

	os.Unsetenv("PII_KEYS") // t.Setenv above restores it after the test
	if err := envconfig.Process("", &cfg); err == nil || !strings.Contains(err.Error(), "PII_KEYS") {
		t.Fatalf("envconfig without PII_KEYS: %v, want an error naming it", err)
	}
	// envconfig takes a variable set to "" as present; New refuses it.
	if _, err := New(KeysConfig{Keys: "", IndexKey: ik}); err == nil || !strings.Contains(err.Error(), "PII_KEYS") {
		t.Fatalf("New with PII_KEYS empty: %v, want an error naming it", err)
	}
}

func TestNoKeyMaterialPrinted(t *testing.T) {
	k, ik := GenerateKey(), GenerateKey()
	p := newProtector(t, "1:"+k+",3:"+GenerateKey(), ik)
	holder := struct{ P *Protector }{p}
	for _, out := range []string{fmt.Sprint(p), fmt.Sprintf("%+v", p), fmt.Sprintf("%#v", p), fmt.Sprintf("%+v", holder)} {
		if out != "pii.Protector{keys: [1 3], sealing: 3}" && !strings.Contains(out, "{P:pii.Protector{keys: [1 3], sealing: 3}}") {
			t.Errorf("printed as %q", out)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	a, b := GenerateKey(), GenerateKey()
	raw, err := base64.StdEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 || a == b {
		t.Fatalf("GenerateKey = %q (%d bytes, %v), then %q", a, len(raw), err, b)
	}
}

// FuzzOpen checks that no input makes Open panic or open without the key.
func FuzzOpen(f *testing.F) {
	p := newProtector(f, "1:"+GenerateKey()+",2:"+GenerateKey(), GenerateKey())
	sealed, err := p.Seal([]byte("1920822296090"), "ctx")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed, "ctx")
	f.Add([]byte{}, "")
	f.Add([]byte{version, 1}, "ctx")
	f.Add([]byte{version, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "ctx")
	f.Fuzz(func(t *testing.T, b []byte, ctx string) {
		got, err := p.Open(b, ctx)
		if err != nil {
			if !errors.Is(err, ErrCannotOpen) || got != nil {
				t.Fatalf("Open = %q, %v; want nil, ErrCannotOpen", got, err)
			}
			return
		}
		// Only the one value sealed above can open.
		if !bytes.Equal(b, sealed) || ctx != "ctx" || string(got) != "1920822296090" {
			t.Fatalf("Open(%x, %q) = %q", b, ctx, got)
		}
	})
}
