package dialx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestPatternRefused(t *testing.T) {
	tests := []struct {
		pattern string
		reason  string
	}{
		// The refusals of the original grammar.
		{pattern: "", reason: "empty pattern"},
		{pattern: "*:", reason: "empty port"},
		{pattern: ":80", reason: "empty host"},
		{pattern: ":", reason: "empty host"},
		{pattern: "example.com:*", reason: `port "*" is not a decimal number`},
		{pattern: "example.com:nope", reason: `port "nope" is not a decimal number`},
		{pattern: "example.com:100-10", reason: "ends before it starts"},
		{pattern: "example.com:100-", reason: "needs both ends"},
		{pattern: "example.com:-1000", reason: "needs both ends"},
		{pattern: "example.com:-", reason: "needs both ends"},
		{pattern: "example.com:65536", reason: "above 65535"},
		{pattern: "example.com:1-65536", reason: "above 65535"},
		{pattern: "example.com:99999999999999999999", reason: "above 65535"},
		// What the stricter host grammar adds.
		{pattern: "example.com:080", reason: "leading zero"},
		{pattern: "example.com:+80", reason: "not a decimal number"},
		{pattern: "example.com:http", reason: "not a decimal number"},
		{pattern: "exa mple.com", reason: `character ' '`},
		{pattern: "exa?ple.com", reason: `character '?'`},
		{pattern: "[a-z].example.com", reason: `unexpected ".example.com" after ']'`},
		{pattern: "user@example.com", reason: `character '@'`},
		{pattern: "example.com/path", reason: "invalid CIDR block"},
		{pattern: "a..example.com", reason: "empty label"},
		{pattern: ".", reason: "empty host"},
		{pattern: "..example.com", reason: "empty label"},
		{pattern: ".*.example.com", reason: `character '*'`},
		{pattern: "." + strings.Repeat("a", 64) + ".example", reason: "label longer than 63"},
		{pattern: strings.Repeat("a.", 127) + "ab", reason: "longer than 253"},
		{pattern: "127.1", reason: "not a dotted-quad"},
		{pattern: "0x7f.0.0.1", reason: "not a dotted-quad"},
		{pattern: "0177.0.0.1", reason: "not a dotted-quad"},
		{pattern: "2130706433", reason: "not a dotted-quad"},
		{pattern: "256.0.0.1", reason: "not a dotted-quad"},
		{pattern: ".127.0.0.1", reason: "leading dot needs a domain name"},
		{pattern: "10.0.0.0/33", reason: "invalid CIDR block"},
		{pattern: "10.0.0.0/8:99999", reason: "above 65535"},
		{pattern: "fd00::/129", reason: "invalid CIDR block"},
		{pattern: "[::1", reason: "missing ']'"},
		{pattern: "[::1]80", reason: `unexpected "80" after ']'`},
		{pattern: "[::1]:", reason: "empty port"},
		{pattern: "[example.com]:80", reason: "brackets hold only IPv6"},
		{pattern: "fe80::1%eth0", reason: "zone is not allowed"},
		{pattern: "[fe80::1%eth0]:80", reason: "zone is not allowed"},
		{pattern: "fe80::*", reason: "use a CIDR block"},
		{pattern: "::g", reason: "invalid IPv6 address"},
		{pattern: "ex\u200dample.com", reason: "invalid international host name"},
		{pattern: "\uff0a.example.com", reason: "'*' must be written as the ASCII character"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			s, err := dialx.NewSelective(dialx.Rule{Pattern: tt.pattern, Dialer: &dialtest.Dialer{}})
			assert.Nil(t, s)
			var re *dialx.RuleError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.pattern, re.Pattern)
			assert.Contains(t, err.Error(), tt.reason)
		})
	}
}

