package rules

// index finds the first pattern that matches a target without scanning
// every pattern. Each kind of host has its own structure, which yields
// candidate patterns; the ports are checked on the candidates, and the
// lowest pattern index over all structures wins, so the answer is the one a
// scan of the list in order would give. Only globs ('*' inside a label or
// in several places) are scanned, and only up to the best candidate found
// elsewhere.
type index struct {
	any      []int32    // "*" patterns
	names    nameIndex  // names, ".name" and "*.name"
	v4       v4Index    // IPv4 addresses and blocks without a port range
	prefixes prefixTrie // every other IP address and block
	globs    []int32
}

// find returns the index of the first pattern that matches tg, or -1.
func (t *Table) find(tg *target) int {
	none := int32(t.n)
	best := t.first(t.x.any, tg.port, none)
	if tg.ip.IsValid() {
		if tg.ip.Is4() {
			best = t.x.v4.find(tg.ip.As4(), best)
		}
		best = t.x.prefixes.find(t, tg.ip, tg.port, best)
	} else {
		best = t.x.names.find(t, tg.text, tg.port, best)
	}
	for _, id := range t.x.globs {
		if id >= best {
			break
		}
		if t.globMatches(id, tg) {
			best = id
			break
		}
	}
	if best == none {
		return -1
	}
	return int(best)
}

// first returns the first pattern of ids (which are in pattern order) that
// comes before best and admits port, or best if there is none.
func (t *Table) first(ids []int32, port uint16, best int32) int32 {
	for _, id := range ids {
		if id >= best {
			break
		}
		if t.admits(id, port) {
			return id
		}
	}
	return best
}

// globMatches reports whether glob pattern id matches tg.
func (t *Table) globMatches(id int32, tg *target) bool {
	if !t.admits(id, tg.port) {
		return false
	}
	if hostKind(t.kinds[id]&kindBits) == hostIPv4Glob {
		return tg.ip.Is4() && glob(t.key(id), tg.text)
	}
	return !tg.ip.IsValid() && glob(t.key(id), tg.text)
}

// glob reports whether name matches pattern, in which '*' matches any run of
// bytes, dots included, and every other byte matches itself.
func glob(pattern string, name []byte) bool {
	p, n := 0, 0
	star, next := -1, 0
	for n < len(name) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, next = p, n
			p++
		case p < len(pattern) && pattern[p] == name[n]:
			p, n = p+1, n+1
		case star >= 0:
			next++
			p, n = star+1, next
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
