package localstack

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// S3Server is versitygw serving a directory over the S3 API.
type S3Server struct {
	Bin       string // path to the versitygw binary
	DataDir   string
	Port      int
	AccessKey string
	SecretKey string
	Log       io.Writer

	proc *Process
}

// Endpoint is the server's URL.
func (s *S3Server) Endpoint() string { return "http://" + Addr(s.Port) }

// Start starts versitygw with its POSIX backend in DataDir.
func (s *S3Server) Start(ctx context.Context) error {
	if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
		return err
	}
	var err error
	s.proc, err = Start(Spec{
		Name: "versitygw", Path: s.Bin, Log: s.Log,
		Args: []string{"--access", s.AccessKey, "--secret", s.SecretKey, "--port", Addr(s.Port), "posix", s.DataDir},
	})
	if err != nil {
		return err
	}
	return s.proc.WaitTCP(ctx, Addr(s.Port))
}

// Stop stops the server.
func (s *S3Server) Stop() error { return stopProc(s.proc) }

// Mailpit catches every mail the platform sends and shows it in a web UI and API.
type Mailpit struct {
	Bin      string
	DataDir  string
	SMTPPort int
	UIPort   int
	Log      io.Writer

	proc *Process
}

// SMTPAddr is where the platform sends mail.
func (m *Mailpit) SMTPAddr() string { return Addr(m.SMTPPort) }

// URL is the web UI and API.
func (m *Mailpit) URL() string { return "http://" + Addr(m.UIPort) }

// Start starts Mailpit with its database in DataDir, so mail survives restarts.
func (m *Mailpit) Start(ctx context.Context) error {
	if err := os.MkdirAll(m.DataDir, 0o700); err != nil {
		return err
	}
	var err error
	m.proc, err = Start(Spec{
		Name: "mailpit", Path: m.Bin, Log: m.Log,
		Args: []string{"--smtp", Addr(m.SMTPPort), "--listen", Addr(m.UIPort),
			"--database", filepath.Join(m.DataDir, "mailpit.db"), "--disable-version-check",
			"--smtp-auth-accept-any", "--smtp-auth-allow-insecure"},
	})
	if err != nil {
		return err
	}
	if err := m.proc.WaitTCP(ctx, m.SMTPAddr()); err != nil {
		return err
	}
	return m.proc.WaitTCP(ctx, Addr(m.UIPort))
}

// Stop stops Mailpit.
func (m *Mailpit) Stop() error { return stopProc(m.proc) }

func stopProc(p *Process) error {
	if p == nil {
		return nil
	}
	return p.Stop(15 * time.Second)
}

// ToolPath is a binary the Makefile installed under binDir, with a clear
// error naming the make target when it is missing.
func ToolPath(binDir, name string) (string, error) {
	p := filepath.Join(binDir, name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s is not installed in %s: run `make tools`", name, binDir)
	}
	return p, nil
}
