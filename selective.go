package dialx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"syscall"
)

// Selective routes each dial through the Dialer of the first [Rule] whose
// pattern matches the address, and returns that Dialer's result unchanged.
// With a [Reject] as the Dialer of some rules it is an access list: an
// allow-list ending in no catch-all, or a block-list ending in "*".
//
// The network argument plays no part in matching. An address that matches
// no rule fails with a [*DialError] matching [ErrNoMatch]; an address that
// cannot be read as host:port, or whose host is neither a valid host name
// nor an IP literal, fails with one matching [ErrInvalidAddress]. In both
// cases no Dialer is called.
//
// The pattern syntax is:
//
//	pattern:
//		host                    any port
//		host ':' ports
//		'[' ipv6 ']' [ ':' ports ]
//		ipv6                    bare, without a port
//	host:
//		'*'                     every host
//		name                    that name only
//		'*.' name               every name below name, not name itself
//		'.' name                name and every name below it
//		glob                    '*' matches any run of characters, dots included
//		ipv4 [ '/' bits ]       an IPv4 address or CIDR block
//	ipv6:
//		address [ '/' bits ]    an IPv6 address or CIDR block
//	ports:
//		port                    decimal 0 to 65535, no sign, no leading zero
//		port '-' port           an inclusive range
//
// A name holds letters, digits, '-', '_' and '.', or Unicode that IDNA maps
// to those. In a pattern, '*' may not share a label with non-ASCII
// characters, because IDNA would encode it into the label's punycode:
// "bü*.example" is refused; write the punycode form ("xn--b*.example") or
// a whole-label wildcard ("*.bücher.example", "bücher.*"). Hosts are compared in canonical form, on the pattern and on the
// address alike: names in lower case, without one trailing dot, non-ASCII
// names mapped to ASCII with the IDNA lookup rules (so "bücher.example" is
// "xn--bcher-kva.example"); IP literals as addresses (so "0:0::1" is "::1"),
// an IPv4-mapped IPv6 address as the IPv4 address it carries, in both
// directions, and an IPv6 address with a zone as the address without it.
// A host whose last label is a number must be a dotted-quad IPv4 address:
// spellings such as "127.1", "0x7f.0.0.1", "0177.0.0.1" or "2130706433" are
// refused, in patterns and addresses alike, so that none of them can pass a
// rule written for 127.0.0.1. A port is the decimal number that will be
// dialed: "080", "+80" and service names such as "http" are refused. A glob
// is matched against the canonical name, or against the address's text for
// an IP literal (the dotted quad for an IPv4 address, also when it was
// written in its IPv4-mapped IPv6 form); '*' is not allowed in an IPv6
// address. Since only an IPv4 address ends in a number, a pattern such as
// "*.0.0.2", "*.1" or "*.168.1.1" is such a glob too, not a domain: it
// matches 127.0.0.2 and [::ffff:127.0.0.2]. A leading dot before a number
// (".0.0.2") is refused, since no name it could stand for exists.
//
// NewSelective compiles the rules into an index (a map of names, a trie of
// domains, a binary trie of IP blocks), so a match costs about the same for
// 100,000 rules as for 10, whatever prefix lengths they use, and allocates
// nothing, while the first matching rule in list order still wins. [ParseRules] reads rules from a
// file; [Selective.Match] tells which rule an address takes without
// dialing; to change the rules at run time, build a new Selective and swap
// it into a [Swappable].
//
// Use [NewSelective] to make one; the zero value is not usable.
// A Selective is safe for concurrent use by multiple goroutines.
type Selective struct {
	rules []Rule
	index *index
}

