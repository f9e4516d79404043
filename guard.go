package dialx

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"github.com/dialx/dialx/internal/nonpublic"
	"github.com/dialx/dialx/rules"
)

// Guard dials only public destinations, against server-side request forgery
// (SSRF): it refuses an address in [rules.NonPublicPrefixes] with an error
// matching [ErrRejected] that names the registry's block, and dials the
// Dialer it wraps with checked IP literals only, resolving names as [Resolve]
// does. An address it cannot read fails matching [rules.ErrInvalidAddress];
// a network other than tcp or udp is refused. Exceptions ([WithExceptions])
// are checked first. Over a [*net.Dialer], it dials through a copy that
// checks each address again just before connecting, ahead of its own hooks.
//
// Use [NewGuard] to make one; the zero value is not usable.
// A Guard is safe for concurrent use by multiple goroutines.
type Guard struct {
	rules *Selective // exceptions, the blocks, then everything else through a Resolve
	inner []Dialer   // rules, for Unwrap
}

// WithExceptions makes a [Guard] dial what rules match through their Dialers,
// before the refused blocks; a rule for a name matches before resolution, so
// its Dialer gets the name. NewGuard refuses a rule for every host or every
// address of a family.
func WithExceptions(rules ...Rule) Option {
	rules = append([]Rule(nil), rules...)
	return &option{name: "WithExceptions", to: takenByGuard,
		set: func(s *settings) { s.exceptions = append(s.exceptions, rules...) }}
}

// NewGuard returns a Guard over d, configured by [WithExceptions],
// [WithResolver], [WithStagger] and [WithCache] (a cached answer is checked
// on every dial, as a fresh one is). It reports bad exceptions as
// [*rules.Error] values joined with [errors.Join], and panics if d is nil.
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
	refuse := NewRejectFunc(nonPublicReason)
	list := make([]Rule, 0, len(exceptions)+len(blocks)+1)
	list = append(list, exceptions...)
	for _, block := range blocks {
		list = append(list, Rule{Pattern: block.String(), Dialer: refuse})
	}
	list = append(list, Rule{Pattern: "*", Dialer: rest})
	return NewSelective(list...)
}

// nonPublicReason names the narrowest row of the registries that holds the
// refused address, a canonical IP literal, so that the error says why:
// "not a public address: 169.254.0.0/16 is Link Local (RFC 3927)".
func nonPublicReason(_, address string) error {
	host, _, _ := net.SplitHostPort(address)
	ip, err := netip.ParseAddr(host)
	if block, ok := nonpublic.Narrowest(ip); err == nil && ok {
		return errors.New("not a public address: " + block.Prefix.String() + " is " + block.Name + " (" + block.RFC + ")")
	}
	return errors.New("not a public address")
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

// DialContext dials address if it is public or an exception, else refuses it.
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
