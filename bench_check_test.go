package dialx_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// distinct returns a host of about n bytes made of labels of the given
// number of distinct code points from start, the input that makes IDNA's
// mapping and Punycode work hardest.
func distinct(start rune, perLabel, n int) string {
	var b strings.Builder
	r := start
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		for range perLabel {
			b.WriteRune(r)
			r++
		}
	}
	return b.String()
}

// checkInputs are the most expensive inputs we could build for each kind of
// check: over-long ones (refused by length before any work), and the
// longest ones that pass the length checks and go through IDNA.
var checkInputs = []struct {
	name, host string
}{
	{name: "ASCII/1MiB", host: strings.Repeat("a", 1<<20)},
	{name: "CJK/1MiB", host: cjk(1 << 20)},
	{name: "CJK/48KiB", host: cjk(48 << 10)},
	{name: "CJK/cap/one-label", host: cjk(1020)},
	{name: "CJK/253-chars/one-label", host: cjk(253 * 3)},
	{name: "CJK/253-chars/20-per-label", host: distinct(0x4E00, 20, 253*3)[:20*3*12+11]},
	{name: "Latin/253-chars/58-per-label", host: distinct(0x00E0, 58, 253*2)},
	{name: "CJK/cap/58-per-label", host: distinct(0x4E00, 58, 1000)},
	{name: "CJK/cap/12-per-label", host: distinct(0x4E00, 12, 1000)},
	{name: "Cyrillic/cap/58-per-label", host: distinct(0x0430, 40, 1000)},
	{name: "Arabic/cap/bidi", host: distinct(0x0627, 20, 1000)},
	{name: "ASCII/253/valid", host: strings.Repeat(strings.Repeat("a", 62)+".", 4) + "a"},
	{name: "ASCII/253/127-labels", host: strings.Repeat("a.", 126) + "a"},
	{name: "xn--/long-label", host: "xn--" + strings.Repeat("a", 1000) + ".ü"},
	{name: "IPv6/long-zone", host: "fe80::1%" + strings.Repeat("e", 1000)},
}

// BenchmarkCheckWorstCase measures the check of the most expensive input of
// each kind: a dial through a Selective (the address is refused or matched,
// the Dialer costs nothing), NewSelective on the same text as a pattern, and
// ParseRules on a file whose one line is a megabyte.
func BenchmarkCheckWorstCase(b *testing.B) {
	s, err := dialx.NewSelective(
		dialx.Rule{Pattern: "*.internal", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "*", Dialer: dialx.DialerFunc(dialtest.Instant())},
	)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("Dial/baseline/canonical-name", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if conn, err := s.DialContext(ctx, "tcp", "www.example.com:443"); err == nil {
				conn.Close()
			}
		}
	})
	b.Run("Dial/baseline/IDNA-name", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if conn, err := s.DialContext(ctx, "tcp", "bücher.example:443"); err == nil {
				conn.Close()
			}
		}
	})
	for _, in := range checkInputs {
		address := in.host + ":443"
		if strings.Contains(in.host, ":") {
			address = "[" + in.host + "]:443"
		}
		b.Run("Dial/"+in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if conn, err := s.DialContext(ctx, "tcp", address); err == nil {
					conn.Close()
				}
			}
		})
		b.Run("NewSelective/"+in.name, func(b *testing.B) {
			b.ReportAllocs()
			rule := dialx.Rule{Pattern: in.host, Dialer: dialx.NewReject(nil)}
			for b.Loop() {
				dialx.NewSelective(rule)
			}
		})
	}
	b.Run("ParseRules/1MiB-line", func(b *testing.B) {
		file := strings.Repeat("a", 1<<20) + " direct\n* direct\n"
		dialers := map[string]dialx.Dialer{"direct": dialx.NewReject(nil)}
		b.ReportAllocs()
		b.SetBytes(int64(len(file)))
		for b.Loop() {
			dialx.ParseRules(strings.NewReader(file), dialers)
		}
	})
}
