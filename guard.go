package dialx

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/dialx/dialx/rules"
)

// Guard dials only public destinations: the one-call defence against
// server-side request forgery (SSRF) for a client that dials addresses it
// was given by someone else.
//
// A Guard reads every address in canonical form and refuses one it cannot
// read (a [*DialError] matching [rules.ErrInvalidAddress]). It refuses every IP
// address in the blocks [rules.NonPublicPrefixes] lists, with a [*Reject] whose
// reason names the block (the error matches [ErrRejected]). It resolves host
// names itself, as [Resolve] does, racing the answers in the manner of
// RFC 8305, checks each resolved address against the same blocks, and dials
// the Dialer it wraps with the checked IP literal only, never with the name,
// so a second DNS answer (DNS rebinding) cannot slip past the check. Only
// the IP networks ("tcp", "tcp4", "tcp6", "udp", "udp4", "udp6") are
// dialed; any other network is refused with an error matching ErrRejected.
//
// Exceptions ([WithExceptions]) are rules checked before the blocks: an
// address, or a resolved address, that matches one is dialed through that
// rule's Dialer instead. An exception written as a name matches the name
// before it is resolved, so its Dialer receives the name and resolves it
// itself: only name a host whose DNS answers you trust.
//
// When the Dialer it wraps is a [*net.Dialer], NewGuard dials through a copy
// of it whose ControlContext hook checks, just before each connection is
// made, the IP address the socket is about to reach, so the check holds even
// below the Guard; a Control or ControlContext hook the net.Dialer had runs
// after it, for the addresses it allows. The caller's net.Dialer is left as
// it was. Names are looked up through the net.Dialer's Resolver if it has
// one, unless [WithResolver] names another; else through
// [net.DefaultResolver]. [WithStagger] sets the attempt delay of the race.
//
// Use [NewGuard] to make one; the zero value is not usable.
// A Guard is safe for concurrent use by multiple goroutines.
type Guard struct {
	rules *Selective // exceptions, the blocks, then everything else through a Resolve
	inner []Dialer   // rules, for Unwrap
}

// WithExceptions lets the destinations that rules match through a [Guard],
// each through its rule's Dialer, ahead of the refused blocks: for example
// Rule{Pattern: "10.1.2.3:5432", Dialer: d} for one database in a private
// network. The rules are checked, in order, against the address as given
// and against each address a name resolves to. A rule for every host ("*",
// "*:443") or every address of a family ("0.0.0.0/0", "::/0") would turn the
// Guard off and is refused by NewGuard.
func WithExceptions(rules ...Rule) Option {
	rules = append([]Rule(nil), rules...)
	return &option{name: "WithExceptions", to: takenByGuard,
		set: func(s *settings) { s.exceptions = append(s.exceptions, rules...) }}
}

// NewGuard returns a Guard that dials public destinations through d,
// configured by opts: [WithExceptions], [WithResolver], [WithStagger]. It
// reports every bad exception, each as a [*rules.Error] joined with
// [errors.Join], as [NewSelective] does. It panics if d is nil.
func NewGuard(d Dialer, opts ...Option) (*Guard, error) {
	mustDialer("NewGuard", d)
	cfg := settings{stagger: defaultAttemptDelay}
	cfg.apply("NewGuard", takenByGuard, opts)
	var errs []error
	for i, rule := range cfg.exceptions {
		err := checkException(rule.Pattern)
		if err == nil && isNilDialer(rule.Dialer) {
			err = errors.New("nil Dialer")
		}
		if err != nil {
			errs = append(errs, &rules.Error{Index: i, Pattern: rule.Pattern, Err: err})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	base := d
	netDialer, hooked := d.(*net.Dialer)
	if hooked {
		clone := *netDialer
		base = &clone
		if cfg.resolver == nil && clone.Resolver != nil {
			// The net.Dialer's own resolver, unless an option names
			// another: it is the one the caller set up for this base.
			cfg.resolver = clone.Resolver
		}
	}
	checked, err := guardRules(cfg.exceptions, base)
	if err != nil {
		return nil, err
	}
	if hooked {
		installControl(base.(*net.Dialer), checked)
	}
	rules, err := guardRules(cfg.exceptions, newResolve(checked, &cfg))
	if err != nil {
		return nil, err
	}
	return &Guard{rules: rules, inner: []Dialer{rules}}, nil
}

// checkException returns what is wrong with the pattern of an exception:
// why it does not compile, or that it holds every address of a family (a
// rule for every host, or a /0 block), which would turn the guard off.
func checkException(pattern string) error {
	if _, err := rules.Compile(pattern); err != nil {
		var bad *rules.Error
		errors.As(err, &bad)
		return bad.Err
	}
	// Without its ports, by the grammar's own split, the pattern holds
	// every address of a family when it holds both ends of its range: no
	// glob holds both 0.0.0.0 and 255.255.255.255, and no glob holds an
	// IPv6 address.
	host := pattern
	if end := strings.IndexByte(pattern, ']'); pattern[0] == '[' && end > 0 {
		host = pattern[:end+1]
	} else if strings.Count(pattern, ":") == 1 {
		host, _, _ = strings.Cut(pattern, ":")
	}
	table, err := rules.Compile(host)
	if err != nil {
		return nil
	}
	for _, ends := range [][2]string{{"0.0.0.0:0", "255.255.255.255:0"}, {"[::]:0", "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:0"}} {
		first, _, _ := table.Match(ends[0])
		last, _, _ := table.Match(ends[1])
		if first == 0 && last == 0 {
			return errors.New("an exception for every host or every address would turn the guard off")
		}
	}
	return nil
}

// guardRules is the exceptions, then a refusal for every non-public block,
// then everything else through rest.
func guardRules(exceptions []Rule, rest Dialer) (*Selective, error) {
	blocks := rules.NonPublicPrefixes()
	list := make([]Rule, 0, len(exceptions)+len(blocks)+1)
	list = append(list, exceptions...)
	for _, block := range blocks {
		refuse := NewReject(errors.New("not a public address: " + block.String()))
		list = append(list, Rule{Pattern: block.String(), Dialer: refuse})
	}
	list = append(list, Rule{Pattern: "*", Dialer: rest})
	return NewSelective(list...)
}

// installControl makes d check each address it connects to against rules
// before any hook it had of its own.
func installControl(d *net.Dialer, rules *Selective) {
	own, ownPlain := d.ControlContext, d.Control
	d.Control = nil
	d.ControlContext = func(ctx context.Context, network, address string, c syscall.RawConn) error {
		if err := rules.Refusal(ctx, network, address); err != nil {
			return err
		}
		switch {
		case own != nil:
			return own(ctx, network, address, c)
		case ownPlain != nil:
			return ownPlain(network, address, c)
		}
		return nil
	}
}

// DialContext dials address on network through the wrapped Dialer if it is
// a public destination or matches an exception, and refuses it otherwise.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
		return g.rules.dial(ctx, "guard", network, address)
	}
	if err := ctx.Err(); err != nil {
		return nil, &DialError{Op: "guard", Net: network, Addr: address, Err: err}
	}
	return nil, &DialError{Op: "guard", Net: network, Addr: address,
		Err: rejection(errors.New("network " + strconv.Quote(network) + " is not an IP network the guard checks"))}
}

// Dial is DialContext with [context.Background].
func (g *Guard) Dial(network, address string) (net.Conn, error) {
	return g.DialContext(context.Background(), network, address)
}
