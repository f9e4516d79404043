package rules

import (
	"bytes"
	"hash/maphash"
	"math/bits"
	"strings"
)

// nameIndex holds the name, domain and subdomains patterns in a hash table
// keyed by canonical name. A name is looked up once for itself and once for
// each name above it ("www.example.com", "example.com", "com"), so a match
// costs one probe a label, whatever the number of patterns.
//
// The table is a sorted array of entries with a directory of buckets, not
// a table of pointers: an entry is eight bytes (the upper bits of the
// name's hash, what kind of pattern it is, and the pattern's index), and a
// bucket holds four entries on average, in pattern order, so that the first
// entry that matches is the first pattern. Names are hashed label by label
// with a seed of the Table's own, so that no list can be made to fill one
// bucket, and the hash of "www.example.com" is built on that of
// "example.com": a lookup hashes each byte of the name once.
type nameIndex struct {
	seed    maphash.Seed
	shift   uint32   // a hash's bucket is its upper 32 bits >> shift
	dir     []uint32 // bucket b holds entries[dir[b]:dir[b+1]]
	entries []uint64 // tag << 32 | pattern index
	// labels is the most labels a pattern's name has: no name with more
	// labels above it can match, so a lookup of "a.a.a.….example" stops
	// there instead of probing for each of up to 127 labels.
	labels int
}

// The kinds of name pattern, as an entry's tag holds them.
const (
	nameExact  = 1 // "example.com": that name only
	nameDomain = 2 // ".example.com": the name and every name below it
	nameBelow  = 3 // "*.example.com": every name strictly below
)

// An entry's tag is the upper 29 bits of the hash, the kind in the next two
// and, in the lowest, whether the pattern has a port range.
const (
	tagHash = ^uint32(7)
	tagPort = 1
)

func nameCode(kind hostKind) uint32 {
	switch kind {
	case hostName:
		return nameExact
	case hostDomain:
		return nameDomain
	}
	return nameBelow
}

// foldLabel returns the hash of a name from h, the hash of the name's labels
// to the right of its first ("example.com" for "www.example.com"), or 0 for
// none, and label, the hash of its first label.
func foldLabel(h, label uint64) uint64 {
	h ^= label
	// splitmix64's finalizer: the order of the labels counts.
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	return h ^ h>>31
}

// hashName returns the hash of a canonical name, as find builds it, and
// the number of its labels.
func (x *nameIndex) hashName(name string) (h uint64, labels int) {
	for end := len(name); ; {
		dot := strings.LastIndexByte(name[:end], '.')
		h = foldLabel(h, maphash.String(x.seed, name[dot+1:end]))
		labels++
		if dot < 0 {
			return h, labels
		}
		end = dot
	}
}

// entry returns the entry of pattern id, whose canonical name is name.
func (x *nameIndex) entry(name string, kind hostKind, port bool, id int32) uint64 {
	h, labels := x.hashName(name)
	x.labels = max(x.labels, labels)
	tag := uint32(h>>32)&tagHash | nameCode(kind)<<1
	if port {
		tag |= tagPort
	}
	return uint64(tag)<<32 | uint64(uint32(id))
}

// build files entries, which are in pattern order, into buckets. A bucket
// is taken from the upper bits of the hash, which the tag keeps.
func (x *nameIndex) build(entries []uint64) {
	if len(entries) == 0 {
		return
	}
	size := 1 // buckets: a power of two, about a quarter of the entries
	for size*4 < len(entries) {
		size <<= 1
	}
	x.shift = 32 - uint32(bits.TrailingZeros(uint(size)))
	x.dir = make([]uint32, size+1)
	for _, e := range entries {
		x.dir[uint32(e>>32)>>x.shift+1]++
	}
	for b := 1; b <= size; b++ {
		x.dir[b] += x.dir[b-1]
	}
	next := make([]uint32, size)
	copy(next, x.dir)
	x.entries = make([]uint64, len(entries))
	for _, e := range entries {
		b := uint32(e>>32) >> x.shift
		x.entries[next[b]] = e
		next[b]++
	}
}

// find returns the first pattern before best that matches name at port, or
// best if there is none.
func (x *nameIndex) find(t *Table, name []byte, port uint16, best int32) int32 {
	if x.entries == nil {
		return best
	}
	var h uint64
	for end, labels := len(name), 1; labels <= x.labels; labels++ {
		dot := bytes.LastIndexByte(name[:end], '.')
		h = foldLabel(h, maphash.Bytes(x.seed, name[dot+1:end]))
		best = x.probe(t, h, name[dot+1:], dot < 0, port, best)
		if dot < 0 {
			break
		}
		end = dot
	}
	return best
}

// probe returns the first pattern before best keyed by suffix, of hash h,
// that matches a name ending in it (the whole name if whole) at port.
func (x *nameIndex) probe(t *Table, h uint64, suffix []byte, whole bool, port uint16, best int32) int32 {
	hi := uint32(h >> 32)
	b := hi >> x.shift
	for _, e := range x.entries[x.dir[b]:x.dir[b+1]] {
		id := int32(uint32(e))
		if id >= best {
			break
		}
		tag := uint32(e >> 32)
		if tag&tagHash != hi&tagHash {
			continue
		}
		switch code := tag >> 1 & 3; {
		case whole && code == nameBelow, !whole && code == nameExact:
			continue
		}
		if tag&tagPort != 0 && !t.admits(id, port) {
			continue
		}
		if t.key(id) == string(suffix) {
			return id
		}
	}
	return best
}
