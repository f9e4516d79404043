package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/rules"
)

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
