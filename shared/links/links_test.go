package links

import "testing"

func TestReturnPathKeepsToThisSite(t *testing.T) {
	for _, tc := range []struct {
		next string
		ok   bool
	}{
		{"/servicii/3f1c/9a2b", true},
		{"/cereri?pagina=2#sus", true},
		{"/", true},
		{"", false},
		{"servicii", false},
		{"https://evil.example/", false},
		{"//evil.example/x", false},
		{`/\evil.example`, false},
		{`/servicii\..\x`, false},
		{"/a\nb", false},
		{"/a\tb", false},
		{"/" + string(make([]byte, 1000)), false},
	} {
		if got := ReturnPath(tc.next); got != tc.ok {
			t.Errorf("ReturnPath(%q) = %v, want %v", tc.next, got, tc.ok)
		}
	}
}
