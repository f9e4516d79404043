package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/rules"
)

// TestCanonicalWritesEachSpellingOneWay covers every class of the canonical
// form: what a Dialer behind a check receives, whatever was written.
func TestCanonicalWritesEachSpellingOneWay(t *testing.T) {
	tests := []struct {
		class, address, want string
	}{
		{class: "canonical name", address: "www.example.com:443", want: "www.example.com:443"},
		{class: "letter case", address: "WWW.Example.COM:443", want: "www.example.com:443"},
		{class: "trailing dot", address: "www.example.com.:443", want: "www.example.com:443"},
		{class: "name in brackets", address: "[www.example.com]:443", want: "www.example.com:443"},
		{class: "IDNA", address: "bücher.example:80", want: "xn--bcher-kva.example:80"},
		{class: "full-width letters", address: "ｅｘａｍｐｌｅ.com:80", want: "example.com:80"},
		{class: "ideographic full stop", address: "example。com:80", want: "example.com:80"},
		{class: "full-width digits spell an IP", address: "１２７.０.０.１:80", want: "127.0.0.1:80"},
		{class: "IPv4", address: "127.0.0.1:80", want: "127.0.0.1:80"},
		{class: "IPv4 trailing dot", address: "127.0.0.1.:80", want: "127.0.0.1:80"},
		{class: "IPv4 in brackets", address: "[127.0.0.1]:80", want: "127.0.0.1:80"},
		{class: "IPv4-mapped IPv6", address: "[::ffff:127.0.0.1]:80", want: "127.0.0.1:80"},
		{class: "IPv4-mapped IPv6 in hex", address: "[::ffff:7f00:1]:80", want: "127.0.0.1:80"},
		{class: "IPv6 long form", address: "[0000:0000:0000:0000:0000:0000:0000:0001]:80", want: "[::1]:80"},
		{class: "IPv6 upper case", address: "[2001:DB8::1]:80", want: "[2001:db8::1]:80"},
		{class: "IPv6 zone kept", address: "[fe80::1%eth0]:80", want: "[fe80::1%eth0]:80"},
		{class: "IPv6 zone, long form", address: "[FE80:0::1%eth0]:80", want: "[fe80::1%eth0]:80"},
		{class: "IPv6 zone on a global address dropped", address: "[2001:db8::1%eth0]:80", want: "[2001:db8::1]:80"},
		{class: "port", address: "example.com:0", want: "example.com:0"},
	}
	for _, tt := range tests {
		t.Run(tt.class, func(t *testing.T) {
			got, err := rules.Canonical(tt.address)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := rules.Canonical(got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "the canonical form is its own canonical form")
			_, matched, err := compile(t, "*").Match(tt.address)
			require.NoError(t, err)
			assert.Equal(t, got, matched, "Match checks the form Canonical gives")
		})
	}
}

func TestCanonicalRefusesWhatItCannotRead(t *testing.T) {
	tests := []struct {
		name    string
		address string
		reason  string
	}{
		{name: "no port", address: "example.com", reason: "missing port in address"},
		{name: "empty", address: "", reason: "missing port in address"},
		{name: "empty port", address: "example.com:", reason: "empty port"},
		{name: "empty host", address: ":80", reason: "empty host"},
		{name: "unbracketed IPv6", address: "::1:80", reason: "too many colons"},
		{name: "space in host", address: "exa mple.com:80", reason: `character ' '`},
		{name: "star in host", address: "*:80", reason: `character '*'`},
		{name: "empty label", address: "a..b:80", reason: "empty label"},
		{name: "port name", address: "example.com:http", reason: "not a decimal number"},
		{name: "port sign", address: "example.com:+80", reason: "not a decimal number"},
		{name: "port leading zero", address: "example.com:080", reason: "leading zero"},
		{name: "port too big", address: "example.com:65536", reason: "above 65535"},
		{name: "short IPv4", address: "127.1:80", reason: "not a dotted-quad"},
		{name: "too long", address: strings.Repeat("a", 2000) + ":80", reason: "address of 2003 bytes is longer than the 1032 an address may have"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			canonical, err := rules.Canonical(tt.address)
			assert.Empty(t, canonical)
			require.ErrorIs(t, err, rules.ErrInvalidAddress)
			assert.True(t, strings.HasPrefix(err.Error(), "dialx: invalid address: "), err.Error())
			assert.ErrorContains(t, err, tt.reason)
		})
	}
}

func TestCanonicalOfACanonicalAddressDoesNotAllocate(t *testing.T) {
	for _, address := range []string{"www.example.com:443", "192.0.2.1:80", "[2001:db8::1]:443", "[fe80::1%eth0]:22"} {
		allocs := testing.AllocsPerRun(1000, func() {
			if _, err := rules.Canonical(address); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, address)
	}
}
