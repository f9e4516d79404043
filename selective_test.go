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
)

// newSelective builds a Selective whose rule i dials through a fake that
// labels its connections with the rule's index.
func newSelective(t *testing.T, patterns ...string) *dialx.Selective {
	t.Helper()
	rules := make([]dialx.Rule, len(patterns))
	for i, p := range patterns {
		rules[i] = dialx.Rule{Pattern: p, Dialer: &dialtest.Dialer{Label: strconv.Itoa(i)}}
	}
	s, err := dialx.NewSelective(rules...)
	require.NoError(t, err)
	return s
}

// route returns the index of the rule that address takes, -1 for no match,
// -2 for an invalid address.
func route(t *testing.T, s *dialx.Selective, address string) int {
	t.Helper()
	_, i, err := s.Match(address)
	switch {
	case errors.Is(err, dialx.ErrNoMatch):
		return -1
	case errors.Is(err, dialx.ErrInvalidAddress):
		return -2
	}
	require.NoError(t, err)
	return i
}

func TestSelectiveOriginalGrammar(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		address  string
		want     int
	}{
		{name: "exact host", patterns: []string{"github.com"}, address: "github.com:443", want: 0},
		{name: "exact host is not a subdomain", patterns: []string{"youtube.com"}, address: "www.youtube.com:443", want: -1},
		{name: "host and port", patterns: []string{"example.com:80"}, address: "example.com:80", want: 0},
		{name: "host and other port", patterns: []string{"example.com:80"}, address: "example.com:81", want: -1},
		{name: "port range low edge", patterns: []string{"*:80-81"}, address: "a.example:80", want: 0},
		{name: "port range high edge", patterns: []string{"*:80-81"}, address: "a.example:81", want: 0},
		{name: "port range outside", patterns: []string{"*:80-81"}, address: "a.example:82", want: -1},
		{name: "star matches all", patterns: []string{"*"}, address: "anything.example:1", want: 0},
		{name: "star matches IPs", patterns: []string{"*"}, address: "[::1]:1", want: 0},
		{name: "star with port", patterns: []string{"*:443"}, address: "10.1.2.3:443", want: 0},
		{name: "star prefix crosses dots", patterns: []string{"*example.com"}, address: "a.b.example.com:80", want: 0},
		{name: "star prefix matches without dot", patterns: []string{"*example.com"}, address: "badexample.com:80", want: 0},
		{name: "star in the middle", patterns: []string{"ads.*.example"}, address: "ads.eu.cdn.example:80", want: 0},
		{name: "star at the end", patterns: []string{"tracker.*"}, address: "tracker.example.org:80", want: 0},
		{name: "star at the end no match", patterns: []string{"tracker.*"}, address: "tracker:80", want: -1},
		{name: "bare IPv6", patterns: []string{"::1"}, address: "[::1]:8080", want: 0},
		{name: "bracketed IPv6 with port", patterns: []string{"[::1]:80"}, address: "[::1]:80", want: 0},
		{name: "bracketed IPv6 other port", patterns: []string{"[::1]:80"}, address: "[::1]:81", want: -1},
		{name: "IPv4 literal", patterns: []string{"127.0.0.1:22"}, address: "127.0.0.1:22", want: 0},
		{name: "upper case rule", patterns: []string{"EXAMPLE.COM"}, address: "example.com:80", want: 0},
		{name: "upper case address", patterns: []string{"example.com"}, address: "Example.COM:80", want: 0},
		{name: "first match wins", patterns: []string{"*:80", "example.com", "*"}, address: "example.com:80", want: 0},
		{name: "later rule when earlier misses", patterns: []string{"*:80", "example.com", "*"}, address: "example.com:443", want: 1},
		{name: "catch-all last", patterns: []string{"ads.example.com", "*:80-81", "*"}, address: "other.example:8080", want: 2},
		{name: "empty list", patterns: nil, address: "example.com:80", want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSelective(t, tt.patterns...)
			assert.Equal(t, tt.want, route(t, s, tt.address))
		})
	}
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

func TestSelectiveInvalidAddress(t *testing.T) {
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
			require.ErrorIs(t, err, dialx.ErrInvalidAddress)
			var de *dialx.DialError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.address, de.Addr)
			assert.Contains(t, err.Error(), tt.reason)
			assert.Contains(t, err.Error(), "dialx: selective tcp "+tt.address+": invalid address")
		})
	}
}

func TestSelectiveRefusesBadRules(t *testing.T) {
	ok := &dialtest.Dialer{}
	_, err := dialx.NewSelective(
		dialx.Rule{Pattern: "example.com", Dialer: ok},
		dialx.Rule{Pattern: "example.com:nope", Dialer: ok},
		dialx.Rule{Pattern: "example.org", Dialer: nil},
		dialx.Rule{Pattern: "example.net", Dialer: dialx.DialerFunc(nil)},
	)
	require.Error(t, err)
	var re *dialx.RuleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Index)
	assert.Equal(t, "example.com:nope", re.Pattern)
	assert.Contains(t, err.Error(), `dialx: rule 1 "example.com:nope": port "nope" is not a decimal number`)
	assert.Contains(t, err.Error(), `dialx: rule 2 "example.org": nil Dialer`)
	assert.Contains(t, err.Error(), `dialx: rule 3 "example.net": nil Dialer`)
}

func TestSelectiveMatch(t *testing.T) {
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
		dialx.Rule{Pattern: "*", Dialer: dialx.DialerFunc(dialtest.Instant())},
	)
	require.NoError(t, err)
	for _, address := range []string{"WWW.Example.COM.:443", "203.0.113.5:80", "[::ffff:192.0.2.1]:443", "a.b.tracker.example:8080"} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := s.DialContext(context.Background(), "tcp", address); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, address)
	}
}
