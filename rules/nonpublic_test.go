package rules_test

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/internal/nonpublic"
	"github.com/dialx/dialx/internal/prefixcover"
	"github.com/dialx/dialx/rules"
)

// nonPublicGuard asks whether an address is refused in the two ways a user
// can: netip.Prefix.Contains on the unmapped address, and a Table of every
// block followed by "*". The two must agree.
type nonPublicGuard struct {
	prefixes []netip.Prefix
	table    *rules.Table
}

func newNonPublicGuard(t *testing.T) *nonPublicGuard {
	t.Helper()
	g := &nonPublicGuard{prefixes: rules.NonPublicPrefixes()}
	var patterns []string
	for _, prefix := range g.prefixes {
		patterns = append(patterns, prefix.String())
	}
	g.table = compile(t, append(patterns, "*")...)
	return g
}

func (g *nonPublicGuard) refused(t *testing.T, addr netip.Addr) bool {
	t.Helper()
	byPrefix := slices.ContainsFunc(g.prefixes, func(p netip.Prefix) bool { return p.Contains(addr.Unmap()) })
	i, _, err := g.table.Match(net.JoinHostPort(addr.String(), "443"))
	require.NoError(t, err)
	assert.Equal(t, byPrefix, i < len(g.prefixes), "%s: netip.Prefix.Contains and Table disagree", addr)
	return byPrefix
}

// TestNonPublicPrefixesAllowWellKnownPublicAddresses checks well-known public addresses.
func TestNonPublicPrefixesAllowWellKnownPublicAddresses(t *testing.T) {
	g := newNonPublicGuard(t)
	for _, addr := range []string{
		"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112", "208.67.222.222",
		"2606:4700:4700::1111", "2606:4700:4700::1001", "2001:4860:4860::8888", "2001:4860:4860::8844",
		"2620:fe::fe", "2620:119:35::35",
		"::ffff:8.8.8.8", "::ffff:1.1.1.1", // IPv4-mapped: judged by the IPv4 address
		"168.63.129.16", // Azure's platform address: public, see NonPublicPrefixes
	} {
		assert.False(t, g.refused(t, netip.MustParseAddr(addr)), addr)
	}
}

// TestNonPublicPrefixesJudgeOnlyMappedIPv4ByTheAddressCarried checks the IPv6 forms that carry an IPv4
// address: all are refused whole except the IPv4-mapped form, which is
// judged by the address it carries.
func TestNonPublicPrefixesJudgeOnlyMappedIPv4ByTheAddressCarried(t *testing.T) {
	tests := []struct {
		addr    string
		refused bool
		why     string
	}{
		{addr: "64:ff9b::a00:5", refused: true, why: "NAT64 well-known prefix, carrying 10.0.0.5"},
		{addr: "64:ff9b::808:808", refused: true, why: "NAT64 well-known prefix, refused whole even carrying 8.8.8.8"},
		{addr: "64:ff9b:1::a00:5", refused: true, why: "NAT64 local-use prefix"},
		{addr: "64:ff9b:1:808:8:800::", refused: true, why: "NAT64 local-use /48 prefix, carrying 8.8.8.8 (RFC 6052, Section 2.2)"},
		{addr: "::a00:5", refused: true, why: "IPv4-compatible, carrying 10.0.0.5"},
		{addr: "::808:808", refused: true, why: "IPv4-compatible, refused whole even carrying 8.8.8.8"},
		{addr: "2002:a00:5::1", refused: true, why: "6to4, carrying 10.0.0.5"},
		{addr: "2002:808:808::1", refused: true, why: "6to4, refused whole even carrying 8.8.8.8"},
		{addr: "2001:0:a00:5::f5ff:fffa", refused: true, why: "Teredo, server 10.0.0.5, client 10.0.0.5 obfuscated"},
		{addr: "2001:0:4136:e378:8000:63bf:3fff:fdd2", refused: true, why: "Teredo, the example of RFC 4380"},
		{addr: "::ffff:0:a00:5", refused: true, why: "IPv4-translated (RFC 2765), in the IETF-reserved ::/8"},
		{addr: "::ffff:10.0.0.5", refused: true, why: "IPv4-mapped, judged as 10.0.0.5"},
		{addr: "::ffff:127.0.0.1", refused: true, why: "IPv4-mapped, judged as 127.0.0.1"},
		{addr: "::ffff:169.254.169.254", refused: true, why: "IPv4-mapped, judged as 169.254.169.254"},
		{addr: "::ffff:0.0.0.0", refused: true, why: "IPv4-mapped, judged as 0.0.0.0"},
		{addr: "::ffff:255.255.255.255", refused: true, why: "IPv4-mapped, judged as 255.255.255.255"},
		{addr: "::ffff:8.8.8.8", refused: false, why: "IPv4-mapped, judged as 8.8.8.8"},
		{addr: "2606:4700:4700::5efe:a00:5", refused: false, why: "ISATAP identifier under a global prefix: judged by the prefix, not covered"},
	}
	g := newNonPublicGuard(t)
	for _, tt := range tests {
		assert.Equal(t, tt.refused, g.refused(t, netip.MustParseAddr(tt.addr)), "%s: %s", tt.addr, tt.why)
	}
	// ::/8 is listed whole: it holds the IPv4-mapped block, but an IPv6
	// block never holds an IPv4 address, so 8.8.8.8 above is still allowed.
	assert.Contains(t, g.prefixes, netip.MustParsePrefix("::/8"))
}

