package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// The read-ahead of ReaderAt: whole blocks are fetched and the last few
// kept, so memory stays under readBlocks × readBlockSize (1 MiB) whatever
// the object's size, and a parser's many small reads near one another cost
// one request a block.
const (
	readBlockSize = 256 << 10
	readBlocks    = 4
)

// ReaderAt returns an io.ReaderAt over the object bucket/key, which has
// size bytes (as recorded when it was stored), reading it with ranged GETs
// (Range: bytes=a-b) a block of 256 KiB at a time and keeping the four most
// recently used blocks. It is for readers that jump around a large object,
// such as a PDF parser (which reads the end of the file first, then objects
// at their offsets), with bounded memory.
//
// ctx bounds every request the reader makes, since ReadAt has no context of
// its own. Reads past size return io.EOF; an object shorter than size gives
// io.ErrUnexpectedEOF, a missing one ErrNotFound. It is safe for concurrent
// use (reads are serialised). The object is assumed not to change while it
// is read, which holds for content-addressed objects: their key is their
// hash.
func (s *Store) ReaderAt(ctx context.Context, bucket, key string, size int64) io.ReaderAt {
	return &objectReaderAt{ctx: ctx, s: s, bucket: bucket, key: key, size: size, blockSize: readBlockSize, maxBlocks: readBlocks}
}

type objectReaderAt struct {
	ctx         context.Context
	s           *Store
	bucket, key string
	size        int64
	blockSize   int64
	maxBlocks   int

	mu sync.Mutex
	// blocks are the cached blocks, least recently used first.
	blocks []*block
	// gets counts the ranged GETs made, for the tests.
	gets int
}

type block struct {
	start int64
	data  []byte
}

func (r *objectReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %s/%s: negative offset %d", r.bucket, r.key, off)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for n < len(p) && off+int64(n) < r.size {
		pos := off + int64(n)
		b, err := r.block(pos - pos%r.blockSize)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], b.data[pos-b.start:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// block returns the block starting at start, from the cache or fetched.
func (r *objectReaderAt) block(start int64) (*block, error) {
	for i, b := range r.blocks {
		if b.start == start {
			copy(r.blocks[i:], r.blocks[i+1:])
			r.blocks[len(r.blocks)-1] = b
			return b, nil
		}
	}
	// Reuse the least recently used block's buffer once the cache is full:
	// no more than maxBlocks buffers are ever allocated.
	var buf []byte
	if len(r.blocks) == r.maxBlocks {
		buf = r.blocks[0].data[:0]
		copy(r.blocks, r.blocks[1:])
		r.blocks = r.blocks[:len(r.blocks)-1]
	}
	end := min(start+r.blockSize, r.size)
	data, err := r.fetch(buf, start, end)
	if err != nil {
		return nil, err
	}
	b := &block{start: start, data: data}
	r.blocks = append(r.blocks, b)
	return b, nil
}

// fetch reads bytes [start, end) of the object into buf's storage.
func (r *objectReaderAt) fetch(buf []byte, start, end int64) ([]byte, error) {
	rng := fmt.Sprintf("bytes=%d-%d", start, end-1)
	fail := func(err error) ([]byte, error) {
		return nil, fmt.Errorf("read %s/%s %s: %w", r.bucket, r.key, rng, err)
	}
	r.gets++
	out, err := r.s.client.GetObject(r.ctx, &s3.GetObjectInput{Bucket: &r.bucket, Key: &r.key, Range: &rng})
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidRange" {
			// The range starts past the object's end: it is shorter than size.
			return fail(fmt.Errorf("%w: %w", io.ErrUnexpectedEOF, err))
		}
		return fail(classify(err))
	}
	defer out.Body.Close()
	// A server that ignores Range sends the whole object from its start:
	// right for the first block only, so refuse anything else.
	if want := fmt.Sprintf("bytes %d-", start); start > 0 && !strings.HasPrefix(aws.ToString(out.ContentRange), want) {
		return fail(fmt.Errorf("the server answered with range %q", aws.ToString(out.ContentRange)))
	}
	if int64(cap(buf)) < end-start {
		buf = make([]byte, end-start)
	}
	buf = buf[:end-start]
	if _, err := io.ReadFull(out.Body, buf); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fail(err)
	}
	return buf, nil
}
