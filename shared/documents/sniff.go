package documents

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Media types accepted, as stored in document_version.media_type.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeTIFF = "image/tiff"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeODT  = "application/vnd.oasis.opendocument.text"
	// Plain text is stored as http.DetectContentType names it, with its charset,
	// for example "text/plain; charset=utf-8".
	TypeText = "text/plain"
)

// sniffSize is what the usual magic-number checks look at (as
// http.DetectContentType); headSize is how much of a zip (office) file is
// read before storing anything, to find the entry names that tell DOCX from
// XLSX: they follow [Content_Types].xml and _rels/.rels, a few hundred bytes in.
const (
	sniffSize = 512
	headSize  = 64 << 10
)

// Sniff returns the media type of a file from its first bytes (up to 64 KiB;
// the first 512 suffice but for telling office formats apart), or an error
// wrapping ErrForbiddenType for an executable or any type not on the
// allow-list: PDF, PNG, JPEG, TIFF, plain text, DOCX, XLSX, ODT.
func Sniff(head []byte) (string, error) {
	first := head[:min(len(head), sniffSize)]
	if kind := executable(first); kind != "" {
		return "", fmt.Errorf("%w: %s", ErrForbiddenType, kind)
	}
	switch {
	case bytes.HasPrefix(first, []byte("%PDF-")):
		return TypePDF, nil
	case bytes.HasPrefix(first, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG, nil
	case bytes.HasPrefix(first, []byte("\xff\xd8\xff")):
		return TypeJPEG, nil
	case bytes.HasPrefix(first, []byte("II*\x00")), bytes.HasPrefix(first, []byte("MM\x00*")):
		return TypeTIFF, nil
	case bytes.HasPrefix(first, []byte("PK\x03\x04")):
		if t := officeType(head); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("%w: zip archive that is not a DOCX, XLSX or ODT document", ErrForbiddenType)
	}
	detected := http.DetectContentType(first)
	if strings.HasPrefix(detected, TypeText+";") {
		return detected, nil
	}
	return "", fmt.Errorf("%w: %s", ErrForbiddenType, detected)
}

// executable names the kind of program the bytes start with, or "".
func executable(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return "ELF executable"
	case bytes.HasPrefix(b, []byte("MZ")):
		return "PE/DOS executable"
	case bytes.HasPrefix(b, []byte("#!")):
		return "script"
	case bytes.HasPrefix(b, []byte{0xfe, 0xed, 0xfa, 0xce}), bytes.HasPrefix(b, []byte{0xfe, 0xed, 0xfa, 0xcf}),
		bytes.HasPrefix(b, []byte{0xce, 0xfa, 0xed, 0xfe}), bytes.HasPrefix(b, []byte{0xcf, 0xfa, 0xed, 0xfe}):
		return "Mach-O executable"
	case bytes.HasPrefix(b, []byte{0xca, 0xfe, 0xba, 0xbe}):
		return "Mach-O universal binary or Java class"
	}
	return ""
}

// officeType tells DOCX, XLSX and ODT from other zip archives by the local
// file headers found in head. An ODT starts with an uncompressed "mimetype"
// entry (required by ODF); OOXML packages have [Content_Types].xml and a
// word/ or xl/ part.
func officeType(head []byte) string {
	const odfMime = "application/vnd.oasis.opendocument.text"
	contentTypes := false
	word, xl := false, false
	for i, off := 0, 0; i < 64; i++ {
		at := bytes.Index(head[off:], []byte("PK\x03\x04"))
		if at < 0 {
			break
		}
		h := head[off+at:]
		if len(h) < 30 {
			break
		}
		nameLen := int(binary.LittleEndian.Uint16(h[26:]))
		extraLen := int(binary.LittleEndian.Uint16(h[28:]))
		if len(h) < 30+nameLen {
			break
		}
		name := string(h[30 : 30+nameLen])
		if i == 0 && name == "mimetype" {
			method := binary.LittleEndian.Uint16(h[8:])
			data := h[min(len(h), 30+nameLen+extraLen):]
			if method == 0 && bytes.HasPrefix(data, []byte(odfMime)) &&
				(len(data) == len(odfMime) || data[len(odfMime)] == 'P') {
				return TypeODT
			}
			return ""
		}
		switch {
		case name == "[Content_Types].xml":
			contentTypes = true
		case strings.HasPrefix(name, "word/"):
			word = true
		case strings.HasPrefix(name, "xl/"):
			xl = true
		}
		off += at + 30 + nameLen
	}
	switch {
	case contentTypes && word && !xl:
		return TypeDOCX
	case contentTypes && xl && !word:
		return TypeXLSX
	}
	return ""
}

// readHead reads up to n bytes of r (fewer only at its end).
func readHead(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, n)
	got, err := io.ReadFull(r, buf)
	switch err {
	case nil, io.EOF, io.ErrUnexpectedEOF:
		return buf[:got], nil
	}
	return nil, err
}

// limitedReader returns ErrTooLarge once more than limit bytes were read.
type limitedReader struct {
	r         io.Reader
	remaining int64
	limit     int64
	exceeded  bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.exceeded {
		return 0, ErrTooLarge
	}
	// Read one byte past the limit, to tell "exactly the limit" from "over".
	if int64(len(p)) > l.remaining+1 {
		p = p[:l.remaining+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.remaining {
		l.exceeded = true
		l.remaining = 0
		return 0, ErrTooLarge
	}
	l.remaining -= int64(n)
	return n, err
}

// byteReader reads b; unlike bytes.Reader it is not an io.Seeker, so the
// S3 upload treats the whole body as one stream.
type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
