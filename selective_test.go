package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/rules"
)

// newSelective builds a Selective whose rule i dials through a fake that
// labels its connections with the rule's index.
func newSelective(t testing.TB, patterns ...string) *dialx.Selective {
	t.Helper()
	rules := make([]dialx.Rule, len(patterns))
	for i, p := range patterns {
		rules[i] = dialx.Rule{Pattern: p, Dialer: &dialtest.Dialer{Label: strconv.Itoa(i)}}
	}
	s, err := dialx.NewSelective(rules...)
	require.NoError(t, err)
	return s
}

func TestSelectiveDialsThroughTheFirstMatchingRule(t *testing.T) {
	block := dialx.NewReject(errors.New("Blocked"))
	allow := &dialtest.Dialer{Label: "allow"}
	s, err := dialx.NewSelective(
		dialx.Rule{Pattern: "ads.example.com", Dialer: block},
		dialx.Rule{Pattern: "*", Dialer: allow},
	)
	require.NoError(t, err)

	conn, err := s.DialContext(context.Background(), "tcp", "www.example.com:443")
	require.NoError(t, err)
	defer conn.Close()
	assert.Same(t, allow.Conns()[0], conn, "the rule's connection is returned unchanged")

	_, err = s.Dial("tcp", "ads.example.com:443")
	assert.ErrorIs(t, err, dialx.ErrRejected)
	assert.ErrorContains(t, err, "Blocked")
	assert.Equal(t, 1, allow.Calls())
}

func TestSelectiveReturnsTheRulesErrorUnchanged(t *testing.T) {
	inner := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: dialx.DialerFunc(dialtest.Failing(inner))})
	require.NoError(t, err)

	_, err = s.DialContext(context.Background(), "tcp", "127.0.0.1:1")
	assert.Same(t, error(inner), err, "the rule's error is returned unchanged")
}

func TestSelectiveMatchesWhateverTheNetwork(t *testing.T) {
	s := newSelective(t, "example.com:53")
	for _, network := range []string{"tcp", "tcp6", "udp", "unix", ""} {
		conn, err := s.DialContext(context.Background(), network, "example.com:53")
		require.NoError(t, err, network)
		conn.Close()
	}
}

func TestSelectiveRefusesAnAddressNoRuleMatches(t *testing.T) {
	s := newSelective(t, "example.com")
	_, err := s.DialContext(context.Background(), "tcp", "example.org:80")
	require.ErrorIs(t, err, dialx.ErrNoMatch)
	var de *dialx.DialError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, &dialx.DialError{Op: "selective", Net: "tcp", Addr: "example.org:80", Err: dialx.ErrNoMatch}, de)
	assert.Equal(t, "dialx: selective tcp example.org:80: no rule matches the address", err.Error())
}

func TestSelectiveWithoutRulesMatchesNothing(t *testing.T) {
	s, err := dialx.NewSelective()
	require.NoError(t, err)
	_, err = s.Dial("tcp", "127.0.0.1:80")
	assert.ErrorIs(t, err, dialx.ErrNoMatch)
}

func TestSelectiveRefusesAnInvalidAddressWithoutDialing(t *testing.T) {
	s := newSelective(t, "*")
	// The reasons are rules.Canonical's, whose table in package rules names
	// each; a Selective must give the same, naming itself and the address.
	for _, address := range []string{
		"example.com", "", "example.com:", ":80", "::1:80", "exa mple.com:80", "*:80", "a..b:80",
		"example.com:http", "example.com:+80", "example.com:080", "example.com:65536", "127.1:80",
	} {
		t.Run(address, func(t *testing.T) {
			_, reason := rules.Canonical(address)
			require.ErrorIs(t, reason, rules.ErrInvalidAddress)
			conn, err := s.DialContext(context.Background(), "tcp", address)
			assert.Nil(t, conn)
			require.ErrorIs(t, err, rules.ErrInvalidAddress)
			var de *dialx.DialError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, address, de.Addr)
			assert.Equal(t, "dialx: selective tcp "+address+": "+strings.TrimPrefix(reason.Error(), "dialx: "), err.Error())
		})
	}
}

