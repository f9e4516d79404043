package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
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

func TestResolveErrorsNameTheFailedLookupOrEveryAddress(t *testing.T) {
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

func TestResolveTriesNoFurtherAddressOnceCtxIsDone(t *testing.T) {
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

func TestResolveLooksUpTheAddressFamilyOfTheNetwork(t *testing.T) {
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

// TestResolveConnectsToAResolvedLoopbackServerThroughTheRules connects for real: a name that the injected resolver
// maps to the test's own loopback server is dialed by IP through the rules.
func TestResolveConnectsToAResolvedLoopbackServerThroughTheRules(t *testing.T) {
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
	assert.PanicsWithValue(t, "dialx: NewResolve: d must not be nil, got nil", func() { dialx.NewResolve(nil) })
	assert.PanicsWithValue(t, "dialx: WithResolver: resolver must not be nil, got nil", func() { dialx.WithResolver(nil) })
}

// byAddress is an inner Dialer that plays, for each IP address a Resolve
// dials, the racer scripted for it.
type byAddress map[string]dialx.Dialer

func newByAddress(epoch time.Time, racers map[string]*racer) byAddress {
	d := make(byAddress)
	for address, r := range racers {
		d[address] = r.dialer(epoch)
	}
	return d
}

func (d byAddress) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	r := d[address]
	if r == nil {
		return nil, errors.New("no racer for " + address)
	}
	return r.DialContext(ctx, network, address)
}

// answer is a Resolver that gives ips for every name.
func answer(ips ...string) dialx.Option {
	return dialx.WithResolver(resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
		return addrs(ips...), nil
	}))
}

// The case that made Resolve race: the first address never answers and the
// second is live. Tried in turn with the caller's whole ctx, the dial failed
// when ctx ended; raced, it connects one attempt delay after it began.
func TestResolveDeadFirstAddressDoesNotStall(t *testing.T) {
	tests := []struct {
		name  string
		opts  []dialx.Option
		after time.Duration
	}{
		{name: "default delay", after: 250 * time.Millisecond},
		{name: "WithStagger", opts: []dialx.Option{dialx.WithStagger(40 * time.Millisecond)}, after: 40 * time.Millisecond},
		{name: "WithStagger(0) starts every address at once", opts: []dialx.Option{dialx.WithStagger(0)}, after: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				epoch := time.Now()
				dead, live := &racer{wait: time.Hour}, &racer{}
				inner := newByAddress(epoch, map[string]*racer{"192.0.2.1:443": dead, "127.0.0.1:443": live})
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				defer cancel()
				r := dialx.NewResolve(inner, append(tt.opts, answer("192.0.2.1", "127.0.0.1"))...)
				conn, err := r.DialContext(ctx, "tcp", "svc.example:443")
				require.NoError(t, err)
				assert.Equal(t, tt.after, time.Since(epoch))
				assert.Same(t, live.conn, conn)
				conn.Close()
				synctest.Wait()
				assert.True(t, dead.cancelled, "the dead address's attempt is cancelled")
			})
		})
	}
}

func TestResolveFailureStartsTheNextAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := time.Now()
		first := &racer{wait: 100 * time.Millisecond, err: errRefused}
		second := &racer{wait: 10 * time.Millisecond, err: errRefused}
		third := &racer{wait: 10 * time.Millisecond}
		inner := newByAddress(epoch, map[string]*racer{"192.0.2.1:80": first, "192.0.2.2:80": second, "192.0.2.3:80": third})
		conn, err := dialx.NewResolve(inner, answer("192.0.2.1", "192.0.2.2", "192.0.2.3")).
			DialContext(t.Context(), "tcp", "svc.example:80")
		require.NoError(t, err)
		conn.Close()
		assert.Equal(t, 120*time.Millisecond, time.Since(epoch))
		assert.Equal(t, []time.Duration{0, 100 * time.Millisecond, 110 * time.Millisecond},
			[]time.Duration{first.started(), second.started(), third.started()})
	})
}

func TestResolveCancelsLosersAndClosesLateConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := time.Now()
		honest := &racer{wait: time.Hour}
		stubborn := &racer{wait: time.Second, ignoreCtx: true}
		quick := &racer{wait: 10 * time.Millisecond}
		unstarted := &racer{}
		inner := newByAddress(epoch, map[string]*racer{
			"192.0.2.1:80": honest, "192.0.2.2:80": stubborn, "192.0.2.3:80": quick, "192.0.2.4:80": unstarted,
		})
		r := dialx.NewResolve(inner, answer("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"),
			dialx.WithStagger(100*time.Millisecond))
		conn, err := r.DialContext(t.Context(), "tcp", "svc.example:80")
		require.NoError(t, err)
		assert.Same(t, quick.conn, conn)
		assert.Equal(t, 210*time.Millisecond, time.Since(epoch))
		conn.Close()

		time.Sleep(2 * time.Second) // past the stubborn racer's late success
		synctest.Wait()
		assert.True(t, honest.cancelled, "a loser gets its ctx cancelled")
		require.NotNil(t, stubborn.conn)
		assert.True(t, stubborn.conn.Closed(), "a connection that arrives after the race is closed")
		assert.Equal(t, time.Duration(-1), unstarted.started(), "no address is tried once one connected")
	})
}

// However many attempts saw the ctx end, the error says so once, first;
// it matches ctx.Err() and is a timeout.
func TestResolveReportsTheContextEndOnce(t *testing.T) {
	tests := []struct {
		name   string
		racers []*racer
		want   string
	}{
		{name: "every attempt waits for ctx", racers: []*racer{{wait: time.Hour}, {wait: time.Hour}, {wait: time.Hour}, {wait: time.Hour}},
			want: "dialx: resolve tcp svc.example:80: stopped after 3 of 4 addresses: context deadline exceeded"},
		{name: "all started", racers: []*racer{{wait: time.Hour}, {wait: time.Hour}},
			want: "dialx: resolve tcp svc.example:80: all 2 addresses failed: context deadline exceeded"},
		{name: "one refused on the way", racers: []*racer{{wait: time.Hour}, {err: errRefused}, {wait: time.Hour}},
			want: "dialx: resolve tcp svc.example:80: all 3 addresses failed: context deadline exceeded; connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				epoch := time.Now()
				scripts := make(map[string]*racer)
				var ips []string
				for i, r := range tt.racers {
					ip := netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}).String()
					ips = append(ips, ip)
					scripts[ip+":80"] = r
				}
				ctx, cancel := context.WithTimeout(t.Context(), 600*time.Millisecond)
				defer cancel()
				_, err := dialx.NewResolve(newByAddress(epoch, scripts), answer(ips...)).DialContext(ctx, "tcp", "svc.example:80")
				assert.Equal(t, 600*time.Millisecond, time.Since(epoch))
				assert.EqualError(t, err, tt.want)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				var netErr net.Error
				require.ErrorAs(t, err, &netErr)
				assert.True(t, netErr.Timeout())
				synctest.Wait()
			})
		})
	}
}

func TestResolveErrorUnwrapsToEachAddressWhenAllFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: no route to host")}
		errA, errC := errors.New("a down"), errors.New("c down")
		epoch := time.Now()
		inner := newByAddress(epoch, map[string]*racer{
			"192.0.2.1:80":      {wait: 300 * time.Millisecond, err: errA},
			"[2001:db8::1]:80":  {wait: 100 * time.Millisecond, err: opErr},
			"192.0.2.2:80":      {err: errC},
			"[2001:db8::2]:80":  {wait: time.Second, err: errRefused},
			"[2001:db8::3]:80":  {err: errRefused},
			"[2001:db8::ff]:80": {}, // not in the answer
		})
		_, err := dialx.NewResolve(inner, answer("192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2", "2001:db8::3")).
			DialContext(t.Context(), "tcp", "svc.example:80")
		assert.EqualError(t, err, "dialx: resolve tcp svc.example:80: all 5 addresses failed: "+
			"a down; dial tcp: connect: no route to host; c down; connection refused; connection refused")
		for _, want := range []error{errA, opErr, errC, errRefused} {
			assert.ErrorIs(t, err, want)
		}
		var gotOp *net.OpError
		require.ErrorAs(t, err, &gotOp)
		assert.Same(t, opErr, gotOp)
		assert.Equal(t, time.Second+300*time.Millisecond, time.Since(epoch))
	})
}

