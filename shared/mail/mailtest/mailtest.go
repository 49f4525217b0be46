// Package mailtest reads, in tests, what was mailed to the Mailpit that
// `make test` starts (TEST_SMTP_ADDR, TEST_MAILPIT_URL), through Mailpit's
// HTTP API.
package mailtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/poll"
)

// Mailpit is the test mail server.
type Mailpit struct {
	t testing.TB
	// SMTPAddr is where to send mail, host:port.
	SMTPAddr string
	// URL is the base of its HTTP API.
	URL string
}

// New returns the Mailpit of the test run. Without one the test fails: the
// tests run against the real stack, never skip it.
func New(t testing.TB) *Mailpit {
	t.Helper()
	addr, base := os.Getenv("TEST_SMTP_ADDR"), os.Getenv("TEST_MAILPIT_URL")
	if addr == "" || base == "" {
		t.Fatal("TEST_SMTP_ADDR or TEST_MAILPIT_URL is not set: run the tests with `make test`, which starts Mailpit")
	}
	return &Mailpit{t: t, SMTPAddr: addr, URL: strings.TrimSuffix(base, "/")}
}

// Address is a mail address as Mailpit reports it.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Message is a stored message, as GET /api/v1/message/{ID} returns it.
type Message struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
	Text      string    `json:"Text"`
	HTML      string    `json:"HTML"`
	// Attachments are the message's attached files; Part fetches one.
	Attachments []Attachment `json:"Attachments"`
}

// Attachment describes an attached file, as Mailpit reports it.
type Attachment struct {
	PartID      string `json:"PartID"`
	FileName    string `json:"FileName"`
	ContentType string `json:"ContentType"`
	Size        int64  `json:"Size"`
}

// UniqueAddress returns an address no other test mails, so that a test
// finds its own mail among everything the shared Mailpit holds.
func UniqueAddress(prefix string) string {
	return fmt.Sprintf("%s.%d@example.ro", prefix, time.Now().UnixNano())
}

// MessagesTo returns the messages sent to addr, newest first, in full.
func (m *Mailpit) MessagesTo(addr string) []Message {
	m.t.Helper()
	var list struct {
		Messages []struct {
			ID string    `json:"ID"`
			To []Address `json:"To"`
		} `json:"messages"`
	}
	m.get("/api/v1/search?query="+url.QueryEscape(fmt.Sprintf("to:%q", addr)), &list)
	var out []Message
	for _, s := range list.Messages {
		// The search matches substrings; keep exact recipients only.
		for _, to := range s.To {
			if strings.EqualFold(to.Address, addr) {
				out = append(out, m.Message(s.ID))
				break
			}
		}
	}
	return out
}

// WaitForMessagesTo waits until n messages were sent to addr and returns
// them, newest first.
func (m *Mailpit) WaitForMessagesTo(addr string, n int) []Message {
	m.t.Helper()
	var msgs []Message
	poll.Until(m.t, 10*time.Second, fmt.Sprintf("%d messages to %s", n, addr), func() bool {
		msgs = m.MessagesTo(addr)
		return len(msgs) >= n
	})
	return msgs
}

// Message returns the message with Mailpit's id.
func (m *Mailpit) Message(id string) Message {
	m.t.Helper()
	var msg Message
	m.get("/api/v1/message/"+url.PathEscape(id), &msg)
	return msg
}

// Headers returns the headers of the message with Mailpit's id.
func (m *Mailpit) Headers(id string) map[string][]string {
	m.t.Helper()
	h := map[string][]string{}
	m.get("/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// Part returns the bytes of the part partID (an attachment's PartID) of the
// message with Mailpit's id.
func (m *Mailpit) Part(id, partID string) []byte {
	m.t.Helper()
	resp, err := http.Get(m.URL + "/api/v1/message/" + url.PathEscape(id) + "/part/" + url.PathEscape(partID))
	if err != nil {
		m.t.Fatalf("mailpit: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("mailpit: part %s of %s: %s", partID, id, resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		m.t.Fatalf("mailpit: part %s of %s: %v", partID, id, err)
	}
	return b
}

func (m *Mailpit) get(path string, v any) {
	m.t.Helper()
	resp, err := http.Get(m.URL + path)
	if err != nil {
		m.t.Fatalf("mailpit: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("mailpit: GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		m.t.Fatalf("mailpit: GET %s: %v", path, err)
	}
}
