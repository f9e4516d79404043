package rules

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// Table is an ordered list of patterns compiled for first-match lookup:
// [Table.Match] finds the first pattern, in list order, that matches an
// address. It does not scan the list: names are kept in a map, domains in a
// trie of labels and IP addresses and blocks in a binary trie, and only globs
// are tried one by one, so a match costs about the same for 100,000 patterns
// as for 10, whatever prefix lengths they use, and allocates nothing for an
// address in canonical form.
//
// The zero Table is empty and matches nothing. The patterns of a Table never
// change once it is built; a Table is safe for concurrent use by multiple
// goroutines.
type Table struct {
	patterns []string
	targets  []string // from Parse; nil from Compile
	lines    []int    // from Parse; nil from Compile
	index    atomic.Pointer[index]

	// A Table from Parse builds its index on its first Match, so that a
	// caller who only reads the rules (ParseRules, which hands them to
	// NewSelective) does not build one to throw away.
	deferred []pattern // until the index is built; nil from Compile
	building sync.Mutex
}

// Compile compiles patterns, in order, into a Table. It reports every bad
// pattern, each as an [*Error] naming its Index and Pattern, joined with
// [errors.Join]. An empty list is valid and matches nothing.
func Compile(patterns ...string) (*Table, error) {
	return compile(slices.Clone(patterns))
}

// compile builds a Table of patterns, which it keeps.
func compile(patterns []string) (*Table, error) {
	compiled := make([]pattern, len(patterns))
	var errs []error
	for i, text := range patterns {
		p, err := parsePattern(text)
		if err != nil {
			errs = append(errs, &Error{Index: i, Pattern: text, Err: err})
		}
		compiled[i] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	t := &Table{patterns: patterns}
	t.index.Store(newIndex(compiled))
	return t, nil
}

// lookup returns t's index, building it first for a Table from Parse; nil
// for the zero Table.
func (t *Table) lookup() *index {
	if ix := t.index.Load(); ix != nil || t.lines == nil {
		return ix
	}
	t.building.Lock()
	defer t.building.Unlock()
	if ix := t.index.Load(); ix != nil {
		return ix
	}
	ix := newIndex(t.deferred)
	t.index.Store(ix)
	t.deferred = nil
	return ix
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
	index = -1
	if ix := t.lookup(); ix != nil {
		index = ix.find(&target)
	}
	return index, target.canonical(address), nil
}

// Len returns the number of patterns.
func (t *Table) Len() int { return len(t.patterns) }

// Rule returns pattern i as written and, for a Table from [Parse], its
// target name and line; a Table from [Compile] has "" and 0. It panics if i
// is out of range.
func (t *Table) Rule(i int) (pattern, target string, line int) {
	pattern = t.patterns[i]
	if t.targets != nil {
		target, line = t.targets[i], t.lines[i]
	}
	return pattern, target, line
}
