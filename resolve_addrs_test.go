package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/rules"
)

// Resolve dials in the order of RFC 8305, section 4: the resolver's first
// address, then the families in turn, each in the resolver's order, every
// address in canonical form.
func TestResolveInterleavesFamilies(t *testing.T) {
	tests := []struct {
		name   string
		answer []string
		want   []string
	}{
		{name: "IPv6 first", answer: []string{"2001:db8::1", "2001:db8::2", "192.0.2.1", "192.0.2.2"},
			want: []string{"[2001:db8::1]:80", "192.0.2.1:80", "[2001:db8::2]:80", "192.0.2.2:80"}},
		{name: "IPv4 first", answer: []string{"192.0.2.1", "192.0.2.2", "2001:db8::1"},
			want: []string{"192.0.2.1:80", "[2001:db8::1]:80", "192.0.2.2:80"}},
		{name: "one IPv4 among IPv6", answer: []string{"2001:db8::1", "2001:db8::2", "2001:db8::3", "192.0.2.1"},
			want: []string{"[2001:db8::1]:80", "192.0.2.1:80", "[2001:db8::2]:80", "[2001:db8::3]:80"}},
		{name: "one family", answer: []string{"192.0.2.3", "192.0.2.1", "192.0.2.2"},
			want: []string{"192.0.2.3:80", "192.0.2.1:80", "192.0.2.2:80"}},
		{name: "two of one family stay in order", answer: []string{"192.0.2.1", "192.0.2.2"},
			want: []string{"192.0.2.1:80", "192.0.2.2:80"}},
		{name: "IPv4-mapped counts as IPv4", answer: []string{"::ffff:192.0.2.1", "::ffff:192.0.2.2", "2001:db8::1"},
			want: []string{"192.0.2.1:80", "[2001:db8::1]:80", "192.0.2.2:80"}},
		{name: "zone kept on link-local only", answer: []string{"fe80::1%eth0", "2001:db8::1%eth0", "192.0.2.1"},
			want: []string{"[fe80::1%eth0]:80", "192.0.2.1:80", "[2001:db8::1]:80"}},
		{name: "invalid zone left out", answer: []string{"fe80::1%a/b", "192.0.2.1", "192.0.2.2"},
			want: []string{"192.0.2.1:80", "192.0.2.2:80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var dialed []string
				refusing := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
					mu.Lock()
					dialed = append(dialed, address)
					mu.Unlock()
					return nil, errRefused
				})
				// Each failure starts the next attempt at once, so the
				// dials come one at a time, in the order of the race.
				_, err := dialx.NewResolve(refusing, answer(tt.answer...)).DialContext(t.Context(), "tcp", "svc.example:80")
				assert.ErrorIs(t, err, errRefused)
				assert.Equal(t, tt.want, dialed)
			})
		})
	}
}

// Resolve reads the address as Selective does before it looks anything up,
// looks names up in canonical form and dials IP literals in canonical form.
func TestResolveLooksUpAndDialsOnlyCanonicalForms(t *testing.T) {
	tests := []struct {
		address    string
		wantLookup string // "" for none
		wantDialed string // "" for none
		wantErr    error
	}{
		{address: "WWW.Example.COM.:80", wantLookup: "www.example.com", wantDialed: "192.0.2.7:80"},
		{address: "bücher.example:80", wantLookup: "xn--bcher-kva.example", wantDialed: "192.0.2.7:80"},
		{address: "[::ffff:127.0.0.1]:80", wantDialed: "127.0.0.1:80"},
		{address: "[0:0::1]:80", wantDialed: "[::1]:80"},
		{address: "[FE80::1%eth0]:443", wantDialed: "[fe80::1%eth0]:443"},
		{address: "[ff02::1%eth0]:443", wantDialed: "[ff02::1%eth0]:443"},
		{address: "[2001:db8::1%eth0]:443", wantDialed: "[2001:db8::1]:443"},
		{address: "[::ffff:192.0.2.1%eth0]:443", wantDialed: "192.0.2.1:443"},
		{address: "bad\x00host.example:80", wantErr: rules.ErrInvalidAddress},
		{address: "bad host.example:80", wantErr: rules.ErrInvalidAddress},
		{address: "\xff.example:80", wantErr: rules.ErrInvalidAddress},
		{address: "127.1:80", wantErr: rules.ErrInvalidAddress},
		{address: "0x7f.0.0.1:80", wantErr: rules.ErrInvalidAddress},
		{address: "2130706433:80", wantErr: rules.ErrInvalidAddress},
		{address: strings.Repeat("a.", 150) + "com:80", wantErr: rules.ErrInvalidAddress},
		{address: "a." + strings.Repeat("b", 64) + ".example:80", wantErr: rules.ErrInvalidAddress},
		{address: "example.com:http", wantErr: rules.ErrInvalidAddress},
		{address: "example.com:080", wantErr: rules.ErrInvalidAddress},
		{address: "example.com", wantErr: rules.ErrInvalidAddress},
		{address: "[fe80::1%a/b]:80", wantErr: rules.ErrInvalidAddress},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			var looked []string
			lookup := resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
				looked = append(looked, host)
				return addrs("192.0.2.7"), nil
			})
			var dialed []string
			inner := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
				dialed = append(dialed, address)
				return dialtest.NewConn(""), nil
			})
			conn, err := dialx.NewResolve(inner, dialx.WithResolver(lookup)).DialContext(t.Context(), "tcp", tt.address)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				var dialErr *dialx.DialError
				require.ErrorAs(t, err, &dialErr)
				assert.Equal(t, "resolve", dialErr.Op)
				assert.Empty(t, looked, "nothing is looked up")
				assert.Empty(t, dialed, "nothing is dialed")
				return
			}
			require.NoError(t, err)
			conn.Close()
			if tt.wantLookup == "" {
				assert.Empty(t, looked)
			} else {
				assert.Equal(t, []string{tt.wantLookup}, looked)
			}
			assert.Equal(t, []string{tt.wantDialed}, dialed)
		})
	}
}

