package dialx_test

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// A dial whose ctx is already done must fail with ctx's error through every
// decorator, even when the inner Dialer ignores ctx and would connect.
func TestEveryDecoratorRefusesADoneContext(t *testing.T) {
	inner := &dialtest.Dialer{Label: "ignores ctx", IgnoreCtx: true}
	anyHost, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: inner})
	require.NoError(t, err)
	lookup := resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	})
	decorators := []struct {
		name string
		d    dialx.Dialer
	}{
		{"Repeat", dialx.NewRepeat(inner, 3)},
		{"Timeout", dialx.NewTimeout(inner, time.Hour)},
		{"Delay", dialx.NewDelay(inner, 0)},
		{"Reject", dialx.NewReject(nil)},
		{"Swappable", dialx.NewSwappable(inner)},
		{"Consecutive", dialx.NewConsecutive(inner)},
		{"Random", dialx.NewRandom(inner)},
		{"Concurrent", dialx.NewConcurrent(inner)},
		{"Selective", anyHost},
		{"Breaker", dialx.NewBreaker(inner)},
		{"Limit", dialx.NewLimit(inner, 1)},
		{"Resolve", dialx.NewResolve(inner, dialx.WithResolver(lookup))},
		{"Guard", mustGuard(dialx.NewGuard(inner, dialx.WithResolver(lookup)))},
		{"FromProxy", dialx.FromProxy(dialProxy{inner})},
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range decorators {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := tt.d.DialContext(ctx, "tcp", "service.internal:80")
			assert.Nil(t, conn)
			assert.ErrorIs(t, err, context.Canceled)
			var dialErr *dialx.DialError
			assert.ErrorAs(t, err, &dialErr)
		})
	}
	assert.Zero(t, inner.Calls(), "no decorator may dial once ctx is done")
}

// dialProxy hides DialContext, so FromProxy has to wrap a Dial-only dialer.
type dialProxy struct{ d dialx.Dialer }

func (p dialProxy) Dial(network, address string) (net.Conn, error) {
	return p.d.DialContext(context.Background(), network, address)
}

func mustGuard(g *dialx.Guard, err error) *dialx.Guard {
	if err != nil {
		panic(err)
	}
	return g
}
