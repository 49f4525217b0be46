package blob

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/signintech/gopdf"

	"github.com/ghiseu/ghiseu/shared/pdffonts"
	"github.com/ghiseu/ghiseu/shared/pdftext"
)

func TestReaderAtReads(t *testing.T) {
	s, bucket := newTestStore(t)
	const size = 3*readBlockSize + 12345
	want := randomBytes(7, size)
	if _, err := s.Put(t.Context(), bucket, "doc", bytes.NewReader(want), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	r := s.ReaderAt(t.Context(), bucket, "doc", size)
	tests := []struct {
		name    string
		off     int64
		n       int
		wantN   int
		wantErr error
	}{
		{"the start", 0, 100, 100, nil},
		{"across a block boundary", readBlockSize - 10, 20, 20, nil},
		{"across three blocks", 100, 2*readBlockSize + 50, 2*readBlockSize + 50, nil},
		{"the whole object", 0, size, size, nil},
		{"the end exactly", size - 10, 10, 10, nil},
		{"past the end", size - 10, 20, 10, io.EOF},
		{"at the end", size, 1, 0, io.EOF},
		{"beyond the end", size + 5, 1, 0, io.EOF},
		{"nothing", 5, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := make([]byte, tt.n)
			n, err := r.ReadAt(p, tt.off)
			if n != tt.wantN || !errors.Is(err, tt.wantErr) && !(err == nil && tt.wantErr == nil) {
				t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want %d, %v", tt.n, tt.off, n, err, tt.wantN, tt.wantErr)
			}
			if !bytes.Equal(p[:n], want[tt.off:tt.off+int64(n)]) {
				t.Fatalf("ReadAt(%d bytes at %d): wrong bytes", tt.n, tt.off)
			}
		})
	}
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("a negative offset read")
	}
}

// Small reads near one another cost one request a block; the cache keeps
// the four most recently used blocks and never holds more.
func TestReaderAtCachesFourBlocks(t *testing.T) {
	s, bucket := newTestStore(t)
	const size = 8 * readBlockSize
	want := randomBytes(8, size)
	if _, err := s.Put(t.Context(), bucket, "doc", bytes.NewReader(want), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	r := s.ReaderAt(t.Context(), bucket, "doc", size).(*objectReaderAt)
	read := func(block, at int64) {
		t.Helper()
		p := make([]byte, 64)
		off := block*readBlockSize + at
		if n, err := r.ReadAt(p, off); n != len(p) || err != nil || !bytes.Equal(p, want[off:off+64]) {
			t.Fatalf("read at %d: %d, %v", off, n, err)
		}
	}
	steps := []struct {
		name     string
		blocks   []int64
		wantGets int
	}{
		{"a thousand small reads in one block", repeat(0, 1000), 1},
		{"three more blocks", []int64{1, 2, 3}, 4},
		{"the four again, in any order", []int64{3, 0, 2, 1, 0}, 4},
		// Block 3 is now the least recently used.
		{"a fifth block evicts the least recently used", []int64{4}, 5},
		{"the rest stayed", []int64{0, 1, 2, 4}, 5},
		{"the evicted one is fetched again", []int64{3}, 6},
	}
	for _, step := range steps {
		for i, b := range step.blocks {
			read(b, int64(i*97)%(readBlockSize-64))
		}
		if r.gets != step.wantGets {
			t.Fatalf("%s: %d requests in all, want %d", step.name, r.gets, step.wantGets)
		}
	}
	// Every block of the object, twice: memory stays at four blocks.
	for range 2 {
		for b := range int64(size / readBlockSize) {
			read(b, 1000)
		}
	}
	held := 0
	for _, b := range r.blocks {
		held += cap(b.data)
	}
	if len(r.blocks) > readBlocks || held > readBlocks*readBlockSize {
		t.Errorf("%d blocks cached, %d bytes held; want at most %d and %d", len(r.blocks), held, readBlocks, readBlocks*readBlockSize)
	}
}

func repeat(v int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestReaderAtErrors(t *testing.T) {
	s, bucket := newTestStore(t)
	if _, err := s.Put(t.Context(), bucket, "short", bytes.NewReader(randomBytes(9, 1000)), ""); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		key  string
		size int64
		off  int64
		want error
	}{
		{"shorter than recorded", t.Context(), "short", 2000, 0, io.ErrUnexpectedEOF},
		{"shorter than recorded, by whole blocks", t.Context(), "short", 2 * readBlockSize, readBlockSize, io.ErrUnexpectedEOF},
		{"missing", t.Context(), "missing", 1000, 0, ErrNotFound},
		{"cancelled", cancelled, "short", 1000, 0, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.ReaderAt(tt.ctx, bucket, tt.key, tt.size).ReadAt(make([]byte, 100), tt.off)
			if n != 0 || !errors.Is(err, tt.want) {
				t.Fatalf("got %d, %v; want 0, %v", n, err, tt.want)
			}
		})
	}
}

