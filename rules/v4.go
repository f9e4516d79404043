package rules

import (
	"net/netip"
	"slices"
)

// v4Index holds the IPv4 addresses and blocks without a port range in an
// array sorted by address, blocks before the blocks they hold, each with
// the place of the nearest block that holds it. Blocks either hold one
// another or are apart, so the blocks that hold an address are the last
// block that starts at or before it, if it holds it, and the blocks on its
// way up: a bisection and at most 33 steps up, about 13 bytes a block.
type v4Index struct {
	addrs   []uint32 // first address of each block, in order
	bits    []uint8  // prefix length of each block
	ids     []int32  // the first pattern of each block
	parents []int32  // the place of the nearest block holding each, or -1
}

// v4Rule is an IPv4 pattern before the index is built.
type v4Rule struct {
	addr uint32
	bits uint8
	id   int32
}

// holds reports whether the block at addr/bits holds address a.
func holds(addr uint32, bits uint8, a uint32) bool {
	return (a^addr)>>(32-bits) == 0 // a shift by 32 leaves 0: a /0 holds all
}

// build sorts b.v4 into x, and tells the bare patterns where they are.
// Of equal blocks only the first is kept: no later one can match first. A
// bare pattern left out gets its text written out, for Rule.
func (x *v4Index) build(b *builder) {
	rules := b.v4
	if len(rules) == 0 {
		return
	}
	slices.SortFunc(rules, func(p, q v4Rule) int {
		switch {
		case p.addr != q.addr:
			return cmpUint32(p.addr, q.addr)
		case p.bits != q.bits:
			return int(p.bits) - int(q.bits)
		}
		return int(p.id - q.id)
	})
	x.addrs = make([]uint32, 0, len(rules))
	x.bits = make([]uint8, 0, len(rules))
	x.ids = make([]int32, 0, len(rules))
	x.parents = make([]int32, 0, len(rules))
	var open []int32 // the blocks holding the last one kept, innermost last
	for _, r := range rules {
		for len(open) > 0 {
			top := open[len(open)-1]
			if r.bits >= x.bits[top] && holds(x.addrs[top], x.bits[top], r.addr) {
				break
			}
			open = open[:len(open)-1]
		}
		if n := len(open); n > 0 && x.addrs[open[n-1]] == r.addr && x.bits[open[n-1]] == r.bits {
			if k := b.t.kinds[r.id]; k&flagBare != 0 {
				prefix := netip.PrefixFrom(v4Addr(r.addr), int(r.bits))
				text := prefix.String()
				if k&flagAddr != 0 {
					text = prefix.Addr().String()
				}
				b.t.refs[r.id] = b.appendText(text, "")
				b.t.kinds[r.id] = k &^ (flagBare | flagAddr)
			}
			continue
		}
		parent := int32(-1)
		if len(open) > 0 {
			parent = open[len(open)-1]
		}
		slot := int32(len(x.addrs))
		x.addrs, x.bits = append(x.addrs, r.addr), append(x.bits, r.bits)
		x.ids, x.parents = append(x.ids, r.id), append(x.parents, parent)
		open = append(open, slot)
		if b.t.kinds[r.id]&flagBare != 0 {
			b.t.refs[r.id] = uint32(slot)
		}
	}
	x.addrs, x.bits, x.ids, x.parents = clip(x.addrs), clip(x.bits), clip(x.ids), clip(x.parents)
}

func cmpUint32(a, b uint32) int {
	if a < b {
		return -1
	}
	return 1
}

func v4Addr(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

// prefix returns the block at slot.
func (x *v4Index) prefix(slot uint32) netip.Prefix {
	return netip.PrefixFrom(v4Addr(x.addrs[slot]), int(x.bits[slot]))
}

// find returns the first pattern before best whose block holds ip, or best.
func (x *v4Index) find(ip [4]byte, best int32) int32 {
	a := uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
	lo, hi := 0, len(x.addrs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if x.addrs[m] <= a {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for i := int32(lo - 1); i >= 0; i = x.parents[i] {
		if id := x.ids[i]; id < best && holds(x.addrs[i], x.bits[i], a) {
			best = id
		}
	}
	return best
}
