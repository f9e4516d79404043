// Package prefixcover answers questions about sets of IP blocks that the
// tests comparing deny lists ask: does a set hold a whole block, where does a
// block end, what is a random address inside it.
package prefixcover

import (
	"math/rand/v2"
	"net/netip"
	"slices"
)

// Covers reports whether the blocks together hold every address of block,
// apart from those in except (pass the zero Prefix to except none). Blocks
// of the other address family hold nothing.
func Covers(blocks []netip.Prefix, block, except netip.Prefix) bool {
	holds := func(outer netip.Prefix) bool {
		return outer.IsValid() && outer.Bits() <= block.Bits() && outer.Contains(block.Addr())
	}
	switch {
	case holds(except) || slices.ContainsFunc(blocks, holds):
		return true
	case block.IsSingleIP() || !slices.ContainsFunc(blocks, block.Overlaps):
		return false
	}
	lower, upper := halves(block)
	return Covers(blocks, lower, except) && Covers(blocks, upper, except)
}

// halves splits block into its two halves.
func halves(block netip.Prefix) (lower, upper netip.Prefix) {
	raw := block.Masked().Addr().AsSlice()
	low, _ := netip.AddrFromSlice(raw)
	raw[block.Bits()/8] |= 0x80 >> (block.Bits() % 8)
	high, _ := netip.AddrFromSlice(raw)
	return netip.PrefixFrom(low, block.Bits()+1), netip.PrefixFrom(high, block.Bits()+1)
}

// Last returns the highest address of block.
func Last(block netip.Prefix) netip.Addr {
	raw := block.Masked().Addr().AsSlice()
	for i := block.Bits(); i < len(raw)*8; i++ {
		raw[i/8] |= 0x80 >> (i % 8)
	}
	addr, _ := netip.AddrFromSlice(raw)
	return addr
}

// Random returns an address of block drawn from r.
func Random(r *rand.Rand, block netip.Prefix) netip.Addr {
	raw := block.Masked().Addr().AsSlice()
	for i := block.Bits(); i < len(raw)*8; i++ {
		if r.IntN(2) == 1 {
			raw[i/8] |= 0x80 >> (i % 8)
		}
	}
	addr, _ := netip.AddrFromSlice(raw)
	return addr
}
