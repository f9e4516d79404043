package rules

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPrefixIndexAgreesWithLinear compares the index with the plain
// definition on large sets of IP and CIDR rules spread over every prefix
// length, IPv4, IPv6 and IPv4-mapped, where blocks nest and overlap deeply.
func TestPrefixIndexAgreesWithLinear(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	matched := 0
	for set := 0; set < 200; set++ {
		patterns := make([]pattern, 1+r.IntN(400))
		texts := make([]string, len(patterns))
		for i := range patterns {
			texts[i] = joinPattern(randBlock(r), randPortSuffix(r))
			var err error
			patterns[i], err = parsePattern(texts[i])
			require.NoError(t, err, texts[i])
		}
		x := mustCompile(t, texts)
		for range 100 {
			address := randNearIP(r)
			if strings.Contains(address, ":") {
				address = "[" + address + "]"
			}
			address += ":" + itoa(randPorts[r.IntN(len(randPorts))])
			var buf [maxHostLen + 1]byte
			target, err := parseTarget(buf[:0], address)
			require.NoError(t, err, address)
			want := linearFind(patterns, &target)
			require.Equal(t, want, x.find(&target), "rules %q, address %q", texts, address)
			if want >= 0 {
				matched++
			}
		}
	}
	require.Greater(t, matched, 1000)
}

// TestIPv4IndexAgreesWithLinear compares the IPv4 index with the plain
// definition on blocks of every length around a few addresses, so that they
// nest as deep as IPv4 allows and repeat, without port ranges (which keep a
// block in the trie instead).
func TestIPv4IndexAgreesWithLinear(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	bases := []uint32{0x0a000000, 0x0a0000ff, 0x0a010203, 0xc0a80101, 0xffffffff, 0}
	matched := 0
	for set := 0; set < 200; set++ {
		patterns := make([]pattern, 1+r.IntN(300))
		texts := make([]string, len(patterns))
		for i := range patterns {
			a := bases[r.IntN(len(bases))] ^ uint32(r.IntN(4))<<uint(r.IntN(32))
			prefix := netip.PrefixFrom(v4Addr(a), r.IntN(33)).Masked()
			texts[i] = prefix.String()
			if prefix.IsSingleIP() && r.IntN(2) == 0 {
				texts[i] = prefix.Addr().String()
			}
			var err error
			patterns[i], err = parsePattern(texts[i])
			require.NoError(t, err, texts[i])
		}
		x := mustCompile(t, texts)
		for i, text := range texts {
			got, _, _ := x.Rule(i)
			require.Equal(t, text, got)
		}
		for range 100 {
			a := bases[r.IntN(len(bases))] ^ uint32(r.IntN(4))<<uint(r.IntN(32))
			address := v4Addr(a).String() + ":80"
			var buf [maxHostLen + 1]byte
			target, err := parseTarget(buf[:0], address)
			require.NoError(t, err, address)
			want := linearFind(patterns, &target)
			require.Equal(t, want, x.find(&target), "rules %q, address %q", texts, address)
			if want >= 0 {
				matched++
			}
		}
	}
	require.Greater(t, matched, 5000)
}