// TestNonPublicPrefixesAreSortedDisjointAndCoverTheRegistries checks the
// shape NonPublicPrefixes promises.
func TestNonPublicPrefixesAreSortedDisjointAndCoverTheRegistries(t *testing.T) {
	prefixes := rules.NonPublicPrefixes()
	assert.True(t, slices.IsSortedFunc(prefixes, netip.Prefix.Compare), "not sorted")
	for i, prefix := range prefixes {
		assert.Equal(t, prefix.Masked(), prefix, "not masked")
		assert.False(t, prefix.Addr().Is4In6(), "%s: an IPv4 block must be an IPv4 prefix", prefix)
		for _, other := range prefixes[i+1:] {
			assert.False(t, prefix.Overlaps(other), "%s overlaps %s", prefix, other)
		}
	}

	rows := nonpublic.Blocks()
	mapped := netip.MustParsePrefix("::ffff:0:0/96")
	for _, prefix := range prefixes {
		assert.True(t, slices.ContainsFunc(rows, func(row nonpublic.Block) bool {
			return row.Prefix.Bits() <= prefix.Bits() && row.Prefix.Contains(prefix.Addr())
		}), "%s lies in no row of the table", prefix)
	}
	for _, row := range rows {
		assert.True(t, prefixcover.Covers(prefixes, row.Prefix, mapped), "%s is not covered", row.Prefix)
	}
	for _, block := range []string{"::/3", "4000::/2", "8000::/1"} { // all of IPv6 but 2000::/3
		assert.True(t, prefixcover.Covers(prefixes, netip.MustParsePrefix(block), mapped), "%s is not covered", block)
	}
	assert.False(t, prefixcover.Covers(prefixes, netip.MustParsePrefix("2000::/3"), netip.Prefix{}))
}

func TestNonPublicPrefixesReturnsAFreshCopyEachCall(t *testing.T) {
	want := rules.NonPublicPrefixes()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			prefixes := rules.NonPublicPrefixes()
			for i := range prefixes {
				prefixes[i] = netip.Prefix{}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, want, rules.NonPublicPrefixes())
}

// TestREADMEListsNonPublicPrefixes keeps the list written out in the README
// equal to the built-in set, in order.
func TestREADMEListsNonPublicPrefixes(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, rest, found := strings.Cut(string(readme), "<!-- nonpublic:begin -->")
	require.True(t, found, "README has no nonpublic:begin marker")
	list, _, found := strings.Cut(rest, "<!-- nonpublic:end -->")
	require.True(t, found, "README has no nonpublic:end marker")
	var listed []netip.Prefix
	for _, field := range strings.Fields(list) {
		listed = append(listed, netip.MustParsePrefix(strings.Trim(field, "`")))
	}
	assert.Equal(t, rules.NonPublicPrefixes(), listed)
}