// Resolve's attempts are innermost dials to a Trace; the Concurrent events
// are Concurrent's.
func TestResolveReportsEachAttemptAsAnInnermostDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		conn, err := dialx.NewResolve(slowDialTo("192.0.2.1:80", time.Hour), answer("192.0.2.1", "127.0.0.1")).
			DialContext(ctx, "tcp", "svc.example:80")
		require.NoError(t, err)
		conn.Close()
		synctest.Wait()
		assert.ElementsMatch(t, []string{
			"dial start tcp 192.0.2.1:80", "dial start tcp 127.0.0.1:80",
			"dial done tcp 127.0.0.1:80 0s err=<nil>", "dial done tcp 192.0.2.1:80 250ms err=context canceled",
		}, strings.Split(log.String(), "\n"))
	})
}

// slowDialTo is an inner Dialer that takes wait for address and connects
// at once to any other.
func slowDialTo(address string, wait time.Duration) dialx.DialerFunc {
	return func(ctx context.Context, network, to string) (net.Conn, error) {
		if to == address {
			return slowDial(wait, nil)(ctx, network, to)
		}
		return dialtest.NewConn(to), nil
	}
}

// answersFrom reads a fuzzed resolver answer: 4-byte or 16-byte chunks, as
// the first byte of each says, so IPv4, IPv6 and IPv4-mapped addresses all
// come up.
func answersFrom(data []byte) []netip.Addr {
	var ips []netip.Addr
	for len(data) > 0 && len(ips) < 16 {
		kind := data[0]
		data = data[1:]
		size := 4
		if kind&1 == 1 {
			size = 16
		}
		if len(data) < size {
			break
		}
		ip, _ := netip.AddrFromSlice(data[:size])
		ips = append(ips, ip)
		data = data[size:]
	}
	return ips
}

// FuzzResolveFailsClosed states the fail-closed property through name
// resolution: whatever a resolver answers for whatever name, the allowing
// Dialer behind a Resolve over the deny list, and the base Dialer of a
// Guard, only ever receive canonical IP literals that are not denied.
func FuzzResolveFailsClosed(f *testing.F) {
	f.Add("rebind.example", "443", []byte{0, 127, 0, 0, 1, 0, 8, 8, 8, 8})
	f.Add("mapped.example", "80", append([]byte{1}, netip.MustParseAddr("::ffff:10.0.0.5").AsSlice()...))
	f.Add("nat64.example", "80", append([]byte{1}, netip.MustParseAddr("64:ff9b::a00:5").AsSlice()...))
	f.Add("Public.Example.", "53", []byte{0, 1, 1, 1, 1})
	f.Add("127.0.0.1", "80", []byte{0, 8, 8, 8, 8})
	prefixes := rules.NonPublicPrefixes()
	f.Fuzz(func(t *testing.T, host, port string, answer []byte) {
		ips := answersFrom(answer)
		lookup := resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) { return ips, nil })
		address := net.JoinHostPort(host, port)

		var reached []string
		var mu sync.Mutex
		record := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
			mu.Lock()
			reached = append(reached, address)
			mu.Unlock()
			return nil, errors.New("recorded")
		})
		resolve := dialx.NewResolve(denySelective(t, record), dialx.WithResolver(lookup))
		resolve.DialContext(context.Background(), "tcp", address)
		for _, got := range reached {
			if _, err := netip.ParseAddrPort(got); err != nil {
				t.Fatalf("address %q, answer %v: the rules' Dialer got %q, not an IP literal", address, ips, got)
			}
			if deniedReference(t, got) {
				t.Fatalf("address %q, answer %v: denied address %q reached the allowed Dialer", address, ips, got)
			}
		}

		reached = reached[:0]
		guard, err := dialx.NewGuard(record, dialx.WithResolver(lookup))
		require.NoError(t, err)
		guard.DialContext(context.Background(), "tcp", address)
		for _, got := range reached {
			ap, err := netip.ParseAddrPort(got)
			if err != nil || ap.Addr().Is4In6() || ap.String() != got {
				t.Fatalf("address %q, answer %v: the Guard's base got %q, not a canonical IP literal", address, ips, got)
			}
			if slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(ap.Addr().WithZone("")) }) {
				t.Fatalf("address %q, answer %v: non-public %q reached the Guard's base", address, ips, got)
			}
		}
	})
}
