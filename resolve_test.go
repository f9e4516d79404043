package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/rules"
)

// fakeResolver answers from a table and counts its lookups.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][]netip.Addr
	err     error
	lookups int
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookups++
	return r.answers[host], r.err
}

func addrs(ips ...string) []netip.Addr {
	out := make([]netip.Addr, len(ips))
	for i, ip := range ips {
		out[i] = netip.MustParseAddr(ip)
	}
	return out
}

// ssrfRules is the SSRF guard of the README: private, loopback, link-local
// and unspecified ranges refused, the rest allowed.
func ssrfRules(allow dialx.Dialer) []dialx.Rule {
	deny := dialx.NewReject(errors.New("private address"))
	var rules []dialx.Rule
	for _, block := range []string{
		"0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
		"::/128", "::1", "fc00::/7", "fe80::/10",
	} {
		rules = append(rules, dialx.Rule{Pattern: block, Dialer: deny})
	}
	return append(rules, dialx.Rule{Pattern: "*", Dialer: allow})
}

func TestResolveChecksEveryResolvedAddress(t *testing.T) {
	tests := []struct {
		name    string
		answer  []netip.Addr
		address string
		dialed  []string // what reaches the allowed route
		refused bool
	}{
		{name: "name to loopback", answer: addrs("127.0.0.1"), address: "evil.example:80", refused: true},
		{name: "name to mapped loopback", answer: addrs("::ffff:127.0.0.1"), address: "evil.example:80", refused: true},
		{name: "name to IPv6 loopback", answer: addrs("::1"), address: "evil.example:80", refused: true},
		{name: "name to zoned link-local", answer: addrs("fe80::1%eth0"), address: "evil.example:80", refused: true},
		{name: "name to unspecified", answer: addrs("0.0.0.0"), address: "evil.example:80", refused: true},
		{name: "name to private then public", answer: addrs("10.0.0.1", "203.0.113.5"), address: "mixed.example:443", dialed: []string{"203.0.113.5:443"}},
		{name: "name to public", answer: addrs("2001:db8::7"), address: "good.example:443", dialed: []string{"[2001:db8::7]:443"}},
		{name: "literal skips lookup", address: "203.0.113.9:80", dialed: []string{"203.0.113.9:80"}},
		{name: "private literal", address: "[::ffff:10.1.2.3]:80", refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dialed []string
			allow := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
				dialed = append(dialed, address)
				return dialtest.NewConn("allowed"), nil
			})
			selective, err := dialx.NewSelective(ssrfRules(allow)...)
			require.NoError(t, err)
			resolver := &fakeResolver{answers: map[string][]netip.Addr{"evil.example": tt.answer, "mixed.example": tt.answer, "good.example": tt.answer}}
			r := dialx.NewResolve(selective, dialx.WithResolver(resolver))

			conn, err := r.DialContext(context.Background(), "tcp", tt.address)
			assert.Equal(t, tt.dialed, dialed)
			if tt.refused {
				assert.Nil(t, conn)
				assert.ErrorIs(t, err, dialx.ErrRejected)
				assert.ErrorContains(t, err, "private address")
				return
			}
			require.NoError(t, err)
			conn.Close()
		})
	}
}

func TestResolveErrors(t *testing.T) {
	lookupErr := &net.DNSError{Err: "no such host", Name: "nowhere.example", IsNotFound: true}
	refused := errors.New("refused")
	tests := []struct {
		name     string
		resolver *fakeResolver
		address  string
		want     string
		wantIs   error
	}{
		{name: "lookup fails", resolver: &fakeResolver{err: lookupErr}, address: "nowhere.example:80",
			want: "dialx: resolve tcp nowhere.example:80: lookup nowhere.example: no such host", wantIs: lookupErr},
		{name: "no addresses", resolver: &fakeResolver{}, address: "empty.example:80",
			want: "dialx: resolve tcp empty.example:80: no addresses for empty.example"},
		{name: "bad address", resolver: &fakeResolver{}, address: "no-port.example",
			want: "dialx: resolve tcp no-port.example: invalid address: missing port in address", wantIs: rules.ErrInvalidAddress},
		{name: "every address fails", resolver: &fakeResolver{answers: map[string][]netip.Addr{"two.example": addrs("192.0.2.1", "192.0.2.2")}},
			address: "two.example:80", want: "dialx: resolve tcp two.example:80: all 2 addresses failed: refused; refused", wantIs: refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dialx.NewResolve(dialx.DialerFunc(dialtest.Failing(refused)), dialx.WithResolver(tt.resolver))
			conn, err := r.Dial("tcp", tt.address)
			assert.Nil(t, conn)
			assert.EqualError(t, err, tt.want)
			if tt.wantIs != nil {
				assert.ErrorIs(t, err, tt.wantIs)
			}
		})
	}
}

func TestResolveStopsWhenCtxDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	inner := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		calls++
		cancel()
		return nil, errors.New("refused")
	})
	resolver := &fakeResolver{answers: map[string][]netip.Addr{"two.example": addrs("192.0.2.1", "192.0.2.2")}}
	_, err := dialx.NewResolve(inner, dialx.WithResolver(resolver)).DialContext(ctx, "tcp", "two.example:80")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, calls)
}

func TestResolveLookupNetwork(t *testing.T) {
	var networks []string
	resolver := resolverFunc(func(_ context.Context, network, _ string) ([]netip.Addr, error) {
		networks = append(networks, network)
		return addrs("192.0.2.1"), nil
	})
	r := dialx.NewResolve(dialx.DialerFunc(dialtest.Instant()), dialx.WithResolver(resolver))
	for _, network := range []string{"tcp", "tcp4", "tcp6", "udp", "udp4", "udp6"} {
		_, err := r.Dial(network, "example.com:53")
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"ip", "ip4", "ip6", "ip", "ip4", "ip6"}, networks)
}

type resolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f resolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}

// TestResolveLoopback connects for real: a name that the injected resolver
// maps to the test's own loopback server is dialed by IP through the rules.
func TestResolveLoopback(t *testing.T) {
	server := dialtest.StartEcho(t)
	_, port, err := net.SplitHostPort(server.Addr())
	require.NoError(t, err)
	selective, err := dialx.NewSelective(
		dialx.Rule{Pattern: "127.0.0.1:" + port, Dialer: &net.Dialer{}},
		dialx.Rule{Pattern: "*", Dialer: dialx.NewReject(nil)},
	)
	require.NoError(t, err)
	resolver := &fakeResolver{answers: map[string][]netip.Addr{"echo.test": addrs("127.0.0.1")}}
	conn, err := dialx.NewResolve(selective, dialx.WithResolver(resolver)).Dial("tcp", "echo.test:"+port)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte{42})
	require.NoError(t, err)
	reply := make([]byte, 1)
	_, err = conn.Read(reply)
	require.NoError(t, err)
	assert.Equal(t, byte(42), reply[0])
}

func TestNewResolvePanicsOnANilDialerOrResolver(t *testing.T) {
	assert.PanicsWithValue(t, "dialx: NewResolve: nil Dialer", func() { dialx.NewResolve(nil) })
	assert.PanicsWithValue(t, "dialx: WithResolver: resolver must not be nil, got nil", func() { dialx.WithResolver(nil) })
}

func TestSelectiveControlContext(t *testing.T) {
	allow := &dialtest.Dialer{}
	selective, err := dialx.NewSelective(ssrfRules(allow)...)
	require.NoError(t, err)
	tests := []struct {
		address string
		wantIs  error // nil: allowed
	}{
		{address: "203.0.113.5:443"},
		{address: "[2001:db8::1]:443"},
		{address: "127.0.0.1:80", wantIs: dialx.ErrRejected},
		{address: "[::ffff:127.0.0.1]:80", wantIs: dialx.ErrRejected},
		{address: "[::ffff:7f00:1]:80", wantIs: dialx.ErrRejected},
		{address: "[fe80::1%eth0]:80", wantIs: dialx.ErrRejected},
		{address: "[fe80::1%25]:80", wantIs: dialx.ErrRejected},
		{address: "0.0.0.0:80", wantIs: dialx.ErrRejected},
		{address: "[::]:80", wantIs: dialx.ErrRejected},
		{address: "[::1]:80", wantIs: dialx.ErrRejected},
		{address: "", wantIs: rules.ErrInvalidAddress},
		{address: "[::1", wantIs: rules.ErrInvalidAddress},
		{address: "/var/run/socket", wantIs: rules.ErrInvalidAddress},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			err := selective.ControlContext(context.Background(), "tcp", tt.address, nil)
			if tt.wantIs == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantIs)
			}
		})
	}
	assert.Zero(t, allow.Calls(), "ControlContext never dials")
}

