package nonpublic_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/nonpublic"
)

// TestNarrowestNamesTheSmallestBlockHoldingTheAddress checks the row a
// Guard's refusal names: the smallest that holds the address, an
// IPv4-mapped address judged as IPv4 and a zone ignored.
func TestNarrowestNamesTheSmallestBlockHoldingTheAddress(t *testing.T) {
	tests := []struct {
		addr  string
		block string // "": held by no block
		name  string
	}{
		{addr: "169.254.169.254", block: "169.254.0.0/16", name: "Link Local"},
		{addr: "0.0.0.0", block: "0.0.0.0/32", name: `"This host on this network"`},
		{addr: "0.0.0.1", block: "0.0.0.0/8", name: `"This network"`},
		{addr: "192.0.0.9", block: "192.0.0.9/32", name: "Port Control Protocol Anycast"},
		{addr: "192.0.0.100", block: "192.0.0.0/24", name: "IETF Protocol Assignments"},
		{addr: "::ffff:127.0.0.1", block: "127.0.0.0/8", name: "Loopback"},
		{addr: "::1", block: "::1/128", name: "Loopback Address"},
		{addr: "::a00:5", block: "::/96", name: "IPv4-compatible IPv6 address (deprecated)"},
		{addr: "fe80::1%eth0", block: "fe80::/10", name: "Link-Local Unicast"},
		{addr: "2001:1::3", block: "2001:1::3/128", name: "DNS-SD Service Registration Protocol Anycast"},
		{addr: "8.8.8.8"},
		{addr: "2001:4860:4860::8888"},
	}
	for _, tt := range tests {
		block, ok := nonpublic.Narrowest(netip.MustParseAddr(tt.addr))
		if tt.block == "" {
			assert.False(t, ok, "%s is held by %s", tt.addr, block.Prefix)
			continue
		}
		require.True(t, ok, "%s is held by no block", tt.addr)
		assert.Equal(t, netip.MustParsePrefix(tt.block), block.Prefix, tt.addr)
		assert.Equal(t, tt.name, block.Name, tt.addr)
	}
	_, ok := nonpublic.Narrowest(netip.Addr{})
	assert.False(t, ok, "the zero Addr")
}

// TestBlocksAndPrefixesReturnFreshCopies: changing what they return
// changes neither the table nor what the next call returns.
func TestBlocksAndPrefixesReturnFreshCopies(t *testing.T) {
	blocks, prefixes := nonpublic.Blocks(), nonpublic.Prefixes()
	nonpublic.Blocks()[0] = nonpublic.Block{}
	nonpublic.Prefixes()[0] = netip.Prefix{}
	assert.Equal(t, blocks, nonpublic.Blocks())
	assert.Equal(t, prefixes, nonpublic.Prefixes())
}
