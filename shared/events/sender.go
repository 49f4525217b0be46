package events

import (
	"context"
	"fmt"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// SinkConfig is where a function sends events: the Broker's ingress. Knative
// names it K_SINK.
type SinkConfig struct {
	Sink string `envconfig:"K_SINK" required:"true"`
}

// Sender delivers one event, returning nil only once the receiver accepted it.
type Sender interface {
	Send(ctx context.Context, e cloudevents.Event) error
}

// HTTPSender posts events in binary mode to a sink URL.
type HTTPSender struct {
	client cloudevents.Client
}

// NewHTTPSender returns a sender to sink.
func NewHTTPSender(sink string) (*HTTPSender, error) {
	p, err := cloudevents.NewHTTP(cloudevents.WithTarget(sink), cehttp.WithClient(http.Client{Timeout: 30 * time.Second}))
	if err != nil {
		return nil, fmt.Errorf("event sink %s: %w", sink, err)
	}
	c, err := cloudevents.NewClient(p, cloudevents.WithTimeNow(), cloudevents.WithUUIDs())
	if err != nil {
		return nil, err
	}
	return &HTTPSender{client: c}, nil
}

// Send posts e and reports whether the sink acknowledged it.
func (s *HTTPSender) Send(ctx context.Context, e cloudevents.Event) error {
	if res := s.client.Send(ctx, e); !cloudevents.IsACK(res) {
		return fmt.Errorf("send event %s (%s): %w", e.ID(), e.Type(), res)
	}
	return nil
}
