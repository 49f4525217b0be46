package documents

import (
	"errors"
	"fmt"
	"io"
)

// SizeChecker reads R and fails, while it streams, as soon as the bytes
// are more than Declared, and at the end when they are fewer: an Upload
// through it is then aborted before anything is stored. The failure
// travels through the S3 SDK, which may wrap it beyond errors.Is, so the
// caller asks Mismatch after a failed Upload.
type SizeChecker struct {
	R        io.Reader
	Declared int64
	read     int64
	mismatch bool
}

func (c *SizeChecker) Read(p []byte) (int, error) {
	// One byte beyond the declared size is enough to know.
	if room := c.Declared + 1 - c.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := c.R.Read(p)
	c.read += int64(n)
	switch {
	case c.read > c.Declared:
		c.mismatch = true
		return n, fmt.Errorf("%w: more than the %d bytes declared", ErrSizeMismatch, c.Declared)
	case errors.Is(err, io.EOF) && c.read < c.Declared:
		c.mismatch = true
		return n, fmt.Errorf("%w: %d bytes sent, %d declared", ErrSizeMismatch, c.read, c.Declared)
	}
	return n, err
}

// Mismatch reports whether the bytes read differed from the declared size.
func (c *SizeChecker) Mismatch() bool { return c.mismatch }