// A PDF of a few megabytes in object storage is read in place, not
// downloaded: the parser's thousands of small reads become a few requests,
// and the text is the same as from memory.
func TestReaderAtServesAPDFParser(t *testing.T) {
	s, bucket := newTestStore(t)
	g := &gopdf.GoPdf{}
	g.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if err := g.AddTTFFontData("dejavu", pdffonts.Regular()); err != nil {
		t.Fatal(err)
	}
	// Noise pages (uncompressible random images) make the file large; the
	// text is on the first and last pages.
	if err := g.SetFont("dejavu", "", 11); err != nil {
		t.Fatal(err)
	}
	g.AddPage()
	if err := g.Cell(nil, "Cerere de eliberare a autorizației de construire — Ștefan Țurcanu"); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		g.AddPage()
		img, err := gopdf.ImageHolderByBytes(noisePNG(t, uint64(i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := g.ImageByHolder(img, 20, 20, &gopdf.Rect{W: 500, H: 500}); err != nil {
			t.Fatal(err)
		}
	}
	g.AddPage()
	if err := g.Cell(nil, "Anexa 12: planul de situație, vizat spre neschimbare"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if len(pdf) < 2<<20 {
		t.Fatalf("the PDF has %d bytes; the test wants a few megabytes", len(pdf))
	}
	if _, err := s.Put(t.Context(), bucket, "doc.pdf", bytes.NewReader(pdf), "application/pdf"); err != nil {
		t.Fatal(err)
	}

	fromMemory, err := pdftext.Extract(t.Context(), bytes.NewReader(pdf), int64(len(pdf)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	r := s.ReaderAt(t.Context(), bucket, "doc.pdf", int64(len(pdf))).(*objectReaderAt)
	counted := &countingReaderAt{r: r}
	fromStorage, err := pdftext.Extract(t.Context(), counted, int64(len(pdf)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if fromStorage != fromMemory || !strings.Contains(fromStorage, "autorizației") || !strings.Contains(fromStorage, "situație") {
		t.Fatalf("from storage %q, from memory %q", fromStorage, fromMemory)
	}
	blocks := (len(pdf) + readBlockSize - 1) / readBlockSize
	t.Logf("%d bytes, %d reads, %d requests", len(pdf), counted.calls.Load(), r.gets)
	if r.gets > 2*blocks || counted.calls.Load() < int64(4*r.gets) {
		t.Errorf("%d reads of a %d-block PDF made %d requests", counted.calls.Load(), blocks, r.gets)
	}
}

type countingReaderAt struct {
	r     io.ReaderAt
	calls atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.calls.Add(1)
	return c.r.ReadAt(p, off)
}

// noisePNG is a 512×512 grey PNG of random pixels: about 256 KiB that no
// compression shrinks.
func noisePNG(t *testing.T, seed uint64) []byte {
	t.Helper()
	const side = 512
	img := image.NewGray(image.Rect(0, 0, side, side))
	copy(img.Pix, randomBytes(seed, side*side))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