func TestPatternAccepted(t *testing.T) {
	for _, pattern := range []string{
		"example.com", "example.com.", "EXAMPLE.com:80", "*", "*:0", "*:65535", "*:0-65535", "*:80-80",
		"_srv._tcp.example.com", "xn--bcher-kva.example", "bücher.example", "ＥＸＡＭＰＬＥ.com",
		"*.example.com", ".example.com", "*example*", "a*b*c", "**", "127.0.0.1", "127.0.0.1.", "::1", "[::1]",
		"[::1]:443", "[::1]:1-1024", "0:0::1", "::ffff:127.0.0.1", "10.0.0.0/8", "10.0.0.0/8:443",
		"10.0.0.0/8:1-1024", "fd00::/8", "[fd00::/8]:443", "::ffff:0:0/96", "10.1.2.3/8", "a-b.example", "localhost",
	} {
		t.Run(pattern, func(t *testing.T) {
			_, err := dialx.NewSelective(dialx.Rule{Pattern: pattern, Dialer: &dialtest.Dialer{}})
			assert.NoError(t, err)
		})
	}
}

// TestCanonicalMatching holds the bypass classes: each row is a host written
// another way, which must take the same rule as the plain spelling.
func TestCanonicalMatching(t *testing.T) {
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
		{name: "soft hyphen", patterns: []string{"example.com"}, address: "exam\u00adple.com:80", want: 0},
		{name: "full-width digits spell an IP", patterns: []string{"127.0.0.1"}, address: "１２７.０.０.１:80", want: 0},
		{name: "unicode subdomain", patterns: []string{"*.bücher.example"}, address: "www.xn--bcher-kva.example:80", want: 0},
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
		{name: "IPv4 address against IPv6 catch-all CIDR", patterns: []string{"::/0"}, address: "192.0.2.1:80", want: 0},
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSelective(t, tt.patterns...)
			assert.Equal(t, tt.want, route(t, s, tt.address))
		})
	}
}

func TestRuleKinds(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		address  string
		want     int
	}{
		{name: "subdomains one level", patterns: []string{"*.example.com"}, address: "www.example.com:80", want: 0},
		{name: "subdomains two levels", patterns: []string{"*.example.com"}, address: "a.b.example.com:80", want: 0},
		{name: "subdomains not the domain", patterns: []string{"*.example.com"}, address: "example.com:80", want: -1},
		{name: "subdomains not a sibling", patterns: []string{"*.example.com"}, address: "badexample.com:80", want: -1},
		{name: "domain itself", patterns: []string{".example.com"}, address: "example.com:80", want: 0},
		{name: "domain subdomain", patterns: []string{".example.com"}, address: "www.example.com:80", want: 0},
		{name: "domain deep", patterns: []string{".example.com"}, address: "a.b.example.com:80", want: 0},
		{name: "domain not a sibling", patterns: []string{".example.com"}, address: "badexample.com:80", want: -1},
		{name: "domain with port", patterns: []string{".example.com:443"}, address: "www.example.com:80", want: -1},
		{name: "CIDR inside", patterns: []string{"10.0.0.0/8"}, address: "10.255.255.255:80", want: 0},
		{name: "CIDR first", patterns: []string{"10.0.0.0/8"}, address: "10.0.0.0:80", want: 0},
		{name: "CIDR just outside", patterns: []string{"10.0.0.0/8"}, address: "11.0.0.0:80", want: -1},
		{name: "CIDR just below", patterns: []string{"10.0.0.0/8"}, address: "9.255.255.255:80", want: -1},
		{name: "CIDR slash 32", patterns: []string{"192.0.2.1/32"}, address: "192.0.2.1:80", want: 0},
		{name: "CIDR slash 0", patterns: []string{"0.0.0.0/0"}, address: "203.0.113.9:80", want: 0},
		{name: "IPv4 CIDR not IPv6", patterns: []string{"0.0.0.0/0"}, address: "[2001:db8::1]:80", want: -1},
		{name: "CIDR port", patterns: []string{"10.0.0.0/8:443"}, address: "10.1.1.1:443", want: 0},
		{name: "CIDR port miss", patterns: []string{"10.0.0.0/8:443"}, address: "10.1.1.1:80", want: -1},
		{name: "CIDR port range", patterns: []string{"10.0.0.0/8:1-1024"}, address: "10.1.1.1:1024", want: 0},
		{name: "CIDR not a name", patterns: []string{"10.0.0.0/8"}, address: "ten.example:80", want: -1},
		{name: "IPv6 CIDR", patterns: []string{"fd00::/8"}, address: "[fdff::1]:80", want: 0},
		{name: "IPv6 CIDR outside", patterns: []string{"fd00::/8"}, address: "[fe00::1]:80", want: -1},
		{name: "IPv6 CIDR port", patterns: []string{"[fd00::/8]:443"}, address: "[fd12::1]:443", want: 0},
		{name: "IPv6 CIDR port miss", patterns: []string{"[fd00::/8]:443"}, address: "[fd12::1]:80", want: -1},
		{name: "unmasked CIDR is masked", patterns: []string{"10.1.2.3/8"}, address: "10.9.9.9:80", want: 0},
		{name: "order decides overlap", patterns: []string{"10.1.0.0/16", "10.0.0.0/8"}, address: "10.1.2.3:80", want: 0},
		{name: "order decides overlap reversed", patterns: []string{"10.0.0.0/8", "10.1.0.0/16"}, address: "10.1.2.3:80", want: 0},
		{name: "narrow port first", patterns: []string{"10.0.0.0/8:22", "10.0.0.0/8"}, address: "10.1.2.3:80", want: 1},
		{name: "exact before suffix", patterns: []string{"www.example.com:80", ".example.com"}, address: "www.example.com:443", want: 1},
		{name: "suffix before exact", patterns: []string{".example.com", "www.example.com"}, address: "www.example.com:443", want: 0},
		{name: "glob before all", patterns: []string{"*w.ex*", ".example.com", "*"}, address: "www.example.com:1", want: 0},
		{name: "glob after miss", patterns: []string{"*q*", ".example.com"}, address: "www.example.com:1", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSelective(t, tt.patterns...)
			assert.Equal(t, tt.want, route(t, s, tt.address))
		})
	}
}

