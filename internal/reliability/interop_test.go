package reliability_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/faultnet"
	"github.com/dialx/dialx/internal/slack"
	"github.com/dialx/dialx/internal/socks5test"
)

// Every decorator stands where golang.org/x/net/proxy wants a dialer.
var (
	_ proxy.ContextDialer = (*dialx.Repeat)(nil)
	_ proxy.ContextDialer = (*dialx.Timeout)(nil)
	_ proxy.ContextDialer = (*dialx.Delay)(nil)
	_ proxy.ContextDialer = (*dialx.Reject)(nil)
	_ proxy.ContextDialer = (*dialx.Swappable)(nil)
	_ proxy.ContextDialer = (*dialx.Consecutive)(nil)
	_ proxy.ContextDialer = (*dialx.Random)(nil)
	_ proxy.ContextDialer = (*dialx.Concurrent)(nil)
	_ proxy.ContextDialer = (*dialx.Selective)(nil)
	_ proxy.ContextDialer = (*dialx.Breaker)(nil)
)

func socks5(t *testing.T, proxyAddr string, forward proxy.Dialer) dialx.Dialer {
	t.Helper()
	d, err := proxy.SOCKS5("tcp", proxyAddr, nil, forward)
	require.NoError(t, err)
	return dialx.FromProxy(d)
}

// greetAndEcho reads the faultnet greeting and echoes a byte.
func greetAndEcho(t *testing.T, c net.Conn) {
	t.Helper()
	b := make([]byte, 1)
	_, err := io.ReadFull(c, b)
	require.NoError(t, err)
	require.Equal(t, byte(faultnet.Greeting), b[0])
	_, err = c.Write([]byte{'x'})
	require.NoError(t, err)
	_, err = io.ReadFull(c, b)
	require.NoError(t, err)
	require.Equal(t, byte('x'), b[0])
}

// countingDialer counts the dials that reach a net.Dialer through it.
func countingDialer(calls *atomic.Int64) dialx.Dialer {
	var nd net.Dialer
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		calls.Add(1)
		return nd.DialContext(ctx, network, address)
	})
}

// TestSelectiveRoutesOneRuleThroughSOCKS5: a proxy.SOCKS5 dialer is the route
// of one rule; everything else is rejected without touching the proxy.
func TestSelectiveRoutesOneRuleThroughSOCKS5(t *testing.T) {
	echo := faultnet.StartEcho(t)
	socks := socks5test.Start(t)
	check := leakCheck(t, echo)
	_, port, _ := net.SplitHostPort(echo.Addr())
	sel := mustSelective(
		dialx.Rule{Pattern: "127.0.0.1:" + port, Dialer: socks5(t, socks.Addr(), &net.Dialer{})},
		dialx.Rule{Pattern: "*", Dialer: dialx.NewReject(nil)},
	)

	c, err := sel.DialContext(context.Background(), "tcp", echo.Addr())
	require.NoError(t, err)
	greetAndEcho(t, c)
	require.NoError(t, c.Close())

	_, err = sel.DialContext(context.Background(), "tcp", "127.0.0.2:"+port)
	require.ErrorIs(t, err, dialx.ErrRejected)

	require.NoError(t, socks.WaitIdle(patience()))
	assert.Equal(t, 1, socks.Accepted())
	assert.Equal(t, 1, socks.Connects())
	check()
}

// TestConsecutiveFailsOverBetweenSOCKS5Proxies: the first proxy is down, the
// second relays.
func TestConsecutiveFailsOverBetweenSOCKS5Proxies(t *testing.T) {
	echo := faultnet.StartEcho(t)
	down := faultnet.StartRefused(t)
	refused := faultnet.StartRefused(t)
	socks := socks5test.Start(t)
	check := leakCheck(t, echo)
	failover := dialx.NewConsecutive(
		socks5(t, down.Addr(), &net.Dialer{}),
		socks5(t, socks.Addr(), &net.Dialer{}),
	)
	c, err := failover.DialContext(context.Background(), "tcp", echo.Addr())
	require.NoError(t, err)
	greetAndEcho(t, c)
	require.NoError(t, c.Close())

	// Both fail: the proxy that is down, and a CONNECT the other refuses.
	_, err = failover.DialContext(context.Background(), "tcp", refused.Addr())
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the down proxy's socket error is reachable")
	assert.ErrorContains(t, err, "connection refused")
	var de *dialx.DialError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "consecutive", de.Op)

	require.NoError(t, socks.WaitIdle(patience()))
	assert.Equal(t, 1, socks.Connects())
	assert.Equal(t, 1, socks.Refusals())
	check()
}

