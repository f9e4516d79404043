package rules

import "bytes"

// index finds the first rule that matches a target without scanning every
// rule. Each kind of host has its own structure, which yields candidate rules
// in rule order; the ports are checked on the candidates, and the lowest rule
// index over all structures wins, so the answer is the one a scan of the
// list in order would give. Only globs ('*' inside a label or in several
// places) are scanned, and only up to the best candidate found elsewhere.
type index struct {
	patterns []pattern
	any      []int32            // "*" rules
	names    map[string][]int32 // exact names
	domains  labelNode          // reversed-label trie of ".name" and "*.name" rules
	prefixes prefixTrie         // IP literals and CIDR blocks
	globs    []int32
}

// labelNode is the node of the name made of the labels on the path to it,
// read from the root: the node of "example.com" is the child "example" of
// the child "com" of the root.
type labelNode struct {
	children map[string]*labelNode
	domain   []int32 // ".name" rules: match the name and every name below it
	below    []int32 // "*.name" rules: match every name below it
}

func newIndex(patterns []pattern) *index {
	x := &index{patterns: patterns, names: make(map[string][]int32)}
	for i := range patterns {
		id := int32(i)
		p := &patterns[i]
		switch p.kind {
		case hostAny:
			x.any = append(x.any, id)
		case hostName:
			x.names[p.text] = append(x.names[p.text], id)
		case hostDomain:
			node := x.domains.walk(p.text)
			node.domain = append(node.domain, id)
		case hostSubdomains:
			node := x.domains.walk(p.text)
			node.below = append(node.below, id)
		case hostPrefix:
			x.prefixes.add(p.prefix, id)
		case hostGlob, hostIPv4Glob:
			x.globs = append(x.globs, id)
		}
	}
	return x
}

// walk returns the node of name, making the nodes on the way.
func (n *labelNode) walk(name string) *labelNode {
	for end := len(name); end > 0; {
		start := end - 1
		for start >= 0 && name[start] != '.' {
			start--
		}
		label := name[start+1 : end]
		child := n.children[label]
		if child == nil {
			if n.children == nil {
				n.children = make(map[string]*labelNode)
			}
			child = &labelNode{}
			n.children[label] = child
		}
		n, end = child, start
	}
	return n
}

// find returns the index of the first rule that matches t, or -1.
func (x *index) find(t *target) int {
	none := int32(len(x.patterns))
	best := x.first(x.any, t.port, none)
	if t.ip.IsValid() {
		best = x.prefixes.find(x, t.ip, t.port, best)
	} else {
		best = x.first(x.names[string(t.text)], t.port, best)
		best = x.findDomain(t.text, t.port, best)
	}
	for _, id := range x.globs {
		if id >= best {
			break
		}
		if x.patterns[id].matches(t) {
			best = id
			break
		}
	}
	if best == none {
		return -1
	}
	return int(best)
}

// first returns the first rule of ids (which are in rule order) that comes
// before best and admits port, or best if there is none.
func (x *index) first(ids []int32, port uint16, best int32) int32 {
	for _, id := range ids {
		if id >= best {
			break
		}
		if p := &x.patterns[id]; p.lo <= port && port <= p.hi {
			return id
		}
	}
	return best
}

// findDomain walks name's labels from the last one down the trie.
func (x *index) findDomain(name []byte, port uint16, best int32) int32 {
	node := &x.domains
	for {
		dot := bytes.LastIndexByte(name, '.')
		child := node.children[string(name[dot+1:])]
		if child == nil {
			return best
		}
		best = x.first(child.domain, port, best)
		if dot < 0 {
			return best // name is the child's name itself
		}
		best = x.first(child.below, port, best)
		node, name = child, name[:dot]
	}
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
