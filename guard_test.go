package dialx_test

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/rules"
)

// recorder is a base Dialer that records the addresses it is asked to dial
// and connects each to an in-memory pipe, so no test reaches a network.
type recorder struct {
	mu        sync.Mutex
	addresses []string
}

func (r *recorder) DialContext(_ context.Context, _, address string) (net.Conn, error) {
	r.mu.Lock()
	r.addresses = append(r.addresses, address)
	r.mu.Unlock()
	client, server := net.Pipe()
	server.Close()
	return client, nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.addresses...)
}

func newGuard(t *testing.T, base dialx.Dialer, opts ...dialx.Option) *dialx.Guard {
	t.Helper()
	g, err := dialx.NewGuard(base, opts...)
	require.NoError(t, err)
	return g
}

// TestGuardRefusesNonPublicAddresses dials one address of every kind the
// guard must refuse, in the spellings that slipped past hand-written lists:
// none reaches the base Dialer, and the error names the narrowest row of
// the registries that holds it.
func TestGuardRefusesNonPublicAddresses(t *testing.T) {
	tests := []struct {
		address, reason string
	}{
		{address: "127.0.0.1:80", reason: "127.0.0.0/8 is Loopback (RFC 1122, Section 3.2.1.3)"},
		{address: "[::ffff:127.0.0.1]:80", reason: "127.0.0.0/8 is Loopback (RFC 1122, Section 3.2.1.3)"},
		{address: "0.0.0.0:80", reason: `0.0.0.0/32 is "This host on this network" (RFC 1122, Section 3.2.1.3)`},
		{address: "10.0.0.5:443", reason: "10.0.0.0/8 is Private-Use (RFC 1918)"},
		{address: "172.31.255.255:443", reason: "172.16.0.0/12 is Private-Use (RFC 1918)"},
		{address: "192.168.1.1:443", reason: "192.168.0.0/16 is Private-Use (RFC 1918)"},
		{address: "100.100.100.200:80", reason: "100.64.0.0/10 is Shared Address Space (RFC 6598)"},
		{address: "169.254.169.254:80", reason: "169.254.0.0/16 is Link Local (RFC 3927)"},
		{address: "[fd00:ec2::254]:80", reason: "fc00::/7 is Unique-Local (RFC 4193; RFC 8190)"},
		{address: "[fe80::1%eth0]:80", reason: "fe80::/10 is Link-Local Unicast (RFC 4291)"},
		{address: "[::1]:80", reason: "::1/128 is Loopback Address (RFC 4291)"},
		{address: "[::]:80", reason: "::/128 is Unspecified Address (RFC 4291)"},
		{address: "[::a00:5]:80", reason: "::/96 is IPv4-compatible IPv6 address (deprecated) (RFC 4291, Section 2.5.5.1)"},
		{address: "[64:ff9b::a00:5]:443", reason: "64:ff9b::/96 is IPv4-IPv6 Translat. (RFC 6052)"},
		{address: "[64:ff9b::808:808]:443", reason: "64:ff9b::/96 is IPv4-IPv6 Translat. (RFC 6052)"},
		{address: "[64:ff9b:1::1]:443", reason: "64:ff9b:1::/48 is IPv4-IPv6 Translat. (RFC 8215)"},
		{address: "[2002:a00:5::1]:443", reason: "2002::/16 is 6to4 (RFC 3056)"},
		{address: "[2001:0:4136:e378:8000:63bf:3fff:fdd2]:443", reason: "2001::/32 is TEREDO (RFC 4380; RFC 8190)"},
		{address: "192.0.2.1:80", reason: "192.0.2.0/24 is Documentation (TEST-NET-1) (RFC 5737)"},
		{address: "198.18.0.1:80", reason: "198.18.0.0/15 is Benchmarking (RFC 2544)"},
		{address: "224.0.0.1:80", reason: "224.0.0.0/4 is Multicast (RFC 5771)"},
		{address: "240.0.0.1:80", reason: "240.0.0.0/4 is Reserved (RFC 1112, Section 4)"},
		{address: "255.255.255.255:80", reason: "255.255.255.255/32 is Limited Broadcast (RFC 8190; RFC 919, Section 7)"},
		{address: "[ff02::1]:80", reason: "ff00::/8 is Multicast (RFC 4291)"},
		{address: "[2001:db8::1]:80", reason: "2001:db8::/32 is Documentation (RFC 3849)"},
	}
	base := &recorder{}
	g := newGuard(t, base)
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			_, err := g.DialContext(context.Background(), "tcp", tt.address)
			require.ErrorIs(t, err, dialx.ErrRejected)
			assert.True(t, strings.HasSuffix(err.Error(), ": not a public address: "+tt.reason), err.Error())
			assert.ErrorIs(t, controlThrough(t, g, tt.address), dialx.ErrRejected, "ControlContext through a Selective")
		})
	}
	assert.Empty(t, base.got(), "the base Dialer is never reached")
}

