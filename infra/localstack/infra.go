package localstack

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"filippo.io/age"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Ports are the loopback ports of the backing services.
type Ports struct {
	Postgres, S3, SMTP, MailUI int
}

// Infra is the backing services: PostgreSQL, S3 and SMTP.
type Infra struct {
	// Dir holds every service's data and the generated secrets; reusing it
	// reuses the data.
	Dir    string
	BinDir string // where `make tools` put versitygw and mailpit
	Ports  Ports
	Log    io.Writer
	// DatabaseURL, if set, is an existing server's superuser (or owner) URL,
	// used instead of a private cluster.
	DatabaseURL string

	Secrets Secrets
	pg      *Postgres
	s3      *S3Server
	mail    *Mailpit
}

// Start starts every service, generating secrets on first use. On error the
// services already started are stopped.
func (in *Infra) Start(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			in.Stop()
		}
	}()
	if err := os.MkdirAll(in.Dir, 0o755); err != nil {
		return err
	}
	if in.Secrets, err = LoadSecrets(filepath.Join(in.Dir, "secrets.env")); err != nil {
		return err
	}
	if in.DatabaseURL == "" {
		in.pg = &Postgres{DataDir: filepath.Join(in.Dir, "postgres"), Port: in.Ports.Postgres, Password: in.Secrets["POSTGRES_PASSWORD"], Log: in.Log}
		if err := in.pg.Start(ctx); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
	}
	vgw, err := ToolPath(in.BinDir, "versitygw")
	if err != nil {
		return err
	}
	in.s3 = &S3Server{Bin: vgw, DataDir: filepath.Join(in.Dir, "s3"), Port: in.Ports.S3,
		AccessKey: in.Secrets["S3_ACCESS_KEY_ID"], SecretKey: in.Secrets["S3_SECRET_ACCESS_KEY"], Log: in.Log}
	if err := in.s3.Start(ctx); err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	mp, err := ToolPath(in.BinDir, "mailpit")
	if err != nil {
		return err
	}
	in.mail = &Mailpit{Bin: mp, DataDir: filepath.Join(in.Dir, "mail"), SMTPPort: in.Ports.SMTP, UIPort: in.Ports.MailUI, Log: in.Log}
	if err := in.mail.Start(ctx); err != nil {
		return fmt.Errorf("mailpit: %w", err)
	}
	return nil
}

// AdminURL connects to database name with rights to migrate and create roles.
func (in *Infra) AdminURL(name string) string {
	if in.DatabaseURL != "" {
		return in.DatabaseURL
	}
	return in.pg.SuperuserURL(name)
}

// S3Endpoint is the S3 server's URL.
func (in *Infra) S3Endpoint() string { return in.s3.Endpoint() }

// SMTPAddr is the SMTP catcher's address.
func (in *Infra) SMTPAddr() string { return in.mail.SMTPAddr() }

// MailURL is the SMTP catcher's web UI and API.
func (in *Infra) MailURL() string { return in.mail.URL() }

// Stop stops the services, PostgreSQL last.
func (in *Infra) Stop() error {
	var errs []error
	if in.mail != nil {
		errs = append(errs, in.mail.Stop())
	}
	if in.s3 != nil {
		errs = append(errs, in.s3.Stop())
	}
	if in.pg != nil {
		errs = append(errs, in.pg.Stop())
	}
	return errors.Join(errs...)
}

// Secrets are the local stack's generated credentials, kept in a file beside
// the data (git-ignored) so a second run can open the same data.
type Secrets map[string]string

// secretGenerators make each generated secret in the form its user reads.
func secretGenerators() map[string]func() string {
	return map[string]func() string{
		"POSTGRES_PASSWORD":    randomToken,
		"APP_DB_PASSWORD":      randomToken,
		"S3_ACCESS_KEY_ID":     randomToken,
		"S3_SECRET_ACCESS_KEY": randomToken,
		// A key ring of one AES-256 key (shared/pii), and the blind-index key.
		"PII_KEYS":      func() string { return "1:" + randomKey() },
		"PII_INDEX_KEY": randomKey,
		// The demo accounts' password (infra/seed), shown when make run starts.
		"DEMO_PASSWORD": randomToken,
		// The age key the local backups are encrypted to (nightly-backup has
		// its public half; make restore reads this, the private one).
		"BACKUP_AGE_IDENTITY": newAgeIdentity,
	}
}

// LoadSecrets reads path, generating and saving any secret it lacks.
func LoadSecrets(path string) (Secrets, error) {
	s, err := readEnvFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		s = Secrets{}
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	changed := false
	for k, generate := range secretGenerators() {
		if s[k] == "" {
			s[k] = generate()
			changed = true
		}
	}
	if !changed {
		return s, nil
	}
	var b strings.Builder
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, s[k])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return nil, fmt.Errorf("save secrets: %w", err)
	}
	return s, nil
}

func randomKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func newAgeIdentity() string {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		panic(err) // the kernel's random source does not fail
	}
	return id.String()
}

func randomToken() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the kernel's random source does not fail
	}
	return hex.EncodeToString(b)
}

// Getenv returns the environment variable key or, when it is unset, the value
// that a running `make run` recorded in <data>/stack.env, so operator
// commands beside the local stack need no setup. data defaults to .local in
// the current directory, or $GHISEU_DATA.
func Getenv(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	data := os.Getenv("GHISEU_DATA")
	if data == "" {
		data = ".local"
	}
	s, err := readEnvFile(filepath.Join(data, "stack.env"))
	if err != nil {
		return ""
	}
	return s[key]
}

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	return out, sc.Err()
}
