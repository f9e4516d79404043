package rules

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// prefixTrie holds the IP and CIDR rules in a path-compressed binary trie
// over 128-bit keys. IPv4 blocks are stored as the IPv4-mapped IPv6 blocks
// they stand for (10.0.0.0/8 as ::ffff:10.0.0.0/104), at depth 96 or more,
// so a walk for an IPv4 address passes only the IPv6 blocks above
// ::ffff:0:0/96, which it skips (an IPv6 block never holds an IPv4
// address), and a walk for an IPv6 address never reaches an IPv4 block
// (canonical IPv6 addresses are never IPv4-mapped). A walk
// visits only nodes whose block holds the address, at most one per distinct
// prefix length on its path, so its cost is bounded by the address width and
// does not grow with the number of prefix lengths in use elsewhere.
type prefixTrie struct {
	nodes []prefixNode // nodes[0] is the root, the block ::/0
}

// prefixNode is a block: either the prefix of some rules, or a branch point
// where the blocks below it first differ.
type prefixNode struct {
	key      key128 // the block's address, masked to bits
	bits     int
	ids      []int32  // rules of exactly this block, in rule order
	children [2]int32 // by the bit after the block; 0 means none
}

// key128 is an IPv6 address, or an IPv4 address in its mapped form, as two
// big-endian halves.
type key128 struct{ hi, lo uint64 }

func keyOf(ip netip.Addr) key128 {
	b := ip.As16() // maps an IPv4 address
	return key128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

// prefixKey returns prefix as a block of the 128-bit key space.
func prefixKey(prefix netip.Prefix) (key128, int) {
	bits := prefix.Bits()
	if prefix.Addr().Is4() {
		bits += 96
	}
	return keyOf(prefix.Addr()).masked(bits), bits
}

// masked keeps the first n bits of k.
func (k key128) masked(n int) key128 {
	switch {
	case n <= 0:
		return key128{}
	case n < 64:
		return key128{k.hi &^ (^uint64(0) >> n), 0}
	case n < 128:
		return key128{k.hi, k.lo &^ (^uint64(0) >> (n - 64))}
	}
	return k
}

// bit returns bit n of k, counting from the most significant.
func (k key128) bit(n int) int {
	if n < 64 {
		return int(k.hi >> (63 - n) & 1)
	}
	return int(k.lo >> (127 - n) & 1)
}

// common returns how many leading bits k and other share.
func (k key128) common(other key128) int {
	if x := k.hi ^ other.hi; x != 0 {
		return bits.LeadingZeros64(x)
	}
	return 64 + bits.LeadingZeros64(k.lo^other.lo)
}

// add files rule id under prefix; ids must be added in increasing order.
func (t *prefixTrie) add(prefix netip.Prefix, id int32) {
	if t.nodes == nil {
		t.nodes = []prefixNode{{}}
	}
	key, size := prefixKey(prefix)
	n := int32(0)
	for {
		node := &t.nodes[n]
		if node.bits == size {
			node.ids = append(node.ids, id)
			return
		}
		side := key.bit(node.bits)
		child := node.children[side]
		if child == 0 {
			leaf := t.newNode(key, size, id)
			t.nodes[n].children[side] = leaf
			return
		}
		c := &t.nodes[child]
		shared := min(key.common(c.key), c.bits, size)
		if shared == c.bits {
			n = child // c's block holds the new one
			continue
		}
		// The new block and c's part ways at bit shared, or the new block
		// holds c's: put a node for the shared part between n and c.
		var between int32
		if shared == size {
			between = t.newNode(key, size, id)
		} else {
			between = t.newNode(key.masked(shared), shared, -1)
			leaf := t.newNode(key, size, id)
			t.nodes[between].children[key.bit(shared)] = leaf
		}
		t.nodes[between].children[t.nodes[child].key.bit(shared)] = child
		t.nodes[n].children[side] = between
		return
	}
}

// newNode appends a node for the block key/size holding rule id (none if
// id < 0) and returns its position.
func (t *prefixTrie) newNode(key key128, size int, id int32) int32 {
	node := prefixNode{key: key, bits: size}
	if id >= 0 {
		node.ids = []int32{id}
	}
	t.nodes = append(t.nodes, node)
	return int32(len(t.nodes) - 1)
}

// find returns the first rule before best, among the blocks holding ip,
// that admits port, or best if there is none.
func (t *prefixTrie) find(table *Table, ip netip.Addr, port uint16, best int32) int32 {
	if t.nodes == nil {
		return best
	}
	key := keyOf(ip)
	v4 := ip.Is4()
	n := int32(0)
	for {
		node := &t.nodes[n]
		if key.masked(node.bits) != node.key {
			return best
		}
		if !v4 || node.bits >= 96 {
			best = table.first(node.ids, port, best)
		}
		if node.bits == 128 {
			return best
		}
		if n = node.children[key.bit(node.bits)]; n == 0 {
			return best
		}
	}
}
