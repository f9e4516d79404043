package rules

import "errors"

// builder gathers the rules of a Table in order, from a file read line by
// line: each reader of a list format hands it one pattern at a time, and it
// keeps every error, so that a file reports all its bad lines at once.
type builder struct {
	patterns []string
	targets  []string
	lines    []int
	compiled []pattern
	errs     []error
}

// add compiles pattern, read at line with target; a bad pattern is kept as
// an [*Error] and adds no rule.
func (b *builder) add(pattern, target string, line int) {
	p, err := parsePattern(pattern)
	if err != nil {
		b.errs = append(b.errs, &Error{Line: line, Index: len(b.patterns), Pattern: pattern, Err: err})
		return
	}
	b.patterns, b.targets, b.lines = append(b.patterns, pattern), append(b.targets, target), append(b.lines, line)
	b.compiled = append(b.compiled, p)
}

// fail keeps an error that is not a pattern's: a line that cannot be read,
// or the reader's own error.
func (b *builder) fail(err error) { b.errs = append(b.errs, err) }

// count is the number of rules added so far: the Index of the next one.
func (b *builder) count() int { return len(b.patterns) }

// table returns the Table of the rules added, or every error kept, joined.
func (b *builder) table() (*Table, error) {
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	return &Table{patterns: b.patterns, targets: b.targets, lines: b.lines, deferred: b.compiled}, nil
}