// FuzzPattern feeds the pattern parser arbitrary text: it never panics, it
// gives the same answer twice, a refusal is a RuleError naming the pattern,
// and a plain host accepted as a pattern is also accepted as the host of an
// address, which then takes the rule.
func FuzzPattern(f *testing.F) {
	for _, seed := range []string{
		"", "*", "*:", ":80", "example.com:80-81", "[::1]:443", "::1", "10.0.0.0/8:1-1024", "[fd00::/8]:443",
		"*.example.com", ".example.com", "ex*le.*", "bücher.example", "ＥＸＡＭＰＬＥ。com", "127.1", "fe80::1%eth0",
		"example.com:080", "::ffff:10.0.0.0/104",
	} {
		f.Add(seed)
	}
	d := &dialtest.Dialer{}
	f.Fuzz(func(t *testing.T, pattern string) {
		s, err := dialx.NewSelective(dialx.Rule{Pattern: pattern, Dialer: d})
		_, again := dialx.NewSelective(dialx.Rule{Pattern: pattern, Dialer: d})
		if (err == nil) != (again == nil) {
			t.Fatalf("pattern %q: accepted once and refused once: %v, %v", pattern, err, again)
		}
		if err != nil {
			var re *dialx.RuleError
			if !errors.As(err, &re) || re.Pattern != pattern {
				t.Fatalf("pattern %q: refusal is not a RuleError naming it: %v", pattern, err)
			}
			return
		}
		if strings.ContainsAny(pattern, "*:/[") || strings.HasPrefix(pattern, ".") {
			return
		}
		if _, i, err := s.Match(pattern + ":80"); err != nil || i != 0 {
			t.Fatalf("pattern %q accepted, but the address %q does not take it: %v", pattern, pattern+":80", err)
		}
	})
}