// FuzzResolveAddress states what Resolve hands on, whatever the address:
// an address it refuses is neither looked up nor dialed; a name is looked
// up in canonical form only; and what reaches the wrapped Dialer is always
// an IP literal in canonical form with a decimal port.
func FuzzResolveAddress(f *testing.F) {
	for _, seed := range []string{
		"example.com:80", "EXAMPLE.com.:443", "[::1]:80", "[::ffff:127.0.0.1]:80", "[fe80::1%eth0]:22",
		"[2001:db8::1%eth0]:22", "[fe80::1%a/b]:22", "127.1:80", "2130706433:80", "bücher.example:443",
		"ｅｘａｍｐｌｅ.com:80", "\xff.example:80", "a\x00b:80", "example.com:080", "example.com:http", ":80", "",
	} {
		f.Add(seed)
	}
	answer := addrs("192.0.2.1", "::ffff:192.0.2.2", "2001:db8::1", "fe80::1%eth0", "fe80::2%a/b")
	f.Fuzz(func(t *testing.T, address string) {
		var looked, dialed []string
		lookup := resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
			looked = append(looked, host)
			return answer, nil
		})
		inner := dialx.DialerFunc(func(_ context.Context, _, address string) (net.Conn, error) {
			dialed = append(dialed, address)
			return nil, errRefused
		})
		_, err := dialx.NewResolve(inner, dialx.WithResolver(lookup), dialx.WithStagger(time.Hour)).
			DialContext(context.Background(), "tcp", address)
		require.Error(t, err)
		if errors.Is(err, rules.ErrInvalidAddress) {
			assert.Empty(t, looked, "a refused address is not looked up")
			assert.Empty(t, dialed, "a refused address is not dialed")
			return
		}
		for _, host := range looked {
			assert.Equal(t, strings.ToLower(host), host, "a name is looked up in lower case")
			assert.False(t, strings.HasSuffix(host, "."), "a name is looked up without its trailing dot")
			assert.True(t, utf8.ValidString(host) && !strings.ContainsFunc(host, func(r rune) bool { return r >= 0x80 }),
				"a name is looked up in ASCII")
			_, ipErr := netip.ParseAddr(host)
			assert.Error(t, ipErr, "an IP literal is never looked up")
		}
		for _, to := range dialed {
			host, port, splitErr := net.SplitHostPort(to)
			require.NoError(t, splitErr, to)
			ip, ipErr := netip.ParseAddr(host)
			require.NoError(t, ipErr, "only IP literals are dialed: %q", to)
			assert.Equal(t, ip.String(), host, "the IP is dialed in canonical form")
			assert.False(t, ip.Is4In6(), "an IPv4-mapped address is dialed as IPv4")
			if ip.Zone() != "" {
				assert.True(t, ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast(),
					"a zone only on link-local addresses: %q", to)
			}
			n, portErr := strconv.Atoi(port)
			require.NoError(t, portErr)
			assert.Equal(t, strconv.Itoa(n), port, "the port is dialed as a decimal number")
		}
	})
}
