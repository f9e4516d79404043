package rules_test

import (
	"strings"
	"testing"

	"github.com/dialx/dialx/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEverySpellingOfAHostTakesTheSameRule holds the bypass classes: each
// row is a host written another way, which must take the same rule as the
// plain spelling.
func TestEverySpellingOfAHostTakesTheSameRule(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		address  string
		want     int // rule index; -1 no match; -2 invalid address
	}{
		{name: "case", patterns: []string{"example.com"}, address: "EXAMPLE.com:80", want: 0},
		{name: "trailing dot on address", patterns: []string{"example.com"}, address: "example.com.:80", want: 0},
		{name: "trailing dot on rule", patterns: []string{"example.com."}, address: "example.com:80", want: 0},
		{name: "two trailing dots", patterns: []string{"*"}, address: "example.com..:80", want: -2},
		{name: "unicode against punycode", patterns: []string{"xn--bcher-kva.example"}, address: "bücher.example:443", want: 0},
		{name: "punycode against unicode", patterns: []string{"bücher.example"}, address: "XN--BCHER-KVA.example:443", want: 0},
		{name: "unicode upper case", patterns: []string{"bücher.example"}, address: "BÜCHER.example:443", want: 0},
		{name: "full-width letters", patterns: []string{"example.com"}, address: "ｅｘａｍｐｌｅ.com:80", want: 0},
		{name: "ideographic full stop", patterns: []string{"example.com"}, address: "example。com:80", want: 0},
		{name: "full-width digits spell an IP", patterns: []string{"127.0.0.1"}, address: "１２７.０.０.１:80", want: 0},
		{name: "unicode subdomain", patterns: []string{"*.bücher.example"}, address: "www.xn--bcher-kva.example:80", want: 0},
		{name: "unicode subdomain of unicode", patterns: []string{"*.bücher.example"}, address: "www.bücher.example:80", want: 0},
		{name: "unicode subdomain not the domain", patterns: []string{"*.bücher.example"}, address: "bücher.example:80", want: -1},
		{name: "wildcard label after unicode", patterns: []string{"bücher.*"}, address: "BÜCHER.example:80", want: 0},
		{name: "punycode glob", patterns: []string{"xn--bcher*.example"}, address: "bücher.example:80", want: 0},
		{name: "IPv6 zero run", patterns: []string{"::1"}, address: "[0:0::1]:80", want: 0},
		{name: "IPv6 full form", patterns: []string{"::1"}, address: "[0000:0000:0000:0000:0000:0000:0000:0001]:80", want: 0},
		{name: "IPv6 upper case", patterns: []string{"fd00::abcd"}, address: "[FD00::ABCD]:80", want: 0},
		{name: "IPv6 zone", patterns: []string{"fe80::1"}, address: "[fe80::1%eth0]:80", want: 0},
		{name: "IPv6 zone in CIDR", patterns: []string{"fe80::/10"}, address: "[fe80::1%25eth0]:80", want: 0},
		{name: "mapped address against IPv4 rule", patterns: []string{"127.0.0.1"}, address: "[::ffff:127.0.0.1]:80", want: 0},
		{name: "mapped hex address against IPv4 rule", patterns: []string{"127.0.0.1"}, address: "[::ffff:7f00:1]:80", want: 0},
		{name: "IPv4 address against mapped rule", patterns: []string{"::ffff:127.0.0.1"}, address: "127.0.0.1:80", want: 0},
		{name: "mapped address against IPv4 CIDR", patterns: []string{"127.0.0.0/8"}, address: "[::ffff:127.1.2.3]:80", want: 0},
		{name: "IPv4 address against mapped CIDR", patterns: []string{"::ffff:0:0/96"}, address: "192.0.2.1:80", want: 0},
		{name: "IPv4 address against IPv6 catch-all CIDR", patterns: []string{"::/0"}, address: "192.0.2.1:80", want: -1},
		{name: "mapped address against IPv6 catch-all CIDR", patterns: []string{"::/0"}, address: "[::ffff:192.0.2.1]:80", want: -1},
		{name: "IPv4 address against the mapped block", patterns: []string{"::ffff:0:0/96"}, address: "192.0.2.1:80", want: 0},
		{name: "mapped address against glob", patterns: []string{"127.*"}, address: "[::ffff:127.0.0.1]:80", want: 0},
		{name: "IPv4 in brackets", patterns: []string{"127.0.0.1"}, address: "[127.0.0.1]:80", want: 0},
		{name: "IPv4 trailing dot", patterns: []string{"127.0.0.1"}, address: "127.0.0.1.:80", want: 0},
		{name: "decimal IPv4 refused", patterns: []string{"*"}, address: "2130706433:80", want: -2},
		{name: "octal IPv4 refused", patterns: []string{"*"}, address: "0177.0.0.1:80", want: -2},
		{name: "hex IPv4 refused", patterns: []string{"*"}, address: "0x7f.1:80", want: -2},
		{name: "short IPv4 refused", patterns: []string{"*"}, address: "127.1:80", want: -2},
		{name: "hex last label refused", patterns: []string{"*"}, address: "example.0x1:80", want: -2},
		{name: "numeric last label refused", patterns: []string{"*"}, address: "example.123:80", want: -2},
		{name: "hex-looking name allowed", patterns: []string{"*"}, address: "example.0xg:80", want: 0},
		{name: "port with leading zero refused", patterns: []string{"*:80"}, address: "example.com:080", want: -2},
		{name: "port with sign refused", patterns: []string{"*:80"}, address: "example.com:+80", want: -2},
		{name: "service name refused", patterns: []string{"*:80"}, address: "example.com:http", want: -2},
		{name: "port 0", patterns: []string{"*:0"}, address: "example.com:0", want: 0},
		{name: "port 1", patterns: []string{"*:1-1024"}, address: "example.com:1", want: 0},
		{name: "port 65535", patterns: []string{"*:65535"}, address: "example.com:65535", want: 0},
		{name: "port 65536", patterns: []string{"*"}, address: "example.com:65536", want: -2},
		{name: "port range edge below", patterns: []string{"*:1025-2048"}, address: "example.com:1024", want: -1},
		{name: "host name not an IP rule", patterns: []string{"127.0.0.1"}, address: "localhost:80", want: -1},
		// A '*.' before numeric labels is a glob over the address's text,
		// as the original's fnmatch read it, not a domain that IPs never have.
		{name: "star dot numeric tail", patterns: []string{"*.0.0.2", "*"}, address: "127.0.0.2:1", want: 0},
		{name: "star dot numeric tail mapped", patterns: []string{"*.0.0.2", "*"}, address: "[::ffff:127.0.0.2]:1", want: 0},
		{name: "star dot numeric tail miss", patterns: []string{"*.0.0.2", "*"}, address: "127.0.0.3:1", want: 1},
		{name: "star dot last octet", patterns: []string{"*.1", "*"}, address: "10.0.0.1:1", want: 0},
		{name: "star dot last octet not a prefix", patterns: []string{"*.1", "*"}, address: "10.0.0.11:1", want: 1},
		{name: "star dot 255", patterns: []string{"*.255", "*"}, address: "[::ffff:10.0.0.255]:1", want: 0},
		{name: "star dot three octets", patterns: []string{"*.168.1.1", "*"}, address: "192.168.1.1:1", want: 0},
		{name: "star dot numeric tail port", patterns: []string{"*.0.0.2:80", "*"}, address: "127.0.0.2:81", want: 1},
		{name: "star inside numeric label", patterns: []string{"1*.0.0.1", "*"}, address: "127.0.0.1:1", want: 0},
		{name: "star then digit", patterns: []string{"*1", "*"}, address: "[::ffff:127.0.0.1]:1", want: 0},
		{name: "star dot numeric tail not IPv6", patterns: []string{"*.1", "*"}, address: "[::1]:1", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, route(t, compile(t, tt.patterns...), tt.address))
		})
	}
}

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

// TestMatchRefusesANameThatOnlyLooksBelowAnAllowedDomain is the allow-list form: a name that only looks
// like it is below the allowed domain once a bad byte is dropped.
func TestMatchRefusesANameThatOnlyLooksBelowAnAllowedDomain(t *testing.T) {
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