// TestStackAsSOCKS5ForwardPassesCtxAndErrors: a dialx stack is the forward
// dialer of proxy.SOCKS5, which uses its DialContext, so ctx and errors go
// through.
func TestStackAsSOCKS5ForwardPassesCtxAndErrors(t *testing.T) {
	echo := faultnet.StartEcho(t)
	socks := socks5test.Start(t)
	down := faultnet.StartRefused(t)
	check := leakCheck(t, echo)
	var calls atomic.Int64
	stack := dialx.NewTimeout(dialx.NewRepeat(countingDialer(&calls), 2), 5*time.Second)

	viaStack, err := proxy.SOCKS5("tcp", socks.Addr(), nil, stack)
	require.NoError(t, err)
	c, err := viaStack.(proxy.ContextDialer).DialContext(context.Background(), "tcp", echo.Addr())
	require.NoError(t, err)
	greetAndEcho(t, c)
	require.NoError(t, c.Close())
	assert.EqualValues(t, 1, calls.Load())

	t.Run("proxy down: the stack's error is reachable", func(t *testing.T) {
		toDown, err := proxy.SOCKS5("tcp", down.Addr(), nil, stack)
		require.NoError(t, err)
		_, err = toDown.(proxy.ContextDialer).DialContext(context.Background(), "tcp", echo.Addr())
		var de *dialx.DialError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, "repeat", de.Op)
		assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	})
	t.Run("ctx reaches the stack", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := viaStack.(proxy.ContextDialer).DialContext(ctx, "tcp", echo.Addr())
		assert.ErrorIs(t, err, context.Canceled)
	})
	t.Run("bypass dialer of proxy.PerHost", func(t *testing.T) {
		before := calls.Load()
		perHost := proxy.NewPerHost(viaStack, stack)
		perHost.AddFromString("127.0.0.1")
		c, err := perHost.DialContext(context.Background(), "tcp", echo.Addr())
		require.NoError(t, err)
		greetAndEcho(t, c)
		require.NoError(t, c.Close())
		assert.Equal(t, before+1, calls.Load(), "bypassed straight through the stack")
	})
	require.NoError(t, socks.WaitIdle(patience()))
	check()
}

// TestTimeoutClosesTheLateConnOfADialerIgnoringCtx shows what is and is not
// guaranteed when the inner dialer ignores ctx: Timeout returns on time, the
// inner dial goes on in its goroutine until it returns by itself, and the
// connection it then makes is closed, never leaked. The inner dial here returns
// when the test lets it, once the Timeout has returned, so the order of the two
// does not depend on how busy the machine is.
func TestTimeoutClosesTheLateConnOfADialerIgnoringCtx(t *testing.T) {
	const timeout = 50 * time.Millisecond
	echo := faultnet.StartEcho(t)
	check := leakCheck(t, echo)
	release := make(chan struct{})
	// Without a release within a minute, the dial goes on anyway, so that a
	// Timeout that waited for it fails the bound below rather than hangs.
	held := heldDialer{release: release, guard: time.Minute, d: faultnet.Handshake{}}
	d := dialx.NewTimeout(dialx.FromProxy(held), timeout)

	late := slack.Measure(timeout)
	start := time.Now()
	c, err := d.DialContext(context.Background(), "tcp", echo.Addr())
	took := time.Since(start)
	close(release)
	require.Nil(t, c)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "got %v", err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, took, timeout)
	allow := slack.Allow(late())
	assert.Less(t, took, timeout+allow, "Timeout returned late (slack %v): it waited for the inner dial?", allow)

	// Once let go, the abandoned dial connects; dialx closes that
	// connection, which the server sees.
	require.Eventually(t, func() bool { return echo.Accepted() == 1 }, patience(), time.Millisecond)
	require.NoError(t, echo.WaitIdle(patience()))
	assert.Equal(t, 1, echo.ClientClosed())
	check()
}

// heldDialer is a proxy.Dialer without DialContext, like one written before
// contexts: it waits for release (or guard) and then dials with d.
type heldDialer struct {
	release <-chan struct{}
	guard   time.Duration
	d       proxy.Dialer
}

func (h heldDialer) Dial(network, address string) (net.Conn, error) {
	select {
	case <-h.release:
	case <-time.After(h.guard):
	}
	return h.d.Dial(network, address)
}
