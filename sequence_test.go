package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

// An inner Dialer that returns neither a connection nor an error breaks the
// Dialer contract; no decorator may take that for a success and hand its
// caller a nil net.Conn. Each fails with a *DialError naming itself and the
// address; those that make attempts count it as a failed one.
func TestNoConnectionAndNoErrorIsAFailure(t *testing.T) {
	var calls atomic.Int64
	hollow := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		calls.Add(1)
		return nil, nil
	})
	anyHost, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: hollow})
	require.NoError(t, err)
	lookup := resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
		if host == "two.example" {
			return addrs("192.0.2.1", "192.0.2.2"), nil
		}
		return addrs("192.0.2.1"), nil
	})
	hollowProxy := plainDialer(func(string, string) (net.Conn, error) { return nil, nil })
	tests := []struct {
		name      string
		d         dialx.Dialer
		address   string
		ctx       func() (context.Context, context.CancelFunc)
		wantOp    string
		wantCalls int64
	}{
		{name: "Repeat", d: dialx.NewRepeat(hollow, 3), wantOp: "repeat", wantCalls: 3},
		{name: "Timeout", d: dialx.NewTimeout(hollow, time.Minute), wantOp: "timeout", wantCalls: 1},
		{name: "Delay", d: dialx.NewDelay(hollow, 0), wantOp: "delay", wantCalls: 1},
		{name: "Swappable", d: dialx.NewSwappable(hollow), wantOp: "swappable", wantCalls: 1},
		{name: "Consecutive", d: dialx.NewConsecutive(hollow, hollow), wantOp: "consecutive", wantCalls: 2},
		{name: "Random", d: dialx.NewRandom(hollow, hollow), wantOp: "random", wantCalls: 2},
		{name: "Concurrent", d: dialx.NewConcurrent(hollow, hollow), wantOp: "concurrent", wantCalls: 2},
		{name: "Concurrent staggered", d: dialx.NewConcurrent(hollow, hollow).WithOptions(dialx.WithStagger(time.Minute)),
			wantOp: "concurrent", wantCalls: 2},
		{name: "Limit", d: dialx.NewLimit(hollow, 1), wantOp: "limit", wantCalls: 1},
		{name: "Breaker", d: dialx.NewBreaker(hollow), wantOp: "breaker", wantCalls: 1},
		{name: "Selective", d: anyHost, wantOp: "selective", wantCalls: 1},
		{name: "Resolve literal", d: dialx.NewResolve(hollow, dialx.WithResolver(lookup)), address: "192.0.2.1:80",
			wantOp: "resolve", wantCalls: 1},
		{name: "Resolve one address", d: dialx.NewResolve(hollow, dialx.WithResolver(lookup)), wantOp: "resolve", wantCalls: 1},
		{name: "Resolve two addresses", d: dialx.NewResolve(hollow, dialx.WithResolver(lookup)), address: "two.example:80",
			wantOp: "resolve", wantCalls: 2},
		{name: "FromProxy", d: dialx.FromProxy(hollowProxy), wantOp: "proxy"},
		// The Dialer behind a Guard is called by the Selective of checked
		// addresses inside it, which names itself.
		{name: "Guard", d: mustGuard(dialx.NewGuard(hollow, dialx.WithResolver(lookup))), address: "8.8.8.8:80",
			wantOp: "selective", wantCalls: 1},
		{name: "FromProxy with a cancellable ctx", d: dialx.FromProxy(hollowProxy), wantOp: "proxy",
			ctx: func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls.Store(0)
			address := tt.address
			if address == "" {
				address = "svc.example:80"
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			conn, err := tt.d.DialContext(ctx, "tcp", address)
			assert.Nil(t, conn)
			require.Error(t, err)
			var dialErr *dialx.DialError
			require.ErrorAs(t, err, &dialErr)
			assert.Equal(t, tt.wantOp, dialErr.Op)
			assert.Equal(t, "tcp", dialErr.Net)
			assert.Equal(t, address, dialErr.Addr)
			assert.ErrorContains(t, err, "inner Dialer returned no connection and no error")
			if tt.wantCalls > 0 {
				assert.Equal(t, tt.wantCalls, calls.Load(), "attempts made")
			}
		})
	}
}

// A Repeat asks its retry policy about the error of the try just made,
// also once it keeps only some of the tries' errors.
func TestRepeatRetryPolicySeesEachTrysError(t *testing.T) {
	const tries = 20
	errs := make([]error, tries)
	for i := range errs {
		errs[i] = errors.New("failure " + string(rune('a'+i)))
	}
	inner, _ := scripted(errs...)
	var asked []error
	d := dialx.NewRepeat(inner, tries, dialx.WithRetryIf(func(err error) bool {
		asked = append(asked, err)
		return true
	}))
	_, err := d.DialContext(context.Background(), "tcp", "svc.example:80")
	require.Error(t, err)
	assert.Equal(t, errs[:tries-1], asked)
}
