package prefixcover_test

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dialx/dialx/internal/prefixcover"
)

func prefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

func TestCoversOnlyWhenTheBlocksLeaveNoGapButTheException(t *testing.T) {
	tests := []struct {
		name   string
		blocks []netip.Prefix
		block  string
		except string
		want   bool
	}{
		{name: "one block holds it", blocks: prefixes("10.0.0.0/8"), block: "10.1.0.0/16", want: true},
		{name: "equal block", blocks: prefixes("10.0.0.0/8"), block: "10.0.0.0/8", want: true},
		{name: "two halves", blocks: prefixes("10.0.0.0/9", "10.128.0.0/9"), block: "10.0.0.0/8", want: true},
		{name: "a gap", blocks: prefixes("10.0.0.0/9", "10.128.0.0/10"), block: "10.0.0.0/8", want: false},
		{name: "three blocks", blocks: prefixes("10.0.0.0/9", "10.128.0.0/10", "10.192.0.0/10"), block: "10.0.0.0/8", want: true},
		{name: "a larger block", blocks: prefixes("10.0.0.0/16"), block: "10.0.0.0/8", want: false},
		{name: "disjoint", blocks: prefixes("11.0.0.0/8"), block: "10.0.0.0/8", want: false},
		{name: "other family", blocks: prefixes("::/0"), block: "10.0.0.0/8", want: false},
		{name: "gap excepted", blocks: prefixes("::/1"), block: "::/0", except: "8000::/1", want: true},
		{name: "gap larger than exception", blocks: prefixes("::/1"), block: "::/0", except: "8000::/2", want: false},
		{name: "hole in the middle excepted", blocks: prefixes("::/81", "::8000:0:0/82", "::c000:0:0/83", "::e000:0:0/84", "::f000:0:0/85", "::f800:0:0/86", "::fc00:0:0/87", "::fe00:0:0/88", "::ff00:0:0/89", "::ff80:0:0/90", "::ffc0:0:0/91", "::ffe0:0:0/92", "::fff0:0:0/93", "::fff8:0:0/94", "::fffc:0:0/95", "::fffe:0:0/96"), block: "::/80", except: "::ffff:0:0/96", want: true},
		{name: "exception alone", blocks: nil, block: "::ffff:0:0/96", except: "::ffff:0:0/96", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var except netip.Prefix
			if tt.except != "" {
				except = netip.MustParsePrefix(tt.except)
			}
			assert.Equal(t, tt.want, prefixcover.Covers(tt.blocks, netip.MustParsePrefix(tt.block), except))
		})
	}
}

func TestLastIsTheHighestAddressOfTheBlock(t *testing.T) {
	for block, want := range map[string]string{
		"10.0.0.0/8":         "10.255.255.255",
		"10.1.2.3/8":         "10.255.255.255",
		"255.255.255.255/32": "255.255.255.255",
		"0.0.0.0/0":          "255.255.255.255",
		"2001:db8::/32":      "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
		"::/128":             "::",
		"::ffff:0:0/96":      "::ffff:255.255.255.255",
	} {
		assert.Equal(t, want, prefixcover.Last(netip.MustParsePrefix(block)).String(), block)
	}
}

func TestRandomStaysInsideTheBlock(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, block := range prefixes("10.0.0.0/8", "192.0.0.9/32", "2001:db8::/32", "::ffff:0:0/96", "::/0") {
		for range 100 {
			addr := prefixcover.Random(r, block)
			assert.True(t, block.Contains(addr), "%s outside %s", addr, block)
		}
	}
}
