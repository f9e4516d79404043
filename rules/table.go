package rules

import (
	"net/netip"
	"slices"

	"github.com/dialx/dialx/internal/runs"
)

// Table is an ordered list of patterns compiled for first-match lookup:
// [Table.Match] finds the first pattern, in list order, that matches an
// address. It does not scan the list: names and domains are kept in a hash
// table probed once for each label of the name, IPv4 blocks in a sorted
// array searched by bisection, other IP blocks in a binary trie, and only
// globs are tried one by one, so a match costs about the same for 1,000,000
// patterns as for 10, whatever prefix lengths they use, and allocates
// nothing for an address in canonical form.
//
// A Table is compact: at a million patterns it keeps about 40 bytes for
// each name or domain pattern (the pattern's text included) and about 18
// for each IPv4 block, so that block lists of that size fit in a service's
// memory.
//
// The zero Table is empty and matches nothing. The patterns of a Table never
// change once it is built; a Table is safe for concurrent use by multiple
// goroutines.
type Table struct {
	n     int
	kinds []uint8  // of each pattern: its hostKind and flag bits
	refs  []uint32 // of each pattern: where text holds it, or for a bare block its place in x.v4
	// text holds the patterns as written, each after its length, and
	// after it the pattern's canonical name or glob where that is not
	// part of the pattern as written.
	text  string
	ports map[int32]portRange // the patterns with a port range narrower than every port

	// From Parse: the target of each pattern, by its place in names, and
	// each pattern's line, less its index.
	names   []string
	targets runs.Runs
	lines   runs.Runs

	x index
}

// Flag bits of Table.kinds, above the hostKind.
const (
	kindBits = 0x07
	// flagPort marks a pattern with a port range: see Table.ports.
	flagPort = 0x08
	// flagKey marks a pattern whose canonical name or glob follows it in
	// Table.text, being no part of it as written.
	flagKey = 0x10
	// flagBare marks an IPv4 block kept in the IPv4 index only, its text
	// being the block's own ("10.0.0.0/8"); flagAddr, with it, one written
	// as an address ("10.0.0.1").
	flagBare = 0x20
	flagAddr = 0x40
)

// portRange is an inclusive range of ports.
type portRange struct{ lo, hi uint16 }

// Compile compiles patterns, in order, into a Table. It reports every bad
// pattern, each as an [*Error] naming its Index and Pattern, joined with
// [errors.Join]. An empty list is valid and matches nothing.
func Compile(patterns ...string) (*Table, error) {
	size := 0
	for _, p := range patterns {
		if len(p) <= maxPatternLen { // a longer one is refused unread
			size += len(p) + 2
		}
	}
	b := newBuilder(len(patterns), size, false)
	for _, p := range patterns {
		b.add(p, "", 0)
	}
	return b.table()
}

// Match returns the index of the first pattern that matches address, or -1
// when none does, and address in the canonical form that was checked (see
// [Canonical]): hand that on, never the address as written, so that nothing
// after the check can read it another way. An address that cannot be read
// fails with an error matching [ErrInvalidAddress]; no pattern is tried.
func (t *Table) Match(address string) (index int, canonical string, err error) {
	var buf [maxHostLen + 1]byte
	target, err := parseTarget(buf[:0], address)
	if err != nil {
		return -1, "", err
	}
	return t.find(&target), target.canonical(address), nil
}

// Len returns the number of patterns.
func (t *Table) Len() int { return t.n }

// Rule returns pattern i as written and, for a Table from [Parse], its
// target name and line; a Table from [Compile] has "" and 0. It panics if i
// is out of range.
func (t *Table) Rule(i int) (pattern, target string, line int) {
	if i < 0 || i >= t.n {
		panic("rules: Table.Rule: index out of range")
	}
	if k := t.kinds[i]; k&flagBare != 0 {
		prefix := t.x.v4.prefix(t.refs[i])
		if k&flagAddr != 0 {
			pattern = prefix.Addr().String()
		} else {
			pattern = prefix.String()
		}
	} else {
		pattern = t.written(int32(i))
	}
	if t.names != nil {
		target = t.names[t.targets.At(i)]
	}
	if t.lines.Len() > 0 {
		line = i + int(t.lines.At(i))
	}
	return pattern, target, line
}

// written returns pattern id as written; it must not be a bare block.
func (t *Table) written(id int32) string {
	n, at := textLen(t.text, t.refs[id])
	return t.text[at : at+n]
}

// key returns the canonical name, domain or glob of pattern id.
func (t *Table) key(id int32) string {
	n, at := textLen(t.text, t.refs[id])
	k := t.kinds[id]
	if k&flagKey != 0 {
		m, kat := textLen(t.text, uint32(at+n))
		return t.text[kat : kat+m]
	}
	return t.text[at+keyOffset(hostKind(k&kindBits)) : at+n]
}

// keyOffset is where, in a pattern written canonically, its key starts:
// after the "." of a domain or the "*." of subdomains.
func keyOffset(kind hostKind) int {
	switch kind {
	case hostDomain:
		return 1
	case hostSubdomains:
		return 2
	}
	return 0
}

// admits reports whether pattern id admits port.
func (t *Table) admits(id int32, port uint16) bool {
	if t.kinds[id]&flagPort == 0 {
		return true
	}
	r := t.ports[id]
	return r.lo <= port && port <= r.hi
}

// textLen reads the length written at text[at:], a uvarint of one or two
// bytes (no pattern is 16 KiB long), and returns it and where the bytes it
// counts start.
func textLen(text string, at uint32) (n, start int) {
	b := int(text[at])
	if b < 0x80 {
		return b, int(at) + 1
	}
	return b&0x7f | int(text[at+1])<<7, int(at) + 2
}

// appendLen appends n as textLen reads it.
func appendLen(text []byte, n int) []byte {
	if n < 0x80 {
		return append(text, byte(n))
	}
	return append(text, byte(n)|0x80, byte(n>>7))
}

// v4Prefix returns an IPv4 block as the address and length the IPv4 index
// keeps.
func v4Prefix(prefix netip.Prefix) (addr uint32, bits uint8) {
	a := prefix.Addr().As4()
	return uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]), uint8(prefix.Bits())
}

// clip returns s without spare capacity, so that a Table keeps only what it
// uses.
func clip[S ~[]E, E any](s S) S {
	if cap(s)-len(s) > len(s)/16 {
		return slices.Clone(s)
	}
	return s
}