// controlThrough asks a Selective's ControlContext hook about address, with
// d as the Dialer of its one rule.
func controlThrough(t *testing.T, d dialx.Dialer, address string) error {
	t.Helper()
	s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: d})
	require.NoError(t, err)
	return s.ControlContext(context.Background(), "tcp", address, nil)
}

// TestGuardDialsPublicAddresses: a public destination reaches the base
// Dialer as its canonical IP literal, and a name as the checked addresses
// it resolves to, never as the name.
func TestGuardDialsPublicAddresses(t *testing.T) {
	resolver := &fakeResolver{answers: map[string][]netip.Addr{
		"public.example":  addrs("8.8.8.8"),
		"mixed.example":   addrs("10.0.0.1", "1.1.1.1"),
		"rebind.example":  addrs("127.0.0.1"),
		"mapped.example":  addrs("::ffff:8.8.4.4"),
		"nat64.example":   addrs("64:ff9b::a00:5"),
		"private.example": addrs("10.0.0.5", "192.168.0.1"),
	}}
	tests := []struct {
		address string
		want    []string // what the base Dialer receives; nil: refused
	}{
		{address: "8.8.8.8:53", want: []string{"8.8.8.8:53"}},
		{address: "[::ffff:8.8.8.8]:53", want: []string{"8.8.8.8:53"}},
		{address: "[2001:4860:4860:0:0:0:0:8888]:443", want: []string{"[2001:4860:4860::8888]:443"}},
		{address: "Public.Example.:443", want: []string{"8.8.8.8:443"}},
		{address: "mixed.example:443", want: []string{"1.1.1.1:443"}},
		{address: "mapped.example:443", want: []string{"8.8.4.4:443"}},
		{address: "rebind.example:443"},
		{address: "nat64.example:443"},
		{address: "private.example:443"},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			base := &recorder{}
			g := newGuard(t, base, dialx.WithResolver(resolver))
			conn, err := g.DialContext(context.Background(), "tcp", tt.address)
			if tt.want == nil {
				require.ErrorIs(t, err, dialx.ErrRejected)
				assert.Contains(t, err.Error(), "not a public address")
			} else {
				require.NoError(t, err)
				conn.Close()
			}
			assert.Equal(t, tt.want, base.got())
		})
	}
}

// TestGuardDialsExceptionsThroughTheirOwnDialers: an exception lets one private destination through
// its own Dialer, whether it is written as an address or as a name, and
// whether the address was given or resolved; nothing else changes.
func TestGuardDialsExceptionsThroughTheirOwnDialers(t *testing.T) {
	resolver := &fakeResolver{answers: map[string][]netip.Addr{
		"db.corp.example": addrs("10.1.2.3"),
		"alias.example":   addrs("10.1.2.3"),
		"other.example":   addrs("10.9.9.9"),
	}}
	base, db, named := &recorder{}, &recorder{}, &recorder{}
	g := newGuard(t, base, dialx.WithResolver(resolver), dialx.WithExceptions(
		dialx.Rule{Pattern: "10.1.2.3:5432", Dialer: db},
		dialx.Rule{Pattern: "db.corp.example:6379", Dialer: named},
	))
	for _, tt := range []struct {
		address string
		ok      bool
	}{
		{address: "10.1.2.3:5432", ok: true},
		{address: "alias.example:5432", ok: true},
		{address: "DB.corp.example:6379", ok: true},
		{address: "10.1.2.3:80"},
		{address: "other.example:5432"},
		{address: "db.corp.example:80"},
	} {
		conn, err := g.DialContext(context.Background(), "tcp", tt.address)
		if !tt.ok {
			assert.ErrorIs(t, err, dialx.ErrRejected, tt.address)
			continue
		}
		require.NoError(t, err, tt.address)
		conn.Close()
	}
	assert.Equal(t, []string{"10.1.2.3:5432", "10.1.2.3:5432"}, db.got())
	assert.Equal(t, []string{"db.corp.example:6379"}, named.got(), "a name exception dials the name")
	assert.Empty(t, base.got())
}

