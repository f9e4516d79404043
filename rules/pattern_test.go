package rules_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/rules"
)

func TestCompileRefusesBadPatterns(t *testing.T) {
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
		{pattern: ".0.0.2", reason: "leading dot needs a domain name"},
		{pattern: ".1", reason: "leading dot needs a domain name"},
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
		{pattern: "bü*.example", reason: "'*' cannot share a label with non-ASCII letters"},
		{pattern: "*bücher.example", reason: "'*' cannot share a label with non-ASCII letters"},
		{pattern: "www.bü*", reason: "'*' cannot share a label with non-ASCII letters"},
		{pattern: "*ｅｘａｍｐｌｅ.com", reason: "'*' cannot share a label with non-ASCII letters"},
		{pattern: "a*\u00ad.example", reason: "would be dropped by IDNA"},
		{pattern: "exa\xc3mple.com", reason: "is not valid UTF-8"},
		{pattern: "exa\u00admple.com", reason: "would be dropped by IDNA"},
		{pattern: "exa\ufffdmple.com", reason: "replacement character U+FFFD"},
		{pattern: "exa\u0085mple.com", reason: "control character"},
		{pattern: "exa\x00mple.com", reason: "is not allowed in a host name"},
		{pattern: "**", reason: "has no letter or digit"},
		{pattern: "*.*.*.*", reason: "has no letter or digit"},
		{pattern: "10.1.2.3/8", reason: "has bits set after its prefix length; write 10.0.0.0/8"},
		{pattern: "fd00::1/8", reason: "write fd00::/8"},
		{pattern: "::ffff:10.0.0.0/8", reason: "shorter than /96, so it is not an IPv4 block; write ::ffff:10.0.0.0/104, or 10.0.0.0/8"},
		{pattern: "::ffff:10.0.0.0/95", reason: "shorter than /96"},
		{pattern: "::10.0.0.1", reason: "is the IPv6 address ::a00:1, not an IPv4 address"},
		{pattern: "[::10.0.0.1]:80", reason: "write 10.0.0.1 for the IPv4 address"},
		{pattern: "::10.0.0.0/104", reason: "not an IPv4 block; write 10.0.0.0/8"},
		{pattern: "0:0:0:0:0:0:10.0.0.0/104", reason: "not an IPv4 block; write 10.0.0.0/8"},
		{pattern: "::ffff:10.0.0.0/72", reason: "write a prefix length of /96 to /128"},
		{pattern: "::ffff:10.0.0.1/96", reason: "write ::ffff:0.0.0.0/96"},
		{pattern: "[fe80::1%eth0]:80", reason: "zone is not allowed"},
		{pattern: "*。bücher*.example", reason: "'*' cannot share a label with non-ASCII letters"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			table, err := rules.Compile(tt.pattern)
			assert.Nil(t, table)
			var re *rules.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.pattern, re.Pattern)
			assert.Contains(t, err.Error(), tt.reason)
		})
	}
}

func TestCompileAcceptsEveryFormOfTheGrammar(t *testing.T) {
	for _, pattern := range []string{
		"example.com", "example.com.", "EXAMPLE.com:80", "*", "*:0", "*:65535", "*:0-65535", "*:80-80",
		"_srv._tcp.example.com", "xn--bcher-kva.example", "bücher.example", "ＥＸＡＭＰＬＥ.com",
		"*.example.com", ".example.com", "*example*", "*.bücher.example", "*.*.bücher.example", "bücher.*",
		"**.bücher.example", "xn--bcher-kva*.example", "*.bücher.example:443", "a*b*c", "127.0.0.1", "127.0.0.1.", "::1", "[::1]",
		"[::1]:443", "[::1]:1-1024", "0:0::1", "::ffff:127.0.0.1", "10.0.0.0/8", "10.0.0.0/8:443",
		"10.0.0.0/8:1-1024", "fd00::/8", "[fd00::/8]:443", "::ffff:0:0/96", "::ffff:10.0.0.0/104", "64:ff9b::10.0.0.5", "a-b.example", "localhost",
	} {
		t.Run(pattern, func(t *testing.T) {
			_, err := rules.Compile(pattern)
			assert.NoError(t, err)
		})
	}
}

func TestEachKindOfPatternMatchesItsAddresses(t *testing.T) {
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
		{name: "mapped CIDR is the IPv4 block", patterns: []string{"::ffff:10.0.0.0/104"}, address: "10.9.9.9:80", want: 0},
		{name: "mapped CIDR holds no other IPv4", patterns: []string{"::ffff:10.0.0.0/104"}, address: "11.0.0.1:80", want: -1},
		{name: "IPv6 block holds no IPv4", patterns: []string{"::/8"}, address: "10.0.0.1:80", want: -1},
		{name: "IPv6 block holds IPv6", patterns: []string{"::/8"}, address: "[::1]:80", want: 0},
		{name: "IPv4 glob is not a name", patterns: []string{"10.*"}, address: "10.attacker.example:80", want: -1},
		{name: "IPv4 glob matches the address", patterns: []string{"10.*"}, address: "10.1.2.3:80", want: 0},
		{name: "name glob is not an IPv6 literal", patterns: []string{"fe80*"}, address: "[fe80::1]:80", want: -1},
		{name: "name glob matches a name", patterns: []string{"fe80*"}, address: "fe80x.example:80", want: 0},
		{name: "digit glob is not a name ending in a digit", patterns: []string{"*1"}, address: "server1:80", want: -1},
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
			assert.Equal(t, tt.want, route(t, compile(t, tt.patterns...), tt.address))
		})
	}
}

