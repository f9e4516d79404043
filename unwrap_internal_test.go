package dialx

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"
)

// plainOnly is a proxy.Dialer without DialContext.
type plainOnly struct{}

func (plainOnly) Dial(string, string) (net.Conn, error) { return nil, net.ErrClosed }

func TestHonoursContextKnowsWhichStacksHonourCtx(t *testing.T) {
	nd := &net.Dialer{}
	fn := DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, net.ErrClosed })
	guard, err := NewGuard(nd)
	require.NoError(t, err)
	sel, err := NewSelective(Rule{Pattern: "*.example", Dialer: NewReject(nil)}, Rule{Pattern: "*", Dialer: nd})
	require.NoError(t, err)
	mixed, err := NewSelective(Rule{Pattern: "*.example", Dialer: fn}, Rule{Pattern: "*", Dialer: nd})
	require.NoError(t, err)
	tests := []struct {
		name   string
		dialer Dialer
		want   bool
	}{
		{"net.Dialer", nd, true},
		{"DialerFunc", fn, false},
		{"FromProxy of a plain Dialer", FromProxy(plainOnly{}), true},
		{"FromProxy of proxy.Direct", FromProxy(proxy.Direct), true},
		{"Reject", NewReject(nil), true},
		{"deep stack", NewTimeout(NewBreaker(NewLimit(NewRepeat(sel, 3), 8)), time.Second), true},
		{"Guard", guard, true},
		{"Resolve, Delay", NewResolve(NewDelay(nd, time.Millisecond)), true},
		{"Concurrent, Consecutive, Random", NewConcurrent(NewConsecutive(nd), NewRandom(nd, nd)), true},
		{"Balancer, Endpoint, TLS, Tracker", NewBalancer(NewEndpoint(nd, "db1:5432"), NewTLS(NewTracker(nd), nil)), true},
		{"a DialerFunc under a Tracker", NewTracker(fn), false},
		{"a DialerFunc among rules", mixed, false},
		{"a DialerFunc deep down", NewConcurrent(nd, NewRepeat(fn, 2)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var swappables []*Swappable
			assert.Equal(t, tt.want, honoursContext(tt.dialer, &swappables))
			assert.Empty(t, swappables)
		})
	}
}

func TestHonoursContextCollectsEachSwappableOnce(t *testing.T) {
	s := NewSwappable(&net.Dialer{})
	var swappables []*Swappable
	assert.True(t, honoursContext(NewConsecutive(s, NewRepeat(s, 2)), &swappables))
	assert.Equal(t, []*Swappable{s}, swappables)
	assert.True(t, swappablesHonour(swappables))
	s.Swap(DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, net.ErrClosed }))
	assert.False(t, swappablesHonour(swappables))
}
