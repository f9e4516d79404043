package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/rules"
)

// cjk returns a host of n bytes of distinct CJK characters, the input that
// makes Punycode slowest.
func cjk(n int) string {
	var b strings.Builder
	for r := rune(0x4E00); b.Len()+3 <= n; r++ {
		b.WriteRune(r)
	}
	return b.String()
}

// TestMatchFailsClosedOnMalformedHosts holds hosts that were once read as
// names and let through to the catch-all of a deny list: each must now be
// refused as an invalid address before any pattern is tried, by Match and
// Canonical alike.
func TestMatchFailsClosedOnMalformedHosts(t *testing.T) {
	tests := []struct {
		name, address, reason string
	}{
		{name: "invalid byte after a denied name", address: "localhost\xff:80", reason: "not valid UTF-8"},
		{name: "invalid byte after a denied address", address: "127.0.0.1\xff:80", reason: "not valid UTF-8"},
		{name: "overlong NUL after a denied address", address: "127.0.0.1\xc0\x80:80", reason: "not valid UTF-8"},
		{name: "invalid byte after a denied domain", address: "metadata.google.internal\xff:80", reason: "not valid UTF-8"},
		{name: "NUL", address: "localhost\x00:80", reason: "is not allowed in a host name"},
		{name: "NUL in a Unicode name", address: "bücher\x00.internal:80", reason: "control character"},
		{name: "C1 control", address: "local\u0085host:80", reason: "control character"},
		{name: "soft hyphen", address: "local\u00adhost:80", reason: "would be dropped by IDNA"},
		{name: "zero-width space", address: "metadata\u200b.google.internal:80", reason: "would be dropped by IDNA"},
		{name: "variation selector", address: "localhost\ufe0f:80", reason: "would be dropped by IDNA"},
		{name: "replacement character", address: "local\ufffdhost:80", reason: "U+FFFD"},
		{name: "long CJK host", address: cjk(48<<10) + ":80", reason: "longer than"},
		{name: "host over the raw cap", address: strings.Repeat("a.", 600) + "internal:80", reason: "longer than"},
		{name: "label of distinct CJK too long for DNS", address: cjk(300) + ".example:80", reason: "label longer than 63 bytes"},
		{name: "long xn-- label", address: "xn--" + strings.Repeat("a", 200) + ".ü:80", reason: "label longer than 63 bytes"},
		{name: "address of a megabyte", address: strings.Repeat("a", 1<<20) + ":80", reason: "longer than"},
		{name: "zone with a slash", address: "[fe80::1%eth0/x]:80", reason: "in zone"},
		{name: "zone too long", address: "[fe80::1%" + strings.Repeat("e", 100) + "]:80", reason: "zone longer than"},
	}
	table := compile(t, "localhost", "127.0.0.0/8", "*.internal", "fe80::/10", "*")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, canonical, err := table.Match(tt.address)
			require.ErrorIs(t, err, rules.ErrInvalidAddress)
			assert.ErrorContains(t, err, tt.reason)
			assert.Equal(t, -1, i, "no pattern, not even the catch-all")
			assert.Empty(t, canonical)
			_, err = rules.Canonical(tt.address)
			assert.ErrorIs(t, err, rules.ErrInvalidAddress, "Canonical")
		})
	}
}

// TestAllowListFailsClosed is the allow-list form: a name that only looks
// like it is below the allowed domain once a bad byte is dropped.
func TestAllowListFailsClosed(t *testing.T) {
	table := compile(t, "*.example.com:443")
	for _, address := range []string{
		"evil.com\xc0\x80.example.com:443",
		"evil.com\x00.example.com:443",
		"evil.com\u200b.example.com:443",
	} {
		i, _, err := table.Match(address)
		assert.ErrorIs(t, err, rules.ErrInvalidAddress, "%q", address)
		assert.Equal(t, -1, i)
	}
}

// TestPatternWithBadBytesIsRefused: a pattern with a byte that is not UTF-8
// once matched another name with another bad byte in the same place.
func TestPatternWithBadBytesIsRefused(t *testing.T) {
	_, err := rules.Compile("exa\xc3mple.com")
	var re *rules.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "exa\xc3mple.com", re.Pattern)
	_, err = rules.Parse(strings.NewReader("exa\xc3mple.com direct\n"))
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Line)
}
