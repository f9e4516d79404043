package dialx

import (
	"context"
	"fmt"
	"net"
	"reflect"
	"slices"
	"syscall"
	"unsafe"

	"github.com/dialx/dialx/internal/runs"
	"github.com/dialx/dialx/rules"
)

// Selective routes each dial through the Dialer of the first [Rule] whose
// pattern (see package [rules]) matches the address, whatever the network,
// handing it the address in canonical form ([rules.Canonical]). An address
// that matches no rule fails with a [*DialError] matching [ErrNoMatch] (one
// made by [NewListed] has a catch-all), one that cannot be read with one
// matching [rules.ErrInvalidAddress]; neither reaches a Dialer. Use
// [NewSelective] or [NewListed] to make one; the zero value is not usable.
// A Selective is safe for concurrent use by multiple goroutines.
type Selective struct {
	// The Dialer of rule i is dialers[route.At(i)]: rules that follow one
	// another with one Dialer, as those of a block list do, share one
	// entry, so a million rules cost a few bytes here. Unwrap returns
	// dialers.
	dialers []Dialer
	route   runs.Runs
	table   *rules.Table // the patterns
	listed  bool         // made by NewListed: see patternOf
}

// NewSelective compiles rules, in order, into a Selective; an empty list
// matches nothing. It reports bad patterns as [*rules.Error] values joined
// with [errors.Join], and panics if the Dialer of a rule is nil.
func NewSelective(rules ...Rule) (*Selective, error) {
	patterns := make([]string, len(rules))
	s := &Selective{}
	for i, rule := range rules {
		if isNilDialer(rule.Dialer) {
			panic(fmt.Sprintf("dialx: NewSelective: rules[%d].Dialer must not be nil, got nil (pattern %s)", i, rule.Pattern))
		}
		patterns[i] = rule.Pattern
		if n := len(s.dialers); n == 0 || !sameDialer(s.dialers[n-1], rule.Dialer) {
			s.dialers = append(s.dialers, rule.Dialer)
		}
		s.route.Add(int32(len(s.dialers) - 1))
	}
	table, err := compile(patterns)
	if err != nil {
		return nil, err
	}
	s.table = table
	s.dialers = slices.Clip(s.dialers)
	s.route.Trim()
	return s, nil
}

// compile is rules.Compile, which NewSelective's parameter hides.
func compile(patterns []string) (*rules.Table, error) { return rules.Compile(patterns...) }

// sameDialer reports whether a and b are the same Dialer, without the panic
// of == on two values of a type that cannot be compared. Two functions (a
// DialerFunc) are the same when they are one closure; any other value that
// cannot be compared is taken as different.
func sameDialer(a, b Dialer) bool {
	ta := reflect.TypeOf(a)
	switch {
	case ta != reflect.TypeOf(b):
		return false
	case ta.Comparable():
		return a == b
	case ta.Kind() == reflect.Func:
		// A function is held in an interface as the pointer to its
		// closure, which == may not look at but which says which
		// closure it is.
		return (*[2]unsafe.Pointer)(unsafe.Pointer(&a))[1] == (*[2]unsafe.Pointer)(unsafe.Pointer(&b))[1]
	}
	return false
}

// dialer returns the Dialer of rule i.
func (s *Selective) dialer(i int) Dialer { return s.dialers[s.route.At(i)] }

// DialContext dials address through the Dialer of the first rule it matches.
func (s *Selective) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return s.dial(ctx, "selective", network, address)
}

// dial is DialContext with op naming the decorator in the errors it makes,
// so that a Guard, whose rules are a Selective, reports as itself.
func (s *Selective) dial(ctx context.Context, op, network, address string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Op: op, Net: network, Addr: address, Err: err}
	}
	i, canonical, err := s.find(address)
	if err != nil {
		return nil, &DialError{Op: op, Net: network, Addr: address, Err: err}
	}
	dialer := s.dialer(i)
	t := ContextTrace(ctx)
	if t != nil {
		t(ctx, Event{Op: op, Kind: "match", Network: network, Address: address, N: i, Detail: s.patternOf(i)})
	}
	conn, err := dialInnerTraced(ctx, t, dialer, network, canonical)
	return passOn(op, network, address, conn, err)
}

// Dial is DialContext with [context.Background].
func (s *Selective) Dial(network, address string) (net.Conn, error) {
	return s.DialContext(context.Background(), network, address)
}

// ControlContext is a [net.Dialer] ControlContext hook: it checks each address
// the net.Dialer resolved, just before connecting, so IP rules hold for names.
// It refuses an invalid or unmatched address, and one whose rule's Dialer has
// a Refusal method (see [Dialer]) that returns an error, looking through
// decorators of one Dialer. It never dials.
func (s *Selective) ControlContext(ctx context.Context, network, address string, _ syscall.RawConn) error {
	return s.Refusal(ctx, network, address)
}

// Refusal returns the error ControlContext would, so Selectives nest.
func (s *Selective) Refusal(ctx context.Context, network, address string) error {
	i, canonical, err := s.find(address)
	if err != nil {
		return &DialError{Op: "selective", Net: network, Addr: address, Err: err}
	}
	return refusalOf(ctx, s.dialer(i), network, canonical)
}

// Match returns the rule, and its index, that a dial to address would take.
func (s *Selective) Match(address string) (Rule, int, error) {
	i, _, err := s.find(address)
	if err != nil {
		return Rule{}, -1, &DialError{Op: "selective", Addr: address, Err: err}
	}
	return Rule{Pattern: s.patternOf(i), Dialer: s.dialer(i)}, i, nil
}

// find returns the index of the first rule that matches address, and the
// address in canonical form: address itself when it is canonical already,
// which costs no allocation.
func (s *Selective) find(address string) (i int, canonical string, err error) {
	if i, canonical, err = s.table.Match(address); i < 0 && err == nil {
		if !s.listed {
			return i, canonical, ErrNoMatch
		}
		i = s.table.Len() // NewListed's catch-all
	}
	return i, canonical, err
}