func TestNewSelectiveReportsEveryBadPattern(t *testing.T) {
	ok := &dialtest.Dialer{}
	s, err := dialx.NewSelective(
		dialx.Rule{Pattern: "example.com", Dialer: ok},
		dialx.Rule{Pattern: "example.com:nope", Dialer: ok},
		dialx.Rule{Pattern: "example.org", Dialer: ok},
		dialx.Rule{Pattern: "127.1", Dialer: ok},
	)
	assert.Nil(t, s)
	bad := ruleErrors(t, err)
	require.Len(t, bad, 2)
	assert.Equal(t, 1, bad[0].Index)
	assert.Equal(t, "example.com:nope", bad[0].Pattern)
	assert.EqualError(t, bad[0], `dialx: rule 1 "example.com:nope": port "nope" is not a decimal number`)
	assert.Equal(t, 3, bad[1].Index)
	assert.ErrorContains(t, err, `dialx: rule 3 "127.1": host "127.1" ends in a number`)
}

func TestNewSelectivePanicsOnANilDialer(t *testing.T) {
	ok := &dialtest.Dialer{}
	assert.PanicsWithValue(t, "dialx: NewSelective: rules[1].Dialer must not be nil, got nil (pattern example.org)", func() {
		dialx.NewSelective(dialx.Rule{Pattern: "example.com", Dialer: ok}, dialx.Rule{Pattern: "example.org"})
	})
	assert.PanicsWithValue(t, "dialx: NewSelective: rules[0].Dialer must not be nil, got nil (pattern example.com:nope)", func() {
		dialx.NewSelective(dialx.Rule{Pattern: "example.com:nope", Dialer: dialx.DialerFunc(nil)})
	}, "a typed nil is nil too, and a nil Dialer is found before a bad pattern")
}

func TestSelectiveMatchNamesTheRuleWithoutDialing(t *testing.T) {
	s := newSelective(t, "a.example", "*.example:443")
	rule, i, err := s.Match("www.example:443")
	require.NoError(t, err)
	assert.Equal(t, 1, i)
	assert.Equal(t, "*.example:443", rule.Pattern)

	_, i, err = s.Match("www.example:80")
	assert.Equal(t, -1, i)
	assert.ErrorIs(t, err, dialx.ErrNoMatch)
	assert.EqualError(t, err, "dialx: selective www.example:80: no rule matches the address")
}

func TestSelectiveMatchAllocatesNothing(t *testing.T) {
	s, err := dialx.NewSelective(
		dialx.Rule{Pattern: "ads.example.com", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "*.tracker.example:80-443", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "10.0.0.0/8", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "cdn-*.example.net", Dialer: dialx.NewReject(nil)},
		dialx.Rule{Pattern: "2001:db8::/32", Dialer: dialx.DialerFunc(dialtest.Instant())},
		dialx.Rule{Pattern: "*", Dialer: dialx.DialerFunc(dialtest.Instant())},
	)
	require.NoError(t, err)
	for _, address := range []string{"www.example.com:443", "203.0.113.5:80", "192.0.2.1:443", "a.b.tracker.example:8080", "[2001:db8::1]:443"} {
		assertDialDoesNotAllocate(t, context.Background(), s, address)
	}
	// Another spelling costs the one string of its canonical form.
	for _, address := range []string{"WWW.Example.COM.:443", "[::ffff:192.0.2.1]:443", "[2001:DB8::1]:443"} {
		allocs := testing.AllocsPerRun(1000, func() {
			if _, err := s.DialContext(context.Background(), "tcp", address); err != nil {
				t.Fatal(err)
			}
		})
		assert.Equal(t, 1.0, allocs, address)
	}
}

