package dialx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
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
// to those. Hosts are compared in canonical form, on the pattern and on the
// address alike: names in lower case, without one trailing dot, non-ASCII
// names mapped to ASCII with the IDNA lookup rules (so "bücher.example" is
// "xn--bcher-kva.example"); IP literals as addresses (so "0:0::1" is "::1"),
// an IPv4-mapped IPv6 address as the IPv4 address it carries, in both
// directions, and an IPv6 address with a zone as the address without it.
// The Dialer of the matching rule receives the address in that canonical
// form ("name:port", "a.b.c.d:port" or "[ipv6]:port", with the zone kept
// only on a link-local address, which needs it), never as written, so that
// nothing after the check can read it another way.
//
// Whatever cannot be read that way is refused, in patterns and addresses
// alike, never passed on: bytes that are not UTF-8, control characters,
// NUL, U+FFFD, characters IDNA would drop (such as the soft hyphen), a host
// whose last label is a number but which is not a dotted-quad IPv4 address
// ("127.1", "0x7f.0.0.1", "0177.0.0.1" and "2130706433", which some
// resolvers read as 127.0.0.1), and a port that is not the plain decimal
// number to be dialed ("080", "+80", "http"). Length is checked before any
// conversion: an address may have at most 1,032 bytes, a label 63 and a
// name 253 in ASCII form.
//
// An IPv4 address is held only by IPv4 blocks, which may be written in the
// IPv4-mapped form of /96 or longer ("::ffff:10.0.0.0/104" is 10.0.0.0/8);
// an IPv6 block such as "::/0" never holds an IPv4 address. A CIDR block
// must have its host bits clear. A glob of digits, dots and '*' only
// ("10.*", "*.0.0.2") matches IPv4 addresses by their dotted-quad text and
// never a name such as 10.attacker.example; any other glob matches names
// only; no glob matches an IPv6 address. Refused as ambiguous: a glob of
// dots and '*' only ("*.*"), an IPv4-mapped block shorter than /96, an
// IPv4-compatible address written with dots ("::10.0.0.1"), '*' in the same
// label as non-ASCII letters ("bü*.example": write its punycode form or a
// whole-label wildcard), and a leading dot before a number (".0.0.2").
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
	rules   []Rule
	index   *index
	dialers []Dialer // the rules', for Unwrap
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
	s := &Selective{rules: slices.Clone(rules), index: newIndex(patterns), dialers: make([]Dialer, len(rules))}
	for i, rule := range rules {
		s.dialers[i] = rule.Dialer
	}
	return s, nil
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
	rule := &s.rules[i]
	t := ContextTrace(ctx)
	if t != nil {
		t(ctx, Event{Op: op, Kind: "match", Network: network, Address: address, N: i, Detail: rule.Pattern})
	}
	conn, err := dialInnerTraced(ctx, t, rule.Dialer, network, canonical)
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
// [ErrInvalidAddress]), and when its rule's Dialer has a Refusal method
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
	return refusalOf(ctx, s.rules[i].Dialer, network, canonical)
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
	return s.rules[i], i, nil
}

// find returns the index of the first rule that matches address, and the
// address in canonical form: address itself when it is canonical already,
// which costs no allocation.
func (s *Selective) find(address string) (int, string, error) {
	var buf [maxHostLen + 1]byte
	t, err := parseTarget(buf[:0], address)
	if err != nil {
		return -1, "", err
	}
	i := s.index.find(&t)
	if i < 0 {
		return -1, "", ErrNoMatch
	}
	return i, t.canonical(address), nil
}

// maxAddressLen bounds an address as written: the longest host, brackets, a
// colon and a five-digit port. Longer addresses are refused before any
// parsing, so a check costs the same for a megabyte as for a kilobyte.
const maxAddressLen = maxRawHostLen + len("[]:65535")

// parseTarget reads address in canonical form, using buf for the host text.
// It refuses, with an error matching ErrInvalidAddress, anything it cannot
// read as host and port, or whose host is not a valid name or IP literal.
func parseTarget(buf []byte, address string) (target, error) {
	var t target
	if len(address) > maxAddressLen {
		return t, fmt.Errorf("%w: address of %d bytes is longer than the %d an address may have", ErrInvalidAddress, len(address), maxAddressLen)
	}
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
	ip, zoned, name, err := canonHost(buf, host, false)
	if err != nil {
		return t, fmt.Errorf("%w: %v", ErrInvalidAddress, err)
	}
	t.ip, t.text = ip, name
	if zoned && needsZone(ip) {
		// canonHost has checked the zone; it plays no part in matching
		// but a link-local address cannot be dialed without it. Any
		// other address needs none, and is passed on without.
		_, t.zone, _ = strings.Cut(host, "%")
	}
	if ip.IsValid() {
		t.text = ip.AppendTo(buf[:0])
	}
	t.portText = port
	return t, nil
}

// canonical returns t as the address to dial: "name:port", "a.b.c.d:port"
// or "[ipv6%zone]:port", with the port in decimal. It returns address itself,
// without allocating or copying, when that is already the canonical form.
func (t *target) canonical(address string) string {
	if t.is(address) {
		return address
	}
	b := make([]byte, 0, len(t.text)+len(t.zone)+len(t.portText)+4)
	if t.ip.Is6() {
		b = append(b, '[')
		b = append(b, t.text...)
		if t.zone != "" {
			b = append(b, '%')
			b = append(b, t.zone...)
		}
		b = append(b, ']')
	} else {
		b = append(b, t.text...)
	}
	b = append(b, ':')
	b = append(b, t.portText...)
	return string(b)
}

// is reports whether address is already t's canonical form, comparing it
// piece by piece so that the common case costs no copy.
func (t *target) is(address string) bool {
	rest, ok := address, true
	take := func(piece string) {
		ok = ok && strings.HasPrefix(rest, piece)
		if ok {
			rest = rest[len(piece):]
		}
	}
	if t.ip.Is6() {
		take("[")
		take(string(t.text))
		if t.zone != "" {
			take("%")
			take(t.zone)
		}
		take("]")
	} else {
		take(string(t.text))
	}
	take(":")
	return ok && rest == t.portText
}
