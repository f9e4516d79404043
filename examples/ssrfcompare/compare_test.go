package ssrfcompare_test

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"code.dny.dev/ssrf"
	"github.com/stretchr/testify/assert"

	"github.com/dialx/dialx/internal/prefixcover"
	"github.com/dialx/dialx/rules"
)

var mapped = netip.MustParsePrefix("::ffff:0:0/96")

// refused is the verdict of rules.NonPublicPrefixes: an IPv4-mapped address is judged by the
// IPv4 address it carries.
func refused(prefixes []netip.Prefix, addr netip.Addr) bool {
	return slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(addr.Unmap()) })
}

// TestNonPublicPrefixesCoverTheListsSSRFExports checks the lists that ssrf exports: its IPv4 and IPv6
// deny lists, its NAT64 prefix (refused unless allowed by an option), and
// all IPv6 space outside its global unicast block.
func TestNonPublicPrefixesCoverTheListsSSRFExports(t *testing.T) {
	prefixes := rules.NonPublicPrefixes()
	for _, block := range slices.Concat(ssrf.IPv4DeniedPrefixes, ssrf.IPv6DeniedPrefixes, []netip.Prefix{ssrf.IPv6NAT64Prefix}) {
		assert.True(t, prefixcover.Covers(prefixes, block, netip.Prefix{}), "%s is refused by ssrf, not by dialx", block)
	}
	assert.Equal(t, netip.MustParsePrefix("2000::/3"), ssrf.IPv6GlobalUnicast)
	for _, block := range []string{"::/3", "4000::/2", "8000::/1"} { // all of IPv6 but 2000::/3
		assert.True(t, prefixcover.Covers(prefixes, netip.MustParsePrefix(block), mapped), "%s is refused by ssrf, not by dialx", block)
	}
}

// TestNonPublicPrefixesGiveTheVerdictsOfSSRF asks a default ssrf.Guardian about addresses at the
// edges of both lists and at random, and expects the dialx verdict for each:
// every address ssrf refuses is refused, and, as of ssrf v0.3.0, nothing
// else is, apart from IPv4-mapped addresses.
func TestNonPublicPrefixesGiveTheVerdictsOfSSRF(t *testing.T) {
	prefixes := rules.NonPublicPrefixes()
	guardian := ssrf.New(ssrf.WithAnyNetwork(), ssrf.WithAnyPort())
	edges := slices.Concat(prefixes, ssrf.IPv4DeniedPrefixes, ssrf.IPv6DeniedPrefixes, []netip.Prefix{ssrf.IPv6GlobalUnicast, ssrf.IPv6NAT64Prefix, mapped})
	r := rand.New(rand.NewPCG(6890, 8190))
	var addrs []netip.Addr
	for _, block := range edges {
		first, last := block.Masked().Addr(), prefixcover.Last(block)
		addrs = append(addrs, first, last, first.Prev(), last.Next(), prefixcover.Random(r, block))
	}
	for _, block := range []string{"0.0.0.0/0", "::/0", "2000::/3", "::ffff:0:0/96"} {
		for range 5000 {
			addrs = append(addrs, prefixcover.Random(r, netip.MustParsePrefix(block)))
		}
	}
	for _, addr := range addrs {
		if !addr.IsValid() {
			continue
		}
		theirs := guardian.SafeAddr(addr) != nil
		if addr.Is4In6() {
			assert.True(t, theirs, "%s: ssrf refuses every IPv4-mapped address", addr)
			theirs = guardian.SafeAddr(addr.Unmap()) != nil
		}
		assert.Equal(t, theirs, refused(prefixes, addr), "%s: ssrf refuses it: %v", addr, theirs)
	}
}

// TestOnlyMappedIPv4IsJudgedDifferently shows the one difference: ssrf refuses an IPv4-mapped
// address whatever it carries; dialx judges the IPv4 address.
func TestOnlyMappedIPv4IsJudgedDifferently(t *testing.T) {
	prefixes := rules.NonPublicPrefixes()
	guardian := ssrf.New()
	for addr, want := range map[string]bool{"::ffff:8.8.8.8": false, "::ffff:127.0.0.1": true, "::ffff:169.254.169.254": true} {
		a := netip.MustParseAddr(addr)
		assert.Error(t, guardian.SafeAddr(a), addr)
		assert.Equal(t, want, refused(prefixes, a), addr)
	}
}