// TestSelectiveHandsTheRulesDialerTheCanonicalAddress checks that the Dialer
// of the matching rule receives the address as rules.Canonical writes it
// (whose table, in package rules, gives every class), never as it was
// written, so nothing downstream can read it another way.
func TestSelectiveHandsTheRulesDialerTheCanonicalAddress(t *testing.T) {
	for _, address := range []string{
		"www.example.com:443", "WWW.Example.COM:443", "www.example.com.:443", "[www.example.com]:443",
		"bücher.example:80", "ｅｘａｍｐｌｅ.com:80", "example。com:80", "１２７.０.０.１:80",
		"127.0.0.1:80", "127.0.0.1.:80", "[127.0.0.1]:80", "[::ffff:127.0.0.1]:80", "[::ffff:7f00:1]:80",
		"[0000:0000:0000:0000:0000:0000:0000:0001]:80", "[2001:DB8::1]:80", "[fe80::1%eth0]:80",
		"[FE80:0::1%eth0]:80", "[2001:db8::1%eth0]:80", "example.com:0",
	} {
		t.Run(address, func(t *testing.T) {
			want, err := rules.Canonical(address)
			require.NoError(t, err)
			var got string
			record := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
				got = address
				client, server := net.Pipe()
				server.Close()
				return client, nil
			})
			s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: record})
			require.NoError(t, err)
			conn, err := s.DialContext(context.Background(), "tcp", address)
			require.NoError(t, err)
			conn.Close()
			assert.Equal(t, want, got)
		})
	}
}

// FuzzSelectiveAddress dials made-up addresses through a Selective with
// every kind of rule: it never panics, fails only with ErrInvalidAddress or
// ErrNoMatch, dials the rule Match names, agrees with ControlContext and
// decides the same way twice. The matcher's
// own properties are fuzzed in package rules.
func FuzzSelectiveAddress(f *testing.F) {
	for _, seed := range []string{
		"example.com:80", "EXAMPLE.com.:443", "[::1]:80", "[::ffff:127.0.0.1]:80", "[fe80::1%eth0]:22",
		"127.1:80", "2130706433:80", "bücher.example:443", "ｅｘａｍｐｌｅ.com:80", "example.com:080",
		"example.com:http", "10.1.2.3:443", "[fd00::1]:443", "a.b.ads.example:8080", ":80", "", "example.com",
	} {
		f.Add(seed)
	}
	s := newSelective(f, ".ads.example", "*.example.com:443", "example.com", "10.0.0.0/8:1-1024",
		"[fd00::/8]:443", "127.0.0.1", "fe80::/10", "cdn-*.example.net", "*:80")
	f.Fuzz(func(t *testing.T, address string) {
		conn, err := s.DialContext(context.Background(), "tcp", address)
		_, i, matchErr := s.Match(address)
		if controlErr := s.ControlContext(context.Background(), "tcp", address, nil); (controlErr == nil) != (err == nil) {
			t.Fatalf("address %q: DialContext says %v, ControlContext says %v", address, err, controlErr)
		}
		if err != nil {
			var de *dialx.DialError
			if !errors.As(err, &de) || de.Addr != address || !(errors.Is(err, rules.ErrInvalidAddress) || errors.Is(err, dialx.ErrNoMatch)) {
				t.Fatalf("address %q: unexpected error %v", address, err)
			}
			if matchErr == nil || errors.Is(matchErr, dialx.ErrNoMatch) != errors.Is(err, dialx.ErrNoMatch) {
				t.Fatalf("address %q: DialContext says %v, Match says %v", address, err, matchErr)
			}
			return
		}
		defer conn.Close()
		if matchErr != nil || conn.(*dialtest.Conn).Label != strconv.Itoa(i) {
			t.Fatalf("address %q: dialed through %s, Match says %d, %v", address, conn.(*dialtest.Conn).Label, i, matchErr)
		}
		if _, j, _ := s.Match(address); j != i {
			t.Fatalf("address %q: matched %d, then %d", address, i, j)
		}
	})
}

