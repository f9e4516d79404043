package rules_test

import (
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