func TestNewGuardRefusesBadExceptions(t *testing.T) {
	_, err := dialx.NewGuard(&recorder{}, dialx.WithExceptions(
		dialx.Rule{Pattern: "*", Dialer: &recorder{}},
		dialx.Rule{Pattern: "*:443", Dialer: &recorder{}},
		dialx.Rule{Pattern: "0.0.0.0/0", Dialer: &recorder{}},
		dialx.Rule{Pattern: "[::/0]:443", Dialer: &recorder{}},
		dialx.Rule{Pattern: "10.0.0.1/8", Dialer: &recorder{}},
		dialx.Rule{Pattern: "example.com", Dialer: nil},
		dialx.Rule{Pattern: "::ffff:0:0/96", Dialer: &recorder{}},
		dialx.Rule{Pattern: "[::/0]", Dialer: &recorder{}},
		dialx.Rule{Pattern: "0.0.0.0/1", Dialer: &recorder{}},
		dialx.Rule{Pattern: "*.example.com:443", Dialer: &recorder{}},
	))
	var patterns []string
	for _, re := range ruleErrors(t, err) {
		patterns = append(patterns, re.Pattern)
	}
	assert.Equal(t, []string{"*", "*:443", "0.0.0.0/0", "[::/0]:443", "10.0.0.1/8", "example.com", "::ffff:0:0/96", "[::/0]"}, patterns)
	assert.Contains(t, err.Error(), "would turn the guard off")
	assert.Panics(t, func() { dialx.NewGuard(nil) })
}

func TestGuardRefusesWhatItCannotCheck(t *testing.T) {
	base := &recorder{}
	g := newGuard(t, base)
	for _, tt := range []struct {
		network, address string
		want             error
	}{
		{network: "unix", address: "/var/run/docker.sock", want: dialx.ErrRejected},
		{network: "ip4:icmp", address: "8.8.8.8", want: dialx.ErrRejected},
		{network: "tcp", address: "8.8.8.8", want: rules.ErrInvalidAddress},
		{network: "tcp", address: "127.1:80", want: rules.ErrInvalidAddress},
		{network: "tcp", address: "localhost\xff:80", want: rules.ErrInvalidAddress},
		{network: "tcp", address: "0x7f000001:80", want: rules.ErrInvalidAddress},
	} {
		_, err := g.DialContext(context.Background(), tt.network, tt.address)
		require.ErrorIs(t, err, tt.want, "%s %s", tt.network, tt.address)
		var de *dialx.DialError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, "guard", de.Op)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := g.DialContext(ctx, "tcp", "8.8.8.8:53")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, base.got())
}

// TestGuardDoesNotChangeTheCallersNetDialer: NewGuard hooks a copy of the
// *net.Dialer it is given (TestGuardHookRefusesBeforeConnecting checks the
// copy with a real socket), never the caller's own.
func TestGuardDoesNotChangeTheCallersNetDialer(t *testing.T) {
	own := &net.Dialer{}
	newGuard(t, own)
	assert.Nil(t, own.ControlContext)
	assert.Nil(t, own.Control)
}

func TestGuardWithStaggerSetsTheAttemptDelayOfItsRace(t *testing.T) {
	tests := []struct {
		name  string
		opts  []dialx.Option
		after time.Duration
	}{
		{name: "default delay", after: 250 * time.Millisecond},
		{name: "WithStagger", opts: []dialx.Option{dialx.WithStagger(40 * time.Millisecond)}, after: 40 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				epoch := time.Now()
				dead, live := &racer{wait: time.Hour}, &racer{}
				inner := newByAddress(epoch, map[string]*racer{"8.8.8.8:443": dead, "1.1.1.1:443": live})
				g := newGuard(t, inner, append(tt.opts, answer("8.8.8.8", "1.1.1.1"))...)
				conn, err := g.DialContext(t.Context(), "tcp", "svc.example:443")
				require.NoError(t, err)
				assert.Equal(t, tt.after, time.Since(epoch))
				conn.Close()
				synctest.Wait()
			})
		})
	}
}