func TestSelectiveControlContextRefusesWithoutDialing(t *testing.T) {
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

// TestSelectiveControlContextAsksRefusalThroughDecoratorsOfOne pins down which rule Dialers the hook
// takes as refusing: those with a Refusal method, and the package's
// decorators of one Dialer around one, however deep.
func TestSelectiveControlContextAsksRefusalThroughDecoratorsOfOne(t *testing.T) {
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

// TestSelectiveControlContextRefusesBeforeANetDialerConnects guards a real net.Dialer: the
// loopback server is refused before any connection is made.
func TestSelectiveControlContextRefusesBeforeANetDialerConnects(t *testing.T) {
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

// cjk returns a host of n bytes of distinct CJK characters, the input that
// makes Punycode slowest.
func cjk(n int) string {
	var b strings.Builder
	for r := rune(0x4E00); b.Len()+3 <= n; r++ {
		b.WriteRune(r)
	}
	return b.String()
}

// TestSelectiveFailsClosedOnMalformedHosts holds hosts that were once read
// as names and let through to the allowing Dialer of a deny list: each is
// refused as an invalid address before any rule or Dialer runs, by
// DialContext, Match and ControlContext alike. Package rules holds the full
// list of such hosts.
func TestSelectiveFailsClosedOnMalformedHosts(t *testing.T) {
	tests := []struct {
		name, address, reason string
	}{
		{name: "invalid byte after a denied name", address: "localhost\xff:80", reason: "not valid UTF-8"},
		{name: "overlong NUL after a denied address", address: "127.0.0.1\xc0\x80:80", reason: "not valid UTF-8"},
		{name: "NUL", address: "localhost\x00:80", reason: "is not allowed in a host name"},
		{name: "zero-width space", address: "metadata\u200b.google.internal:80", reason: "would be dropped by IDNA"},
		{name: "address of a megabyte", address: strings.Repeat("a", 1<<20) + ":80", reason: "longer than"},
		{name: "zone with a slash", address: "[fe80::1%eth0/x]:80", reason: "in zone"},
	}
	deny := dialx.NewReject(nil)
	allow := &dialtest.Dialer{}
	s, err := dialx.NewSelective(
		dialx.Rule{Pattern: "localhost", Dialer: deny},
		dialx.Rule{Pattern: "127.0.0.0/8", Dialer: deny},
		dialx.Rule{Pattern: "*.internal", Dialer: deny},
		dialx.Rule{Pattern: "fe80::/10", Dialer: deny},
		dialx.Rule{Pattern: "*", Dialer: allow},
	)
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.DialContext(context.Background(), "tcp", tt.address)
			require.ErrorIs(t, err, rules.ErrInvalidAddress)
			assert.Contains(t, err.Error(), tt.reason)
			_, _, err = s.Match(tt.address)
			assert.ErrorIs(t, err, rules.ErrInvalidAddress, "Match")
			err = s.ControlContext(context.Background(), "tcp", tt.address, nil)
			assert.ErrorIs(t, err, rules.ErrInvalidAddress, "ControlContext")
		})
	}
	assert.Zero(t, allow.Calls(), "the allowing Dialer is never reached")
}

// denyList is the deny list the fail-closed fuzz targets hold the package
// to, with a reference check written apart from the matcher.
var denyList = struct {
	blocks   []string
	names    []string // exact names
	suffixes []string // the name and every name below it
}{
	blocks:   []string{"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10", "64:ff9b::/96"},
	names:    []string{"localhost", "metadata.google.internal"},
	suffixes: []string{"internal", "corp.example"},
}

func denySelective(t testing.TB, allow dialx.Dialer) *dialx.Selective {
	t.Helper()
	deny := dialx.NewReject(nil)
	var rules []dialx.Rule
	for _, p := range denyList.blocks {
		rules = append(rules, dialx.Rule{Pattern: p, Dialer: deny})
	}
	for _, p := range denyList.names {
		rules = append(rules, dialx.Rule{Pattern: p, Dialer: deny})
	}
	for _, p := range denyList.suffixes {
		rules = append(rules, dialx.Rule{Pattern: "." + p, Dialer: deny})
	}
	rules = append(rules, dialx.Rule{Pattern: "*", Dialer: allow})
	s, err := dialx.NewSelective(rules...)
	require.NoError(t, err)
	return s
}

