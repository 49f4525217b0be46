package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ghiseu/ghiseu/shared/httpapi/openapitest"
	"github.com/ghiseu/ghiseu/shared/poll"
)

// apiClient calls the platform's HTTP API as one caller: a browser (with a
// cookie jar) or an API client (with a bearer token). Every response is
// checked against the OpenAPI document.
type apiClient struct {
	t      *testing.T
	base   string
	http   *http.Client
	bearer string
	// ip is sent as X-Forwarded-For, as the gateway would, to act from
	// different addresses.
	ip string
}

func newBrowser(t *testing.T, base string) *apiClient {
	jar, _ := cookiejar.New(nil)
	return &apiClient{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}, ip: "198.51.100.7"}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d %s: %v", r.status, r.body, err)
	}
}

func (r response) problemCode() string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(r.body, &p)
	return p.Code
}

func (c *apiClient) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.ip != "" {
		req.Header.Set("X-Forwarded-For", c.ip)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	openapitest.Check(c.t, req, resp)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want fails unless r has status.
func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// mailpit reads what the platform mailed.
type mailpit struct {
	t    *testing.T
	base string
}

func newMailpit(t *testing.T) *mailpit {
	u := os.Getenv("TEST_MAILPIT_URL")
	if u == "" {
		t.Fatal("TEST_MAILPIT_URL is not set: run the tests with `make test`")
	}
	return &mailpit{t: t, base: u}
}

type mailMessage struct {
	ID          string           `json:"ID"`
	Subject     string           `json:"Subject"`
	Text        string           `json:"Text"`
	Attachments []mailAttachment `json:"Attachments"`
}

type mailAttachment struct {
	FileName    string `json:"FileName"`
	ContentType string `json:"ContentType"`
	Size        int64  `json:"Size"`
}

// messagesTo returns the messages sent to addr, newest first.
func (m *mailpit) messagesTo(addr string) []mailMessage {
	m.t.Helper()
	resp, err := http.Get(m.base + "/api/v1/search?query=" + url.QueryEscape(fmt.Sprintf("to:%q", addr)))
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	// The search lists summaries (attachments as a count); each message
	// is then read whole.
	var list struct {
		Messages []struct {
			ID string `json:"ID"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		m.t.Fatal(err)
	}
	msgs := make([]mailMessage, len(list.Messages))
	for i, msg := range list.Messages {
		r, err := http.Get(m.base + "/api/v1/message/" + msg.ID)
		if err != nil {
			m.t.Fatal(err)
		}
		_ = json.NewDecoder(r.Body).Decode(&msgs[i])
		r.Body.Close()
	}
	return msgs
}

var linkToken = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// waitForLink waits for the n-th mail to addr and returns its link's token.
func (m *mailpit) waitForLink(addr string, n int) string {
	m.t.Helper()
	var msgs []mailMessage
	poll.Until(m.t, 60*time.Second, fmt.Sprintf("mail %d to %s", n, addr), func() bool {
		msgs = m.messagesTo(addr)
		return len(msgs) >= n
	})
	match := linkToken.FindStringSubmatch(msgs[0].Text)
	if match == nil {
		m.t.Fatalf("mail %q has no link with a token:\n%s", msgs[0].Subject, msgs[0].Text)
	}
	return match[1]
}

func uniqueEmail(prefix string) string {
	return fmt.Sprintf("%s.%d@example.ro", prefix, time.Now().UnixNano())
}

func hasCookie(h http.Header, name string) bool {
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") && !strings.Contains(c, "Max-Age=0") {
			return true
		}
	}
	return false
}
