package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ghiseu/ghiseu/infra/seed"
	"github.com/ghiseu/ghiseu/shared/access"
	"github.com/ghiseu/ghiseu/shared/db"
)

// The load run's settings: short ones for `make test`; `make bench` passes
// the ones BENCHMARKS.md was measured with.
var (
	submissionRates    = flag.String("submission.rates", "5", "comma-separated submission rates per second, tried in order")
	submissionDuration = flag.Duration("submission.duration", 3*time.Second, "how long each rate is kept up")
)

// submissionLoad submits petitions at a steady rate, each with a small
// scanned attachment, and measures for each the time from sending it to
// its registration number being visible to the citizen.
type submissionLoad struct {
	base, token string
	inst, typ   uuid.UUID
	attachment  []byte
	client      *http.Client
}

// submissionRun is the outcome of one rate.
type submissionRun struct {
	Rate       float64 // asked, per second
	Sent       int
	Registered int
	Failed     int
	Achieved   float64 // submissions accepted per second
	P50, P99   time.Duration
	Max        time.Duration
}

func (r submissionRun) String() string {
	return fmt.Sprintf("rate %5.1f/s: sent %4d, registered %4d, failed %d, accepted %5.1f/s, submit→number p50 %4dms p99 %4dms max %4dms",
		r.Rate, r.Sent, r.Registered, r.Failed, r.Achieved, r.P50.Milliseconds(), r.P99.Milliseconds(), r.Max.Milliseconds())
}

// run keeps up rate submissions a second for d: open loop, each one sent
// on its tick whether or not the earlier ones are done, as citizens do.
func (l *submissionLoad) run(ctx context.Context, rate float64, d time.Duration) submissionRun {
	var mu sync.Mutex
	var latencies []time.Duration
	res := submissionRun{Rate: rate}
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	start := time.Now()
	var accepted int
	for time.Since(start) < d {
		<-tick.C
		res.Sent++
		wg.Go(func() {
			latency, ok := l.one(ctx)
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				res.Failed++
				return
			}
			accepted++
			latencies = append(latencies, latency)
		})
	}
	elapsed := time.Since(start)
	wg.Wait()
	res.Registered = len(latencies)
	res.Achieved = float64(accepted) / elapsed.Seconds()
	slices.Sort(latencies)
	if n := len(latencies); n > 0 {
		res.P50, res.P99, res.Max = latencies[n/2], latencies[min(n-1, n*99/100)], latencies[n-1]
	}
	return res
}

// one submits a petition and waits until its number shows; ok is false
// when it was refused or not registered within 30 seconds.
func (l *submissionLoad) one(ctx context.Context) (time.Duration, bool) {
	sent := time.Now()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="request"`)
	h.Set("Content-Type", "application/json")
	part, _ := mw.CreatePart(h)
	decl, _ := json.Marshal(map[string]any{"typeId": l.typ, "data": petitionData("Sarcină de încărcare " + uuid.NewString()[:8]),
		"attachments": []map[string]any{{"kind": "anexe", "name": "scan.pdf", "size": len(l.attachment)}}})
	part.Write(decl)
	file, _ := mw.CreateFormFile("file", "scan.pdf")
	file.Write(l.attachment)
	mw.Close()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, l.base+"/api/institutions/"+l.inst.String()+"/requests", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("Idempotency-Key", uuid.NewString())
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, false
	}
	var made requestView
	err = json.NewDecoder(resp.Body).Decode(&made)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		return 0, false
	}
	// Poll as a citizen's page would, often enough not to blur the measure.
	url := l.base + "/api/institutions/" + l.inst.String() + "/requests/" + made.ID.String()
	for time.Since(sent) < 30*time.Second {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+l.token)
		resp, err := l.client.Do(req)
		if err != nil {
			return 0, false
		}
		var v requestView
		err = json.NewDecoder(resp.Body).Decode(&v)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && v.Registration != nil {
			return time.Since(sent), true
		}
		select {
		case <-ctx.Done():
			return 0, false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return 0, false
}

// newSubmissionLoad starts the platform and signs the demo citizen in.
func newSubmissionLoad(t *testing.T) (*platform, *submissionLoad) {
	t.Helper()
	p, gw, _ := requestsPlatform(t, nil)
	ctx := context.Background()
	l := &submissionLoad{base: gw, inst: seed.InstitutionID(seed.LugojCIF), typ: seed.RequestTypeID(seed.LugojCIF, "petitie"),
		attachment: textPDF(t, "Scanare pentru proba de încărcare"),
		client:     &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
	err := db.PlatformTx(ctx, p.db.App, func(tx pgx.Tx) (err error) {
		l.token, _, err = access.OpenSession(ctx, tx, access.NewSession{Account: seed.AccountID(seed.CitizenEmail), Kind: "api"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, l
}

// TestSubmissionLoad keeps up each rate of -submission.rates for
// -submission.duration and checks that every submission was registered,
// numbered without gap. It asserts no speed: it reports the time from
// submit to visible registration number (p50, p99) per rate, and the
// highest rate whose p99 stays under a second. `make test` runs one short
// rate; `make bench` runs the sweep recorded in BENCHMARKS.md.
func TestSubmissionLoad(t *testing.T) {
	p, l := newSubmissionLoad(t)
	var rates []float64
	for _, f := range strings.Split(*submissionRates, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 {
			t.Fatalf("-submission.rates %q: want positive numbers separated by commas", *submissionRates)
		}
		rates = append(rates, r)
	}
	best, sent := 0.0, 0
	for _, rate := range rates {
		res := l.run(context.Background(), rate, *submissionDuration)
		t.Log(res)
		sent += res.Sent
		if res.Sent == 0 || res.Failed != 0 || res.Registered != res.Sent {
			t.Fatalf("%v: every submission must be accepted and registered", res)
		}
		if res.Achieved < 0.95*rate || res.P99 >= time.Second {
			t.Logf("rate %.1f/s is not sustained with p99 under 1s", rate)
			break
		}
		best = rate
	}
	t.Logf("highest sustained rate with p99 under 1s: %.1f submissions/s", best)
	var count, maxNumber int
	platformQuery(t, p, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*), coalesce(max(number), 0) FROM request WHERE number IS NOT NULL`).Scan(&count, &maxNumber)
	})
	if count != sent || maxNumber != count {
		t.Errorf("%d registered requests numbered up to %d, want 1..%d", count, maxNumber, sent)
	}
}
