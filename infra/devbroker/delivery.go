package devbroker

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudevents/sdk-go/v2/binding"
	"github.com/cloudevents/sdk-go/v2/event"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// Knative's dead-letter extensions: where delivery failed, with what status
// and response body.
const (
	errorDestExtension = "knativeerrordest"
	errorCodeExtension = "knativeerrorcode"
	errorDataExtension = "knativeerrordata"
	// maxErrorData is how much of a failed response's body is kept in
	// knativeerrordata (Knative keeps 1 KiB too).
	maxErrorData = 1024
)

// outcome is what one delivery attempt came to.
type outcome struct {
	status int    // HTTP status; 0 when there was no response
	body   []byte // the response body, when the subscriber failed
	err    error  // a transport error, or why a 2xx still failed (then status is 502)
	// permanent marks failures a retry cannot fix.
	permanent bool
}

// logAttrs describes the failure for a log line.
func (o outcome) logAttrs() []any {
	var attrs []any
	if o.status != 0 {
		attrs = append(attrs, "status", o.status)
	}
	if o.err != nil {
		attrs = append(attrs, "error", o.err.Error())
	}
	return attrs
}

func (o outcome) ok() bool { return o.err == nil && o.status/100 == 2 }

// retryable follows Knative's dispatcher: network errors and timeouts, 404
// (a subscriber still starting), 408, 409, 429 and 5xx are retried; other
// statuses mean the subscriber refuses the event for good.
func (o outcome) retryable() bool {
	if o.permanent {
		return false
	}
	switch {
	case o.status == 0, o.status >= 500:
		return true
	case o.status == http.StatusNotFound, o.status == http.StatusRequestTimeout,
		o.status == http.StatusConflict, o.status == http.StatusTooManyRequests:
		return true
	}
	return false
}

// backoff is the wait before retry n (1-based): delay*2^n (exponential) or
// delay*n (linear), as Knative computes it.
func (d Delivery) backoff(n int) time.Duration {
	if d.BackoffPolicy == BackoffLinear {
		return d.BackoffDelay * time.Duration(n)
	}
	return d.BackoffDelay * time.Duration(1<<min(n, 30))
}

// deliver sends one event to one subscriber with the route's retries, and
// to the dead-letter sink when every attempt failed.
func (b *Broker) deliver(ctx context.Context, j job) {
	r := j.route
	e := j.event.Clone()
	// Knative removes the TTL before delivery: it is the broker's business,
	// and a reply gets the decremented value of the event that caused it.
	e.SetExtension(ttlExtension, nil)
	log := b.log.With("trigger", r.trigger.Namespace+"/"+r.trigger.Name, "subscriber", r.subscriber,
		"event.id", e.ID(), "event.type", e.Type(), "event.source", e.Source())

	var last outcome
	attempts := 1 + r.delivery.Retry
	for n := 1; n <= attempts; n++ {
		if n > 1 && !sleep(ctx, r.delivery.backoff(n-1)) {
			break
		}
		if ctx.Err() != nil {
			break
		}
		last = b.attempt(ctx, r, e, j.ttl, log)
		if last.ok() {
			log.Debug("event delivered", "attempt", n)
			return
		}
		if !last.retryable() {
			log.Warn("event refused by subscriber; not retrying", append([]any{"attempt", n}, last.logAttrs()...)...)
			break
		}
		log.Warn("delivery attempt failed", append([]any{"attempt", n, "of", attempts}, last.logAttrs()...)...)
	}
	if ctx.Err() != nil {
		log.Error("event lost: broker shut down before it was delivered")
		return
	}
	b.deadLetter(ctx, r, e, last, log)
}