// FuzzPattern feeds the pattern parser arbitrary text: it never panics, it
// gives the same answer twice, a refusal is an *Error naming the pattern,
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
	f.Fuzz(func(t *testing.T, pattern string) {
		table, err := rules.Compile(pattern)
		_, again := rules.Compile(pattern)
		if (err == nil) != (again == nil) {
			t.Fatalf("pattern %q: accepted once and refused once: %v, %v", pattern, err, again)
		}
		if err != nil {
			var re *rules.Error
			if !errors.As(err, &re) || re.Pattern != pattern || re.Index != 0 {
				t.Fatalf("pattern %q: refusal is not an *Error naming it: %v", pattern, err)
			}
			return
		}
		if strings.ContainsAny(pattern, "*:/[") || strings.HasPrefix(pattern, ".") {
			return
		}
		if i, _, err := table.Match(pattern + ":80"); err != nil || i != 0 {
			t.Fatalf("pattern %q accepted, but the address %q does not take it: %v", pattern, pattern+":80", err)
		}
	})
}

// TestOriginalGrammarKeepsItsMeaning holds the patterns of the grammar
// dialx started from, which kept their meaning when it grew.
func TestOriginalGrammarKeepsItsMeaning(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		address  string
		want     int
	}{
		{name: "exact host", patterns: []string{"github.com"}, address: "github.com:443", want: 0},
		{name: "exact host is not a subdomain", patterns: []string{"youtube.com"}, address: "www.youtube.com:443", want: -1},
		{name: "host and port", patterns: []string{"example.com:80"}, address: "example.com:80", want: 0},
		{name: "host and other port", patterns: []string{"example.com:80"}, address: "example.com:81", want: -1},
		{name: "port range low edge", patterns: []string{"*:80-81"}, address: "a.example:80", want: 0},
		{name: "port range high edge", patterns: []string{"*:80-81"}, address: "a.example:81", want: 0},
		{name: "port range outside", patterns: []string{"*:80-81"}, address: "a.example:82", want: -1},
		{name: "star matches all", patterns: []string{"*"}, address: "anything.example:1", want: 0},
		{name: "star matches IPs", patterns: []string{"*"}, address: "[::1]:1", want: 0},
		{name: "star with port", patterns: []string{"*:443"}, address: "10.1.2.3:443", want: 0},
		{name: "star prefix crosses dots", patterns: []string{"*example.com"}, address: "a.b.example.com:80", want: 0},
		{name: "star prefix matches without dot", patterns: []string{"*example.com"}, address: "badexample.com:80", want: 0},
		{name: "star in the middle", patterns: []string{"ads.*.example"}, address: "ads.eu.cdn.example:80", want: 0},
		{name: "star at the end", patterns: []string{"tracker.*"}, address: "tracker.example.org:80", want: 0},
		{name: "star at the end no match", patterns: []string{"tracker.*"}, address: "tracker:80", want: -1},
		{name: "bare IPv6", patterns: []string{"::1"}, address: "[::1]:8080", want: 0},
		{name: "bracketed IPv6 with port", patterns: []string{"[::1]:80"}, address: "[::1]:80", want: 0},
		{name: "bracketed IPv6 other port", patterns: []string{"[::1]:80"}, address: "[::1]:81", want: -1},
		{name: "IPv4 literal", patterns: []string{"127.0.0.1:22"}, address: "127.0.0.1:22", want: 0},
		{name: "upper case rule", patterns: []string{"EXAMPLE.COM"}, address: "example.com:80", want: 0},
		{name: "upper case address", patterns: []string{"example.com"}, address: "Example.COM:80", want: 0},
		{name: "first match wins", patterns: []string{"*:80", "example.com", "*"}, address: "example.com:80", want: 0},
		{name: "later rule when earlier misses", patterns: []string{"*:80", "example.com", "*"}, address: "example.com:443", want: 1},
		{name: "catch-all last", patterns: []string{"ads.example.com", "*:80-81", "*"}, address: "other.example:8080", want: 2},
		{name: "empty list", patterns: nil, address: "example.com:80", want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, route(t, compile(t, tt.patterns...), tt.address))
		})
	}
}

// TestCompileAndParseRefuseAPatternThatIsNotUTF8: a pattern with a byte that is not UTF-8
// once matched another name with another bad byte in the same place.
func TestCompileAndParseRefuseAPatternThatIsNotUTF8(t *testing.T) {
	_, err := rules.Compile("exa\xc3mple.com")
	var re *rules.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "exa\xc3mple.com", re.Pattern)
	_, err = rules.Parse(strings.NewReader("exa\xc3mple.com direct\n"))
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Line)
}