const (
	v4special = "IANA IPv4 Special-Purpose Address Registry: "
	v6special = "IANA IPv6 Special-Purpose Address Registry: "
	v4space   = "IANA IPv4 Address Space Registry: "
	v6space   = "IANA IPv6 Address Space Registry: "
)

// TestBlocksAreTheRowsOfTheRegistries gives every row of the table its
// source and samples, refused by rules.NonPublicPrefixes. The first and last address of
// each block are checked without being listed; outside and beside must
// between them hold the addresses just below and just above the block.
func TestBlocksAreTheRowsOfTheRegistries(t *testing.T) {
	tests := []struct {
		block     string
		source    string   // registry: name, RFC
		reachable bool     // the registry calls it globally reachable
		inside    []string // refused, besides the first and last address
		outside   []string // just outside the block and allowed
		beside    []string // just outside the block and refused by another row
	}{
		{block: "0.0.0.0/8", source: v4special + `"This network", RFC 791, Section 3.2`, inside: []string{"0.0.0.1"}, outside: []string{"1.0.0.0"}},
		{block: "0.0.0.0/32", source: v4special + `"This host on this network", RFC 1122, Section 3.2.1.3`, beside: []string{"0.0.0.1"}},
		{block: "10.0.0.0/8", source: v4special + "Private-Use, RFC 1918", inside: []string{"10.0.0.1"}, outside: []string{"9.255.255.255", "11.0.0.0"}},
		{block: "100.64.0.0/10", source: v4special + "Shared Address Space, RFC 6598", inside: []string{"100.100.100.200"}, outside: []string{"100.63.255.255", "100.128.0.0"}},
		{block: "127.0.0.0/8", source: v4special + "Loopback, RFC 1122, Section 3.2.1.3", inside: []string{"127.0.0.1"}, outside: []string{"126.255.255.255", "128.0.0.0"}},
		{block: "169.254.0.0/16", source: v4special + "Link Local, RFC 3927", inside: []string{"169.254.169.254", "169.254.169.253", "169.254.169.123"}, outside: []string{"169.253.255.255", "169.255.0.0"}},
		{block: "172.16.0.0/12", source: v4special + "Private-Use, RFC 1918", inside: []string{"172.17.0.1"}, outside: []string{"172.15.255.255", "172.32.0.0"}},
		{block: "192.0.0.0/24", source: v4special + "IETF Protocol Assignments, RFC 6890, Section 2.1", outside: []string{"191.255.255.255", "192.0.1.0"}},
		{block: "192.0.0.0/29", source: v4special + "IPv4 Service Continuity Prefix, RFC 7335", outside: []string{"191.255.255.255"}, beside: []string{"192.0.0.8"}},
		{block: "192.0.0.8/32", source: v4special + "IPv4 dummy address, RFC 7600", beside: []string{"192.0.0.7", "192.0.0.9"}},
		{block: "192.0.0.9/32", source: v4special + "Port Control Protocol Anycast, RFC 7723", reachable: true, beside: []string{"192.0.0.8", "192.0.0.10"}},
		{block: "192.0.0.10/32", source: v4special + "Traversal Using Relays around NAT Anycast, RFC 8155", reachable: true, beside: []string{"192.0.0.9", "192.0.0.11"}},
		{block: "192.0.0.170/32", source: v4special + "NAT64/DNS64 Discovery, RFC 8880; RFC 7050, Section 2.2", beside: []string{"192.0.0.169", "192.0.0.171"}},
		{block: "192.0.0.171/32", source: v4special + "NAT64/DNS64 Discovery, RFC 8880; RFC 7050, Section 2.2", beside: []string{"192.0.0.170", "192.0.0.172"}},
		{block: "192.0.2.0/24", source: v4special + "Documentation (TEST-NET-1), RFC 5737", outside: []string{"192.0.1.255", "192.0.3.0"}},
		{block: "192.31.196.0/24", source: v4special + "AS112-v4, RFC 7535", reachable: true, outside: []string{"192.31.195.255", "192.31.197.0"}},
		{block: "192.52.193.0/24", source: v4special + "AMT, RFC 7450", reachable: true, outside: []string{"192.52.192.255", "192.52.194.0"}},
		{block: "192.88.99.0/24", source: v4special + "Deprecated (6to4 Relay Anycast), RFC 7526", inside: []string{"192.88.99.1"}, outside: []string{"192.88.98.255", "192.88.100.0"}},
		{block: "192.88.99.2/32", source: v4special + "6a44-relay anycast address, RFC 6751", beside: []string{"192.88.99.1", "192.88.99.3"}},
		{block: "192.168.0.0/16", source: v4special + "Private-Use, RFC 1918", inside: []string{"192.168.1.1"}, outside: []string{"192.167.255.255", "192.169.0.0"}},
		{block: "192.175.48.0/24", source: v4special + "Direct Delegation AS112 Service, RFC 7534", reachable: true, outside: []string{"192.175.47.255", "192.175.49.0"}},
		{block: "198.18.0.0/15", source: v4special + "Benchmarking, RFC 2544", outside: []string{"198.17.255.255", "198.20.0.0"}},
		{block: "198.51.100.0/24", source: v4special + "Documentation (TEST-NET-2), RFC 5737", outside: []string{"198.51.99.255", "198.51.101.0"}},
		{block: "203.0.113.0/24", source: v4special + "Documentation (TEST-NET-3), RFC 5737", outside: []string{"203.0.112.255", "203.0.114.0"}},
		{block: "224.0.0.0/4", source: v4space + "Multicast, RFC 5771", inside: []string{"224.0.0.251"}, outside: []string{"223.255.255.255"}, beside: []string{"240.0.0.0"}},
		{block: "240.0.0.0/4", source: v4special + "Reserved, RFC 1112, Section 4", beside: []string{"239.255.255.255"}},
		{block: "255.255.255.255/32", source: v4special + "Limited Broadcast, RFC 8190; RFC 919, Section 7", beside: []string{"255.255.255.254"}},

		// ::/8 holds ::ffff:0:0/96, whose addresses are judged as IPv4: see
		// TestNonPublicPrefixesJudgeOnlyMappedIPv4ByTheAddressCarried in package rules.
		{block: "::/8", source: v6space + "Reserved by IETF, RFC 4291", inside: []string{"::ffff:0:a00:5", "::1:0:0:0", "::fffe:ffff:ffff"}, beside: []string{"100::"}},
		{block: "::/96", source: v6space + "IPv4-compatible IPv6 address (deprecated), RFC 4291, Section 2.5.5.1", inside: []string{"::a00:5", "::808:808"}, beside: []string{"::1:0:0"}},
		{block: "::/128", source: v6special + "Unspecified Address, RFC 4291", beside: []string{"::1"}},
		{block: "::1/128", source: v6special + "Loopback Address, RFC 4291", beside: []string{"::", "::2"}},
		{block: "64:ff9b::/96", source: v6special + "IPv4-IPv6 Translat., RFC 6052", reachable: true, inside: []string{"64:ff9b::a00:5", "64:ff9b::808:808"}, beside: []string{"64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", "64:ff9b::1:0:0"}},
		{block: "64:ff9b:1::/48", source: v6special + "IPv4-IPv6 Translat., RFC 8215", inside: []string{"64:ff9b:1::a00:5"}, beside: []string{"64:ff9b:0:ffff:ffff:ffff:ffff:ffff", "64:ff9b:2::"}},
		{block: "100::/8", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "200::"}},
		{block: "100::/64", source: v6special + "Discard-Only Address Block, RFC 6666", beside: []string{"ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "100:0:0:1::"}},
		{block: "100:0:0:1::/64", source: v6special + "Dummy IPv6 Prefix, RFC 9780", beside: []string{"100::ffff:ffff:ffff:ffff", "100:0:0:2::"}},
		{block: "200::/7", source: v6space + "Reserved by IETF (formerly NSAP-mapped), RFC 4048", beside: []string{"1ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "400::"}},
		{block: "400::/6", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"3ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "800::"}},
		{block: "800::/5", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"7ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1000::"}},
		{block: "1000::/4", source: v6space + "Reserved by IETF, RFC 4291", outside: []string{"2000::"}, beside: []string{"fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}},
		{block: "2001::/23", source: v6special + "IETF Protocol Assignments, RFC 2928", outside: []string{"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:200::"}},
		{block: "2001::/32", source: v6special + "TEREDO, RFC 4380; RFC 8190", inside: []string{"2001:0:4136:e378:8000:63bf:3fff:fdd2"}, outside: []string{"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}, beside: []string{"2001:1::"}},
		{block: "2001:1::1/128", source: v6special + "Port Control Protocol Anycast, RFC 7723", reachable: true, beside: []string{"2001:1::", "2001:1::2"}},
		{block: "2001:1::2/128", source: v6special + "Traversal Using Relays around NAT Anycast, RFC 8155", reachable: true, beside: []string{"2001:1::1", "2001:1::3"}},
		{block: "2001:1::3/128", source: v6special + "DNS-SD Service Registration Protocol Anycast, RFC 9665", reachable: true, beside: []string{"2001:1::2", "2001:1::4"}},
		{block: "2001:2::/48", source: v6special + "Benchmarking, RFC 5180", beside: []string{"2001:1:ffff:ffff:ffff:ffff:ffff:ffff", "2001:2:1::"}},
		{block: "2001:3::/32", source: v6special + "AMT, RFC 7450", reachable: true, beside: []string{"2001:2:ffff:ffff:ffff:ffff:ffff:ffff", "2001:4::"}},
		{block: "2001:4:112::/48", source: v6special + "AS112-v6, RFC 7535", reachable: true, beside: []string{"2001:4:111:ffff:ffff:ffff:ffff:ffff", "2001:4:113::"}},
		{block: "2001:10::/28", source: v6special + "Deprecated (previously ORCHID), RFC 4843", beside: []string{"2001:f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:20::"}},
		{block: "2001:20::/28", source: v6special + "ORCHIDv2, RFC 7343", reachable: true, beside: []string{"2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:30::"}},
		{block: "2001:30::/28", source: v6special + "Drone Remote ID Protocol Entity Tags (DETs) Prefix, RFC 9374", reachable: true, beside: []string{"2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:40::"}},
		{block: "2001:db8::/32", source: v6special + "Documentation, RFC 3849", outside: []string{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"}},
		{block: "2002::/16", source: v6special + "6to4, RFC 3056", inside: []string{"2002:a00:5::1", "2002:808:808::1"}, outside: []string{"2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2003::"}},
		{block: "2620:4f:8000::/48", source: v6special + "Direct Delegation AS112 Service, RFC 7534", reachable: true, outside: []string{"2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", "2620:4f:8001::"}},
		{block: "3fff::/20", source: v6special + "Documentation, RFC 9637", outside: []string{"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff:1000::"}},
		{block: "4000::/3", source: v6space + "Reserved by IETF, RFC 4291", outside: []string{"3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}, beside: []string{"6000::"}},
		{block: "5f00::/16", source: v6special + "Segment Routing (SRv6) SIDs, RFC 9602", beside: []string{"5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "5f01::"}},
		{block: "6000::/3", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"5fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "8000::"}},
		{block: "8000::/3", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "a000::"}},
		{block: "a000::/3", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"9fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "c000::"}},
		{block: "c000::/3", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"bfff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "e000::"}},
		{block: "e000::/4", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"dfff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "f000::"}},
		{block: "f000::/5", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"efff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "f800::"}},
		{block: "f800::/6", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"f7ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::"}},
		{block: "fc00::/7", source: v6special + "Unique-Local, RFC 4193; RFC 8190", inside: []string{"fd00:ec2::254"}, beside: []string{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe00::"}},
		{block: "fe00::/9", source: v6space + "Reserved by IETF, RFC 4291", beside: []string{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::"}},
		{block: "fe80::/10", source: v6special + "Link-Local Unicast, RFC 4291", inside: []string{"fe80::1"}, beside: []string{"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::"}},
		{block: "fec0::/10", source: v6space + "Reserved by IETF (formerly Site-Local), RFC 3879", beside: []string{"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ff00::"}},
		{block: "ff00::/8", source: v6space + "Multicast, RFC 4291", inside: []string{"ff02::1"}, beside: []string{"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}},
	}
	rows := nonpublic.Blocks()
	require.Len(t, rows, len(tests), "every row of the table needs a test row, in the same order")
	g := newNonPublicGuard(t)
	for i, tt := range tests {
		t.Run(tt.block, func(t *testing.T) {
			block := netip.MustParsePrefix(tt.block)
			assert.Equal(t, block, rows[i].Prefix)
			assert.Equal(t, tt.source, rows[i].Registry+": "+rows[i].Name+", "+rows[i].RFC)
			assert.Equal(t, tt.reachable, rows[i].Reachable)

			first, last := block.Addr(), prefixcover.Last(block)
			for _, addr := range append([]netip.Addr{first, last}, parseAddrs(tt.inside)...) {
				assert.True(t, block.Contains(addr), "%s is not inside", addr)
				assert.True(t, g.refused(t, addr), "%s is allowed", addr)
			}
			for _, addr := range parseAddrs(tt.outside) {
				assert.False(t, block.Contains(addr), "%s is inside", addr)
				assert.False(t, g.refused(t, addr), "%s is refused", addr)
			}
			for _, addr := range parseAddrs(tt.beside) {
				assert.False(t, block.Contains(addr), "%s is inside", addr)
				assert.True(t, g.refused(t, addr), "%s is allowed", addr)
			}
			near := parseAddrs(append(slices.Clone(tt.outside), tt.beside...))
			for _, neighbour := range []netip.Addr{first.Prev(), last.Next()} {
				if neighbour.IsValid() {
					assert.Contains(t, near, neighbour, "the address next to the block is not classified")
				}
			}
		})
	}
}

// TestReachableBlocksAreRefusedOnlyForAReason states why rows the
// registries call globally reachable are refused: they lie in a larger block that is not
// (192.0.0.9/32 in 192.0.0.0/24, 64:ff9b::/96 in ::/8), or common guards
// refuse them whole (see NonPublicPrefixes).
func TestReachableBlocksAreRefusedOnlyForAReason(t *testing.T) {
	refusedWhole := map[netip.Prefix]string{
		netip.MustParsePrefix("192.31.196.0/24"):   "AS112 anycast: code.dny.dev/ssrf refuses it",
		netip.MustParsePrefix("192.52.193.0/24"):   "AMT relay anycast: code.dny.dev/ssrf refuses it",
		netip.MustParsePrefix("192.175.48.0/24"):   "AS112 anycast: code.dny.dev/ssrf refuses it",
		netip.MustParsePrefix("2620:4f:8000::/48"): "AS112 anycast: code.dny.dev/ssrf refuses it",
	}
	rows := nonpublic.Blocks()
	for _, row := range rows {
		if !row.Reachable {
			continue
		}
		inUnreachable := slices.ContainsFunc(rows, func(outer nonpublic.Block) bool {
			return !outer.Reachable && outer.Prefix.Bits() < row.Prefix.Bits() && outer.Prefix.Contains(row.Prefix.Addr())
		})
		_, whole := refusedWhole[row.Prefix]
		assert.True(t, inUnreachable || whole, "%s (%s): refused neither as part of a larger block nor on purpose", row.Prefix, row.Name)
	}
}

func parseAddrs(addrs []string) []netip.Addr {
	out := make([]netip.Addr, len(addrs))
	for i, addr := range addrs {
		out[i] = netip.MustParseAddr(addr)
	}
	return out
}

// smokescreenBlocks is what github.com/stripe/smokescreen v0.1.0 (the Go
// module, published 2026-09-18; the same code as commit a3294a6 of its
// repository) refuses by default: classifyAddr in pkg/smokescreen/smokescreen.go
// with a Config that has no AllowRanges, DenyRanges or
// UnsafeAllowPrivateRanges. It also refuses the proxy's own addresses, which
// depend on where it runs. IPv4-mapped addresses are judged as IPv4, since
// net.IP.To4 unmaps them. smokescreenRefuses restates the same checks with
// the standard library's net.IP methods that classifyAddr calls.
var smokescreenBlocks = []struct {
	block string
	check string
}{
	{block: "0.0.0.0/32", check: "!IsGlobalUnicast (unspecified)"},
	{block: "::/128", check: "!IsGlobalUnicast (unspecified)"},
	{block: "255.255.255.255/32", check: "!IsGlobalUnicast (IPv4 broadcast)"},
	{block: "127.0.0.0/8", check: "IsLoopback"},
	{block: "::1/128", check: "IsLoopback"},
	{block: "224.0.0.0/4", check: "!IsGlobalUnicast (multicast)"},
	{block: "ff00::/8", check: "!IsGlobalUnicast (multicast)"},
	{block: "169.254.0.0/16", check: "!IsGlobalUnicast (link-local unicast)"},
	{block: "fe80::/10", check: "!IsGlobalUnicast (link-local unicast)"},
	{block: "10.0.0.0/8", check: "IsPrivate"},
	{block: "172.16.0.0/12", check: "IsPrivate"},
	{block: "192.168.0.0/16", check: "IsPrivate"},
	{block: "fc00::/7", check: "IsPrivate"},
	{block: "100.64.0.0/10", check: "addrIsCGNAT"},
	{block: "64:ff9b::/96", check: "addrIsNAT64 (addrHasIPv6Embedding)"},
	{block: "2002::/16", check: "addrIs6to4 (addrHasIPv6Embedding)"},
	{block: "2001::/32", check: "addrIsTeredo (addrHasIPv6Embedding)"},
}

func smokescreenRefuses(addr netip.Addr) bool {
	ip := net.IP(addr.AsSlice())
	embedding := ip.To4() == nil && slices.ContainsFunc([]string{"64:ff9b::/96", "2002::/16", "2001::/32"}, func(block string) bool {
		return netip.MustParsePrefix(block).Contains(addr)
	})
	return !ip.IsGlobalUnicast() || ip.IsLoopback() || embedding || ip.IsPrivate() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(addr.Unmap())
}

// TestPrefixesCoverSmokescreen checks that everything smokescreen refuses
// by default is refused here too.
func TestPrefixesCoverSmokescreen(t *testing.T) {
	g := newNonPublicGuard(t)
	var blocks []netip.Prefix
	for _, b := range smokescreenBlocks {
		block := netip.MustParsePrefix(b.block)
		blocks = append(blocks, block)
		assert.True(t, prefixcover.Covers(g.prefixes, block, netip.Prefix{}), "%s (%s) is not covered", block, b.check)
	}

	samples := sampleAddrs(append(slices.Clone(blocks), g.prefixes...))
	for _, addr := range samples {
		listed := slices.ContainsFunc(blocks, func(p netip.Prefix) bool { return p.Contains(addr.Unmap()) })
		require.Equal(t, listed, smokescreenRefuses(addr), "%s: smokescreenBlocks and smokescreenRefuses disagree", addr)
		if listed {
			assert.True(t, g.refused(t, addr), "%s: refused by smokescreen, allowed here", addr)
		}
	}
}

// sampleAddrs returns, for each block, its first and last address and the
// ones just outside, a few random addresses inside it, their IPv4-mapped
// forms, and random addresses from all over both address families.
func sampleAddrs(blocks []netip.Prefix) []netip.Addr {
	r := rand.New(rand.NewPCG(6890, 8190))
	var addrs []netip.Addr
	add := func(addr netip.Addr) {
		if addr.IsValid() {
			addrs = append(addrs, addr)
			if addr.Is4() {
				addrs = append(addrs, netip.AddrFrom16(addr.As16()))
			}
		}
	}
	for _, block := range blocks {
		first, last := block.Masked().Addr(), prefixcover.Last(block)
		for _, addr := range []netip.Addr{first, last, first.Prev(), last.Next()} {
			add(addr)
		}
		for range 8 {
			add(prefixcover.Random(r, block))
		}
	}
	for _, block := range []string{"0.0.0.0/0", "::/0", "2000::/3"} {
		for range 2000 {
			add(prefixcover.Random(r, netip.MustParsePrefix(block)))
		}
	}
	return addrs
}
