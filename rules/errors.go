package rules

import (
	"errors"
	"strconv"
)

// ErrInvalidAddress is matched, under [errors.Is], by the error for an
// address that cannot be read as host and port, or whose host is neither a
// valid host name nor an IP literal (see the package doc for what that
// excludes).
var ErrInvalidAddress = errors.New("dialx: invalid address")

// Error reports a pattern that [Compile] or [Parse] refused: where it is, the
// pattern as written and why. Both report every bad pattern at once, each as
// an *Error joined with [errors.Join]; use [errors.As] to reach the first.
type Error struct {
	// Line is the pattern's line in a rules file, counting from 1, or 0
	// for a pattern given to Compile.
	Line int
	// Index is the pattern's position in the list given to Compile, or in
	// the Table that Parse would have returned.
	Index int
	// Pattern is the pattern as written; for a line too long to read, its
	// first bytes.
	Pattern string
	// Err says what is wrong.
	Err error
}

// Error reads like `dialx: rule 2 "example.com:nope": port "nope" is not a
// decimal number` or, for a rules file, `dialx: line 7: pattern ...`.
func (e *Error) Error() string {
	where := "rule " + strconv.Itoa(e.Index) + " " + strconv.Quote(e.Pattern)
	if e.Line > 0 {
		where = "line " + strconv.Itoa(e.Line) + ": pattern " + strconv.Quote(e.Pattern)
	}
	return "dialx: " + where + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
