package rules

import (
	"math/rand/v2"
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
