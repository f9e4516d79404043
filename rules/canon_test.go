package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
