package rules

import (
	"errors"
	"hash/maphash"
	"net/netip"
	"unsafe"
)

// builder gathers the patterns of a Table in order, from a list or from a
// file read line by line: each reader of a file format hands it one pattern
// at a time, and it keeps every error, so that a file reports all its bad
// lines at once. Patterns go straight into the Table's compact form; the
// parts of the index that need every pattern first are built by table.
type builder struct {
	t         Table
	text      []byte
	parsed    bool             // the patterns have targets and lines
	targetIDs map[string]int32 // the place of each target in t.names
	names     []uint64         // entries of the name index, in pattern order
	v4        []v4Rule         // for the IPv4 index, in pattern order
	errs      []error
	scratch   [maxHostLen + 1]byte
}

// newBuilder returns a builder for about n patterns of about size bytes in
// all; parsed says whether they come from a file, with targets and lines.
func newBuilder(n, size int, parsed bool) *builder {
	b := &builder{parsed: parsed, text: make([]byte, 0, size)}
	b.t.kinds = make([]uint8, 0, n)
	b.t.refs = make([]uint32, 0, n)
	b.names = make([]uint64, 0, n)
	b.t.x.names.seed = maphash.MakeSeed()
	if parsed {
		b.targetIDs = make(map[string]int32)
	}
	return b
}

// add compiles pattern, read at line with target; a bad pattern is kept as
// an [*Error] and adds no rule.
func (b *builder) add(pattern, target string, line int) {
	p, err := parsePatternIn(&b.scratch, pattern)
	if err != nil {
		b.fail(&Error{Line: line, Index: b.t.n, Pattern: pattern, Err: err})
		if !b.parsed {
			b.t.n++ // the Index of a pattern given to Compile is its place in the list
		}
		return
	}
	id := int32(b.t.n)
	b.t.n++
	if len(b.errs) > 0 {
		return // no Table comes of it: only count, for the Index of errors
	}
	kind := uint8(p.kind)
	if p.lo != 0 || p.hi != 65535 {
		kind |= flagPort
		if b.t.ports == nil {
			b.t.ports = make(map[int32]portRange)
		}
		b.t.ports[id] = portRange{p.lo, p.hi}
	}
	ref := uint32(0)
	switch {
	case p.kind == hostPrefix && p.prefix.Addr().Is4() && kind&flagPort == 0:
		addr, bits := v4Prefix(p.prefix)
		b.v4 = append(b.v4, v4Rule{addr: addr, bits: bits, id: id})
		if spelling := bareSpelling(p.prefix, pattern); spelling != 0 {
			kind |= spelling // its place in the index is set when that is built
		} else {
			ref = b.appendText(pattern, "")
		}
	case p.kind == hostPrefix:
		ref = b.appendText(pattern, "")
		b.t.x.prefixes.add(p.prefix, id)
	case p.kind == hostAny:
		ref = b.appendText(pattern, "")
		b.t.x.any = append(b.t.x.any, id)
	case p.kind == hostGlob || p.kind == hostIPv4Glob:
		key := ""
		if pattern != p.text {
			key, kind = p.text, kind|flagKey
		}
		ref = b.appendText(pattern, key)
		b.t.x.globs = append(b.t.x.globs, id)
	default: // a name, domain or subdomains
		key := ""
		if off := keyOffset(p.kind); len(pattern) != off+len(p.text) || pattern[off:] != p.text {
			key, kind = p.text, kind|flagKey
		}
		ref = b.appendText(pattern, key)
		b.names = append(b.names, b.t.x.names.entry(p.text, p.kind, kind&flagPort != 0, id))
	}
	b.t.kinds = append(b.t.kinds, kind)
	b.t.refs = append(b.t.refs, ref)
	if b.parsed {
		t, ok := b.targetIDs[target]
		if !ok {
			t = int32(len(b.t.names))
			b.targetIDs[target] = t
			b.t.names = append(b.t.names, target)
		}
		b.t.targets.Add(t)
		b.t.lines.Add(int32(line) - id)
	}
}

// bareSpelling returns the flags of an IPv4 block whose pattern is the
// block's own text, which Rule can write again from the index alone, or 0.
func bareSpelling(prefix netip.Prefix, pattern string) uint8 {
	var buf [len("255.255.255.255/32")]byte
	if string(prefix.AppendTo(buf[:0])) == pattern {
		return flagBare
	}
	if prefix.IsSingleIP() && string(prefix.Addr().AppendTo(buf[:0])) == pattern {
		return flagBare | flagAddr
	}
	return 0
}

// appendText appends pattern and, unless it is "", key, each after its
// length, and returns where they start.
func (b *builder) appendText(pattern, key string) uint32 {
	at := uint32(len(b.text))
	b.text = appendLen(b.text, len(pattern))
	b.text = append(b.text, pattern...)
	if key != "" {
		b.text = appendLen(b.text, len(key))
		b.text = append(b.text, key...)
	}
	return at
}

// fail keeps an error that is not a pattern's: a line that cannot be read,
// or the reader's own error.
func (b *builder) fail(err error) { b.errs = append(b.errs, err) }

// count is the number of patterns added so far: the Index of the next one.
func (b *builder) count() int { return b.t.n }

// table returns the Table of the patterns added, or every error kept,
// joined.
func (b *builder) table() (*Table, error) {
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	b.t.x.v4.build(b)
	b.t.x.names.build(b.names)
	t := b.t
	if len(b.text) > 0 && cap(b.text)-len(b.text) <= len(b.text)/16 {
		// Nothing writes b.text again, and it has little to spare: keep
		// it, without a copy.
		t.text = unsafe.String(&b.text[0], len(b.text))
	} else {
		t.text = string(b.text)
	}
	t.kinds, t.refs = clip(t.kinds), clip(t.refs)
	t.x.any, t.x.globs = clip(t.x.any), clip(t.x.globs)
	t.targets.Trim()
	t.lines.Trim()
	*b = builder{}
	return &t, nil
}
