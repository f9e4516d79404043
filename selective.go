package dialx

import (
	"context"
	"fmt"
	"net"
	"syscall"

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
	dialers []Dialer // of each rule, whose pattern the table keeps; Unwrap returns it
	table   *rules.Table
	listed  bool // made by NewListed: see dialerOf
}

// NewSelective compiles rules, in order, into a Selective; an empty list
// matches nothing. It reports bad patterns as [*rules.Error] values joined
// with [errors.Join], and panics if the Dialer of a rule is nil.
func NewSelective(rules ...Rule) (*Selective, error) {
	patterns := make([]string, len(rules))
	dialers := make([]Dialer, len(rules))
	for i, rule := range rules {
		if isNilDialer(rule.Dialer) {
			panic(fmt.Sprintf("dialx: NewSelective: rules[%d].Dialer must not be nil, got nil (pattern %s)", i, rule.Pattern))
		}
		patterns[i], dialers[i] = rule.Pattern, rule.Dialer
	}
	return newSelective(patterns, dialers)
}

// newSelective compiles patterns into a Selective dialing through dialers.
func newSelective(patterns []string, dialers []Dialer) (*Selective, error) {
	table, err := rules.Compile(patterns...)
	if err != nil {
		return nil, err
	}
	return &Selective{dialers: dialers, table: table}, nil
}

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
	dialer := s.dialerOf(i)
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
	return refusalOf(ctx, s.dialerOf(i), network, canonical)
}

// Match returns the rule, and its index, that a dial to address would take.
func (s *Selective) Match(address string) (Rule, int, error) {
	i, _, err := s.find(address)
	if err != nil {
		return Rule{}, -1, &DialError{Op: "selective", Addr: address, Err: err}
	}
	return Rule{Pattern: s.patternOf(i), Dialer: s.dialerOf(i)}, i, nil
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
