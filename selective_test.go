package dialx_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"

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

func TestSelectiveDialsThroughMatchingRule(t *testing.T) {
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

func TestSelectiveKeepsDialerError(t *testing.T) {
	inner := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: dialx.DialerFunc(dialtest.Failing(inner))})
	require.NoError(t, err)

	_, err = s.DialContext(context.Background(), "tcp", "127.0.0.1:1")
	assert.Same(t, error(inner), err, "the rule's error is returned unchanged")
}

func TestSelectiveIgnoresNetwork(t *testing.T) {
	s := newSelective(t, "example.com:53")
	for _, network := range []string{"tcp", "tcp6", "udp", "unix", ""} {
		conn, err := s.DialContext(context.Background(), network, "example.com:53")
		require.NoError(t, err, network)
		conn.Close()
	}
}

func TestSelectiveNoMatch(t *testing.T) {
	s := newSelective(t, "example.com")
	_, err := s.DialContext(context.Background(), "tcp", "example.org:80")
	require.ErrorIs(t, err, dialx.ErrNoMatch)
	var de *dialx.DialError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, &dialx.DialError{Op: "selective", Net: "tcp", Addr: "example.org:80", Err: dialx.ErrNoMatch}, de)
	assert.Equal(t, "dialx: selective tcp example.org:80: no rule matches the address", err.Error())
}

func TestSelectiveEmptyRejectsEverything(t *testing.T) {
	s, err := dialx.NewSelective()
	require.NoError(t, err)
	_, err = s.Dial("tcp", "127.0.0.1:80")
	assert.ErrorIs(t, err, dialx.ErrNoMatch)
}

func TestSelectiveRefusesAnInvalidAddressWithoutDialing(t *testing.T) {
	tests := []struct {
		name    string
		address string
		reason  string
	}{
		{name: "no port", address: "example.com", reason: "missing port in address"},
		{name: "empty", address: "", reason: "missing port in address"},
		{name: "empty port", address: "example.com:", reason: "empty port"},
		{name: "empty host", address: ":80", reason: "empty host"},
		{name: "unbracketed IPv6", address: "::1:80", reason: "too many colons"},
		{name: "space in host", address: "exa mple.com:80", reason: `character ' '`},
		{name: "star in host", address: "*:80", reason: `character '*'`},
		{name: "empty label", address: "a..b:80", reason: "empty label"},
		{name: "port name", address: "example.com:http", reason: "not a decimal number"},
		{name: "port sign", address: "example.com:+80", reason: "not a decimal number"},
		{name: "port leading zero", address: "example.com:080", reason: "leading zero"},
		{name: "port too big", address: "example.com:65536", reason: "above 65535"},
		{name: "short IPv4", address: "127.1:80", reason: "not a dotted-quad"},
	}
	s := newSelective(t, "*")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := s.DialContext(context.Background(), "tcp", tt.address)
			assert.Nil(t, conn)
			require.ErrorIs(t, err, rules.ErrInvalidAddress)
			var de *dialx.DialError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.address, de.Addr)
			assert.Contains(t, err.Error(), tt.reason)
			assert.Contains(t, err.Error(), "dialx: selective tcp "+tt.address+": invalid address")
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
	assert.PanicsWithValue(t, "dialx: NewSelective: rule 1 (example.org) has a nil Dialer", func() {
		dialx.NewSelective(dialx.Rule{Pattern: "example.com", Dialer: ok}, dialx.Rule{Pattern: "example.org"})
	})
	assert.PanicsWithValue(t, "dialx: NewSelective: rule 0 (example.com:nope) has a nil Dialer", func() {
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

// TestSelectiveDialsCanonicalAddress checks that the Dialer of the matching
// rule receives the address as it was matched, for every class of the
// canonical-matching table, so nothing downstream can read it another way.
func TestSelectiveDialsCanonicalAddress(t *testing.T) {
	tests := []struct {
		class, address, want string
	}{
		{class: "canonical name", address: "www.example.com:443", want: "www.example.com:443"},
		{class: "letter case", address: "WWW.Example.COM:443", want: "www.example.com:443"},
		{class: "trailing dot", address: "www.example.com.:443", want: "www.example.com:443"},
		{class: "name in brackets", address: "[www.example.com]:443", want: "www.example.com:443"},
		{class: "IDNA", address: "bücher.example:80", want: "xn--bcher-kva.example:80"},
		{class: "full-width letters", address: "ｅｘａｍｐｌｅ.com:80", want: "example.com:80"},
		{class: "ideographic full stop", address: "example。com:80", want: "example.com:80"},
		{class: "full-width digits spell an IP", address: "１２７.０.０.１:80", want: "127.0.0.1:80"},
		{class: "IPv4", address: "127.0.0.1:80", want: "127.0.0.1:80"},
		{class: "IPv4 trailing dot", address: "127.0.0.1.:80", want: "127.0.0.1:80"},
		{class: "IPv4 in brackets", address: "[127.0.0.1]:80", want: "127.0.0.1:80"},
		{class: "IPv4-mapped IPv6", address: "[::ffff:127.0.0.1]:80", want: "127.0.0.1:80"},
		{class: "IPv4-mapped IPv6 in hex", address: "[::ffff:7f00:1]:80", want: "127.0.0.1:80"},
		{class: "IPv6 long form", address: "[0000:0000:0000:0000:0000:0000:0000:0001]:80", want: "[::1]:80"},
		{class: "IPv6 upper case", address: "[2001:DB8::1]:80", want: "[2001:db8::1]:80"},
		{class: "IPv6 zone kept", address: "[fe80::1%eth0]:80", want: "[fe80::1%eth0]:80"},
		{class: "IPv6 zone, long form", address: "[FE80:0::1%eth0]:80", want: "[fe80::1%eth0]:80"},
		{class: "IPv6 zone on a global address dropped", address: "[2001:db8::1%eth0]:80", want: "[2001:db8::1]:80"},
		{class: "port", address: "example.com:0", want: "example.com:0"},
	}
	for _, tt := range tests {
		t.Run(tt.class, func(t *testing.T) {
			var got string
			record := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
				got = address
				client, server := net.Pipe()
				server.Close()
				return client, nil
			})
			s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: record})
			require.NoError(t, err)
			conn, err := s.DialContext(context.Background(), "tcp", tt.address)
			require.NoError(t, err)
			conn.Close()
			assert.Equal(t, tt.want, got)
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