// NewSelective compiles rules, in order, into a Selective. It reports every
// rule with a bad pattern or a nil Dialer, each as a [*RuleError], joined with
// [errors.Join]. An empty list is valid and matches nothing.
func NewSelective(rules ...Rule) (*Selective, error) {
	patterns := make([]pattern, len(rules))
	var errs []error
	for i, rule := range rules {
		p, err := parsePattern(rule.Pattern)
		if err != nil {
			errs = append(errs, &RuleError{Index: i, Pattern: rule.Pattern, Err: err})
		}
		if isNilDialer(rule.Dialer) {
			errs = append(errs, &RuleError{Index: i, Pattern: rule.Pattern, Err: errors.New("nil Dialer")})
		}
		patterns[i] = p
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Selective{rules: slices.Clone(rules), index: newIndex(patterns)}, nil
}

// DialContext dials address on network through the Dialer of the first rule
// that matches address.
func (s *Selective) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Op: "selective", Net: network, Addr: address, Err: err}
	}
	i, err := s.find(address)
	if err != nil {
		return nil, &DialError{Op: "selective", Net: network, Addr: address, Err: err}
	}
	rule := &s.rules[i]
	var conn net.Conn
	if t := traceFrom(ctx); t != nil {
		if t.SelectiveMatch != nil {
			t.SelectiveMatch(SelectiveMatchInfo{Network: network, Address: address, Index: i, Pattern: rule.Pattern})
		}
		conn, err = dialTraced(ctx, t, rule.Dialer, network, address)
	} else {
		conn, err = rule.Dialer.DialContext(ctx, network, address)
	}
	return passOn("selective", network, address, conn, err)
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
// A hook cannot run a rule's Dialer (that would dial), so it decides from
// the Dialer's type. The address is refused when it matches no rule or is
// invalid (a [*DialError] matching [ErrNoMatch] or [ErrInvalidAddress]),
// and when its rule's Dialer is a [Refuser] whose Refusal is not nil (that
// error is returned: for a [*Reject], its reason, matching [ErrRejected]).
// Every other Dialer lets the address through, so a rule whose Dialer wraps
// a Reject in anything that is not itself a Refuser (a [DialerFunc], a
// [Timeout], a [Repeat]) allows what DialContext would refuse: put the Reject
// itself in deny rules, or make the wrapper a Refuser.
func (s *Selective) ControlContext(ctx context.Context, network, address string, _ syscall.RawConn) error {
	return s.Refusal(ctx, network, address)
}

// Refusal tells whether a dial to address would be refused without touching
// the network, as [Selective.ControlContext] decides it, so that a Selective
// in a rule of another one is a [Refuser] too.
func (s *Selective) Refusal(ctx context.Context, network, address string) error {
	i, err := s.find(address)
	if err != nil {
		return &DialError{Op: "selective", Net: network, Addr: address, Err: err}
	}
	if refuser, ok := s.rules[i].Dialer.(Refuser); ok {
		return refuser.Refusal(ctx, network, address)
	}
	return nil
}

// Match tells which rule a dial to address would take, and its index in the
// list given to NewSelective, without dialing, so that a rule list can be
// tested. It fails as DialContext would when no rule matches or the address
// is invalid.
func (s *Selective) Match(address string) (Rule, int, error) {
	i, err := s.find(address)
	if err != nil {
		return Rule{}, -1, &DialError{Op: "selective", Addr: address, Err: err}
	}
	return s.rules[i], i, nil
}

// find returns the index of the first rule that matches address.
func (s *Selective) find(address string) (int, error) {
	var buf [maxHostLen + 1]byte
	t, err := parseTarget(buf[:0], address)
	if err != nil {
		return -1, err
	}
	if i := s.index.find(&t); i >= 0 {
		return i, nil
	}
	return -1, ErrNoMatch
}

// parseTarget reads address in canonical form, using buf for the host text.
func parseTarget(buf []byte, address string) (target, error) {
	var t target
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		if addrErr, ok := err.(*net.AddrError); ok {
			err = errors.New(addrErr.Err)
		}
		return t, fmt.Errorf("%w: %v", ErrInvalidAddress, err)
	}
	if t.port, err = parsePort(port); err != nil {
		return t, fmt.Errorf("%w: %v", ErrInvalidAddress, err)
	}
	ip, _, name, err := canonHost(buf, host, false)
	if err != nil {
		return t, fmt.Errorf("%w: %v", ErrInvalidAddress, err)
	}
	t.ip, t.text = ip, name
	if ip.IsValid() {
		t.text = ip.AppendTo(buf[:0])
	}
	return t, nil
}