// refuseLoopback is a custom Dialer that declares its refusals.
type refuseLoopback struct{ dialtest.Dialer }

func (r *refuseLoopback) Refusal(_ context.Context, _, address string) error {
	if strings.HasPrefix(address, "127.") {
		return errLoopback
	}
	return nil
}

var errLoopback = errors.New("loopback refused")

// TestSelectiveControlContextDialers pins down which rule Dialers the hook
// takes as refusing: those with a Refusal method, and the package's
// decorators of one Dialer around one, however deep.
func TestSelectiveControlContextDialers(t *testing.T) {
	reject := dialx.NewReject(errors.New("denied"))
	inner, err := dialx.NewSelective(
		dialx.Rule{Pattern: "127.0.0.2", Dialer: reject},
		dialx.Rule{Pattern: "127.0.0.3", Dialer: &dialtest.Dialer{}},
	)
	require.NoError(t, err)
	tests := []struct {
		name   string
		dialer dialx.Dialer
		wantIs map[string]error // address: error it matches; nil allowed
	}{
		{name: "Reject", dialer: reject, wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Reject in a DialerFunc is hidden", dialer: dialx.DialerFunc(reject.DialContext),
			wantIs: map[string]error{"127.0.0.2:80": nil}},
		{name: "Reject in a Timeout", dialer: dialx.NewTimeout(reject, time.Second),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Reject in a Repeat", dialer: dialx.NewRepeat(reject, 3),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Reject in a Delay", dialer: dialx.NewDelay(reject, time.Hour),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Reject in a Swappable", dialer: dialx.NewSwappable(reject),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Reject in a Limit", dialer: dialx.NewLimit(reject, 1),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Reject in a Breaker", dialer: dialx.NewBreaker(reject),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Reject in a Resolve", dialer: dialx.NewResolve(reject),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Reject deep in a stack", dialer: dialx.NewTimeout(dialx.NewBreaker(dialx.NewLimit(dialx.NewRepeat(dialx.NewSwappable(reject), 2), 4)), time.Second),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected}},
		{name: "Selective in a Swappable", dialer: dialx.NewSwappable(inner),
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected, "127.0.0.3:80": nil, "10.0.0.2:80": dialx.ErrNoMatch}},
		{name: "Reject in a Concurrent of two is hidden", dialer: dialx.NewConcurrent(reject, &dialtest.Dialer{}),
			wantIs: map[string]error{"127.0.0.2:80": nil}},
		{name: "custom Refusal method", dialer: &refuseLoopback{},
			wantIs: map[string]error{"127.0.0.2:80": errLoopback, "10.0.0.2:80": nil}},
		{name: "nested Selective", dialer: inner,
			wantIs: map[string]error{"127.0.0.2:80": dialx.ErrRejected, "127.0.0.3:80": nil, "10.0.0.2:80": dialx.ErrNoMatch}},
		{name: "plain Dialer", dialer: &dialtest.Dialer{}, wantIs: map[string]error{"127.0.0.2:80": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: tt.dialer})
			require.NoError(t, err)
			for address, wantIs := range tt.wantIs {
				err := s.ControlContext(context.Background(), "tcp", address, nil)
				if wantIs == nil {
					assert.NoError(t, err, address)
				} else {
					assert.ErrorIs(t, err, wantIs, address)
				}
			}
		})
	}
}

// TestSelectiveControlContextInNetDialer guards a real net.Dialer: the
// loopback server is refused before any connection is made.
func TestSelectiveControlContextInNetDialer(t *testing.T) {
	server := dialtest.StartEcho(t)
	selective, err := dialx.NewSelective(ssrfRules(dialx.NewReject(errors.New("unused")))[:2]...)
	require.NoError(t, err)
	_, err = (&net.Dialer{ControlContext: selective.ControlContext}).Dial("tcp", server.Addr())
	assert.ErrorIs(t, err, dialx.ErrRejected)
	assert.Zero(t, server.Accepted())

	_, port, _ := net.SplitHostPort(server.Addr())
	allowed, err := dialx.NewSelective(dialx.Rule{Pattern: "127.0.0.1:" + port, Dialer: &net.Dialer{}})
	require.NoError(t, err)
	conn, err := (&net.Dialer{ControlContext: allowed.ControlContext}).Dial("tcp", server.Addr())
	require.NoError(t, err)
	conn.Close()
}
