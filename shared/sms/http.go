package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// sendTimeout bounds one request to the provider.
const sendTimeout = 10 * time.Second

// HTTP sends through a provider's HTTP API: a POST of {"to", "text"} as
// JSON to its URL, with a bearer token and the message's key as
// Idempotency-Key. 2xx is sent; 4xx (but 408 and 429) is a refusal for
// good; anything else, a timeout or a network error may pass.
type HTTP struct {
	url    string
	token  string
	client *http.Client
}

// NewHTTP returns a sender posting to endpoint with token.
func NewHTTP(endpoint, token string) (*HTTP, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("SMS_URL %q is not an http(s) URL", endpoint)
	}
	if token == "" {
		return nil, errors.New("SMS_TOKEN is required with SMS_PROVIDER=http")
	}
	return &HTTP{url: endpoint, token: token, client: &http.Client{Timeout: sendTimeout}}, nil
}

// Send posts m. The error never holds the number or the text.
func (h *HTTP) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(struct {
		To   string `json:"to"`
		Text string `json:"text"`
	}{m.To, m.Text})
	if err != nil {
		return fmt.Errorf("sms: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.token)
	if m.Key != "" {
		req.Header.Set("Idempotency-Key", m.Key)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		// A *url.Error names the URL, never the body: safe to keep.
		return fmt.Errorf("sms: %w", err)
	}
	defer resp.Body.Close()
	// The provider's answer is not read: it may quote the number.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return nil
	case s == http.StatusRequestTimeout || s == http.StatusTooManyRequests:
		return fmt.Errorf("sms: provider answered %s", resp.Status)
	case s >= 400 && s < 500:
		return fmt.Errorf("%w: provider answered %s", ErrRejected, resp.Status)
	}
	return fmt.Errorf("sms: provider answered %s", resp.Status)
}