// deniedReference reports whether a canonical address is denied by
// denyList, and fails the test if the address is not canonical: an IP
// literal in netip's own text (never IPv4-mapped), or a lower-case ASCII
// name of letters, digits, '-' and '_' without a trailing dot.
func deniedReference(t testing.TB, address string) bool {
	t.Helper()
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		t.Fatalf("allowed Dialer got %q, not host:port: %v", address, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 || strconv.Itoa(p) != port {
		t.Fatalf("allowed Dialer got %q: port not canonical", address)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Is4In6() || ip.WithZone("").String() != strings.SplitN(host, "%", 2)[0] {
			t.Fatalf("allowed Dialer got %q: IP literal not canonical", address)
		}
		for _, block := range denyList.blocks {
			if netip.MustParsePrefix(block).Contains(ip.WithZone("")) {
				return true
			}
		}
		return false
	}
	if len(host) == 0 || len(host) > 253 || host[len(host)-1] == '.' {
		t.Fatalf("allowed Dialer got %q: name not canonical", address)
	}
	for _, c := range []byte(host) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			t.Fatalf("allowed Dialer got %q: byte %q in a canonical name", address, c)
		}
	}
	if slices.Contains(denyList.names, host) {
		return true
	}
	for _, suffix := range denyList.suffixes {
		if host == suffix || strings.HasSuffix(host, "."+suffix) {
			return true
		}
	}
	return false
}

// FuzzDenyListFailsClosed states the fail-closed property of Selective: for
// any host, port and network, the allowing Dialer of a deny list is only
// ever reached with a canonical address that the reference check does not
// deny, and DialContext, Match and ControlContext agree on every address.
func FuzzDenyListFailsClosed(f *testing.F) {
	for _, seed := range []string{
		"localhost", "LOCALHOST.", "localhost\xff", "127.0.0.1\xc0\x80", "[::ffff:127.0.0.1]", "0x7f.1", "127.1",
		"metadata.google.internal\xff", "Metadata.Google.Internal.", "metadata\u200b.google.internal", "ｌｏｃａｌｈｏｓｔ",
		"[fe80::1%eth0]", "[::1]", "[0:0::1]", "[64:ff9b::a00:5]", "a.corp.example", "corp.example.", "example.com",
		"xn--lcalhost-7ya", "1.2.3.4", "[2001:db8::1]", "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ", "１２７.０.０.１", "127。0。0。1",
	} {
		f.Add(seed, "80", "tcp")
	}
	f.Fuzz(func(t *testing.T, host, port, network string) {
		var reached []string
		allow := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
			reached = append(reached, address)
			return nil, errors.New("allowed")
		})
		s := denySelective(t, allow)
		for _, address := range []string{host + ":" + port, net.JoinHostPort(host, port), host} {
			reached = reached[:0]
			_, dialErr := s.DialContext(context.Background(), network, address)
			_, _, matchErr := s.Match(address)
			controlErr := s.ControlContext(context.Background(), network, address, nil)
			for _, got := range reached {
				if deniedReference(t, got) {
					t.Fatalf("address %q reached the allowed Dialer as %q, which the deny list denies", address, got)
				}
			}
			allowed := len(reached) > 0
			refused := errors.Is(dialErr, dialx.ErrRejected)
			invalid := errors.Is(dialErr, rules.ErrInvalidAddress)
			if allowed == (refused || invalid) || refused == invalid && !allowed {
				t.Fatalf("address %q: DialContext %v: not exactly one of allowed, refused, invalid", address, dialErr)
			}
			if (matchErr == nil) == invalid || (controlErr == nil) != allowed {
				t.Fatalf("address %q: DialContext %v (allowed %v), Match %v, ControlContext %v disagree", address, dialErr, allowed, matchErr, controlErr)
			}
		}
	})
}
