package dialx

import (
	"context"
	"fmt"
	"net"
	"syscall"

	"github.com/dialx/dialx/rules"
)

// Selective routes each dial through the Dialer of the first [Rule] whose
// pattern matches the address, and returns that Dialer's result unchanged.
// The patterns are those of package [rules]: names, domains, globs, IP
// addresses and CIDR blocks, each with an optional port or port range. The
// network plays no part. With a [Reject] as the Dialer of some rules it is
// an access list: an allow-list ending in no catch-all, or a block-list
// ending in "*".
//
// The Dialer of the matching rule receives the address in the canonical form
// that was matched ([rules.Canonical]), never as written, so that nothing
// after the check can read it another way. An address that matches no rule
// fails with a [*DialError] matching [ErrNoMatch]; one that cannot be read
// with one matching [rules.ErrInvalidAddress]; in both cases no Dialer is
// called. The rules are compiled into a [rules.Table], so a match costs about
// the same for 100,000 rules as for 10 and allocates nothing. To change the
// rules at run time, build a new Selective and swap it into a [Swappable].
//
// Use [NewSelective] to make one; the zero value is not usable.
// A Selective is safe for concurrent use by multiple goroutines.
type Selective struct {
	dialers []Dialer // of each rule, whose pattern the table keeps; Unwrap returns it
	table   *rules.Table
}

// NewSelective compiles rules, in order, into a Selective. It reports every
// rule with a bad pattern, each as a [*rules.Error], joined with
// [errors.Join]. An empty list is valid and matches nothing. It panics if the
// Dialer of a rule is nil.
func NewSelective(rules ...Rule) (*Selective, error) {
	patterns := make([]string, len(rules))
	dialers := make([]Dialer, len(rules))
	for i, rule := range rules {
		if isNilDialer(rule.Dialer) {
			panic(fmt.Sprintf("dialx: NewSelective: rule %d (%s) has a nil Dialer", i, rule.Pattern))
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

// DialContext dials address on network through the Dialer of the first rule
// that matches address. That Dialer receives the address in the canonical
// form that was matched (see [Selective]), not as written, so that nothing
// downstream can read it differently from the rule that let it through.
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
	dialer := s.dialers[i]
	t := ContextTrace(ctx)
	if t != nil {
		pattern, _, _ := s.table.Rule(i)
		t(ctx, Event{Op: op, Kind: "match", Network: network, Address: address, N: i, Detail: pattern})
	}
	conn, err := dialInnerTraced(ctx, t, dialer, network, canonical)
	return passOn(op, network, address, conn, err)
}

// Dial is DialContext with [context.Background].
func (s *Selective) Dial(network, address string) (net.Conn, error) {
	return s.DialContext(context.Background(), network, address)
}

// ControlContext checks the address a [net.Dialer] is about to connect to
// against the rules, for use as its ControlContext hook by programs that
// keep net.Dialer's own name resolution: the hook sees each resolved IP
// address just before the connection is made, so IP and CIDR rules hold for
// names too. It never dials and never panics, whatever form the address has.
//
// A hook cannot run a rule's Dialer (that would dial), so it asks the
// Dialer whether it would refuse. The address is refused when it matches no
// rule or is invalid (a [*DialError] matching [ErrNoMatch] or
// [rules.ErrInvalidAddress]), and when its rule's Dialer has a Refusal method
// (see [Dialer]) that returns an error (that error is returned: for a
// [*Reject], its reason, matching [ErrRejected]). The hook looks through a
// Dialer whose Unwrap returns one Dialer (a decorator of this package
// around one, a [Swappable]'s current Dialer), so a Reject or a Selective
// inside any stack of them still refuses. Any other Dialer (a
// [DialerFunc], a [*net.Dialer], a [Concurrent] of several) lets the
// address through; give a refusing Dialer of your own a Refusal method.
func (s *Selective) ControlContext(ctx context.Context, network, address string, _ syscall.RawConn) error {
	return s.Refusal(ctx, network, address)
}

// Refusal tells whether a dial to address would be refused without touching
// the network, as [Selective.ControlContext] decides it, so that a Selective
// in a rule of another one refuses too.
func (s *Selective) Refusal(ctx context.Context, network, address string) error {
	i, canonical, err := s.find(address)
	if err != nil {
		return &DialError{Op: "selective", Net: network, Addr: address, Err: err}
	}
	return refusalOf(ctx, s.dialers[i], network, canonical)
}

// Match tells which rule a dial to address would take, and its index in the
// list given to NewSelective, without dialing, so that a rule list can be
// tested. It fails as DialContext would when no rule matches or the address
// is invalid.
func (s *Selective) Match(address string) (Rule, int, error) {
	i, _, err := s.find(address)
	if err != nil {
		return Rule{}, -1, &DialError{Op: "selective", Addr: address, Err: err}
	}
	pattern, _, _ := s.table.Rule(i)
	return Rule{Pattern: pattern, Dialer: s.dialers[i]}, i, nil
}

// find returns the index of the first rule that matches address, and the
// address in canonical form: address itself when it is canonical already,
// which costs no allocation.
func (s *Selective) find(address string) (i int, canonical string, err error) {
	if i, canonical, err = s.table.Match(address); i < 0 && err == nil {
		err = ErrNoMatch
	}
	return i, canonical, err
}