// attempt POSTs e in binary mode and takes in a reply event, if any.
func (b *Broker) attempt(ctx context.Context, r *route, e event.Event, ttl int32, log *slog.Logger) outcome {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	req, err := cehttp.NewHTTPRequestFromEvent(ctx, r.subscriber, e)
	if err != nil {
		return outcome{err: fmt.Errorf("build request: %w", err), permanent: true}
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return outcome{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEventBytes))
	if err != nil {
		return outcome{err: fmt.Errorf("read response: %w", err)}
	}
	if resp.StatusCode/100 != 2 {
		return outcome{status: resp.StatusCode, body: body}
	}
	if err := b.takeReply(r, resp.Header, body, ttl, log); err != nil {
		// Knative's broker answers its dispatcher 502 here, which retries.
		return outcome{status: http.StatusBadGateway, err: err}
	}
	return outcome{status: resp.StatusCode}
}

// takeReply puts a subscriber's reply event (binary headers or structured
// body) back into the Trigger's broker. A response that is not a CloudEvent
// is discarded, as in Knative; one that claims to be an event but is not
// valid fails the attempt, as Knative's 502 does.
func (b *Broker) takeReply(r *route, header http.Header, body []byte, ttl int32, log *slog.Logger) error {
	msg := cehttp.NewMessage(header, io.NopCloser(bytes.NewReader(body)))
	if msg.ReadEncoding() == binding.EncodingUnknown {
		return nil
	}
	reply, err := binding.ToEvent(context.Background(), msg)
	if err == nil {
		err = reply.Validate()
	}
	if err != nil {
		return fmt.Errorf("invalid reply event: %w", err)
	}
	ttl--
	if ttl <= 0 {
		log.Warn("reply dropped: knativebrokerttl exhausted (an event loop?)",
			"reply.id", reply.ID(), "reply.type", reply.Type(), "reply.source", reply.Source())
		return nil
	}
	reply.SetExtension(ttlExtension, ttl)
	if err := b.accept(b.routes[r.broker], *reply, ttl, false); err != nil {
		return fmt.Errorf("reply not accepted: %w", err)
	}
	log.Debug("reply accepted", "reply.id", reply.ID(), "reply.type", reply.Type())
	return nil
}

// deadLetter sends e, with Knative's error extensions, to the route's
// dead-letter sink. Whatever cannot go there is logged with enough to find
// it again.
func (b *Broker) deadLetter(ctx context.Context, r *route, e event.Event, last outcome, log *slog.Logger) {
	log = log.With(last.logAttrs()...)
	if r.deadLetter == "" {
		log.Error("event lost: delivery failed and the trigger has no dead-letter sink")
		return
	}
	e.SetExtension(errorDestExtension, r.subscriber)
	if last.status != 0 {
		e.SetExtension(errorCodeExtension, strconv.Itoa(last.status))
	}
	data := last.body
	if len(data) == 0 && last.err != nil {
		data = []byte(last.err.Error())
	}
	if len(data) > 0 {
		e.SetExtension(errorDataExtension, base64.StdEncoding.EncodeToString(data[:min(len(data), maxErrorData)]))
	}

	// The sink gets the Trigger's retries too: a dead-letter service that is
	// restarting must not turn a refused event into a lost one.
	var err error
	for n := 1; n <= 1+r.delivery.Retry; n++ {
		if n > 1 && !sleep(ctx, r.delivery.backoff(n-1)) {
			break
		}
		if err = b.post(ctx, r.deadLetter, e, r.timeout); err == nil {
			log.Warn("event sent to the dead-letter sink", "deadLetterSink", r.deadLetter)
			return
		}
		log.Warn("dead-letter sink attempt failed", "attempt", n, "deadLetterSink", r.deadLetter, "deadLetterError", err.Error())
	}
	log.Error("event lost: the dead-letter sink failed too", "deadLetterSink", r.deadLetter, "deadLetterError", fmt.Sprint(err))
}

// post sends e in binary mode to url and wants a 2xx.
func (b *Broker) post(ctx context.Context, url string, e event.Event, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := cehttp.NewHTTPRequestFromEvent(ctx, url, e)
	if err != nil {
		return err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxEventBytes))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return errors.New(resp.Status)
	}
	return nil
}

// sleep waits d, or less if ctx ends first; it reports whether d elapsed.
// Backoff uses real time even with a fake Clock: test manifests use tiny
// delays instead.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
