package documents

import (
	"archive/zip"
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func zipOf(t *testing.T, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, name := range entries {
		var fw interface{ Write([]byte) (int, error) }
		var err error
		if name == "mimetype" {
			fw, err = w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		} else {
			fw, err = w.Create(name)
		}
		if err != nil {
			t.Fatal(err)
		}
		content := "<?xml version=\"1.0\"?><x>" + strings.Repeat("conținut ", 40) + "</x>"
		if name == "mimetype" {
			content = TypeODT
		}
		if _, err := fw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string // "" means ErrForbiddenType
	}{
		{"pdf", []byte("%PDF-1.4\n%âãÏÓ\n"), TypePDF},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), TypePNG},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), TypeJPEG},
		{"tiff le", []byte("II*\x00\x08\x00\x00\x00"), TypeTIFF},
		{"tiff be", []byte("MM\x00*\x00\x00\x00\x08"), TypeTIFF},
		{"text", []byte("Primăria Lugoj\n"), "text/plain; charset=utf-8"},
		{"docx", zipOf(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml"), TypeDOCX},
		{"xlsx", zipOf(t, "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"), TypeXLSX},
		{"odt", zipOf(t, "mimetype", "content.xml"), TypeODT},
		{"plain zip", zipOf(t, "virus.exe"), ""},
		{"zip claiming ooxml without part", zipOf(t, "[Content_Types].xml", "payload.exe"), ""},
		{"elf", []byte("\x7fELF\x02\x01\x01"), ""},
		{"pe", []byte("MZ\x90\x00\x03"), ""},
		{"macho 64", []byte{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1}, ""},
		{"macho universal", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2}, ""},
		{"script", []byte("#!/usr/bin/env python\n"), ""},
		{"html", []byte("<!DOCTYPE html><html>"), ""},
		{"gif", []byte("GIF89a\x01\x00"), ""},
		{"binary", []byte{0, 1, 2, 3, 4, 5}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sniff(tc.head)
			if tc.want == "" {
				if !errors.Is(err, ErrForbiddenType) {
					t.Errorf("Sniff = %q, %v; want ErrForbiddenType", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Sniff = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("ș", 300) + ".pdf"
	tests := []struct{ in, want string }{
		{"../../etc/passwd", "passwd"},
		{`C:\x\y.pdf`, "y.pdf"},
		{"..", "document"},
		{"\x00evil.pdf", "evil.pdf"},
		{"", "document"},
		{"/", "document"},
		{".bashrc", "bashrc"},
		{"...", "document"},
		{"a/b/../c.pdf", "c.pdf"},
		{"factură\u202egpj.exe", "facturăgpj.exe"},
		{"Decizia nr. 12 — Țăndărei.pdf ", "Decizia nr. 12 — Țăndărei.pdf"},
		{"a:b*c?.pdf", "a_b_c_.pdf"},
		{"bad\xffutf8.pdf", "badutf8.pdf"},
		{"linie\nnouă.pdf", "linie nouă.pdf"},
	}
	for _, tc := range tests {
		if got := SanitizeName(tc.in); got != tc.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got := SanitizeName(long)
	if n := utf8.RuneCountInString(got); n != MaxNameLength || !strings.HasSuffix(got, ".pdf") || !strings.HasPrefix(got, "șș") {
		t.Errorf("SanitizeName(long) = %q (%d runes)", got, n)
	}
}
