package dialx_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// plainDialer has only Dial, like older proxy.Dialer implementations.
type plainDialer func(network, address string) (net.Conn, error)

func (f plainDialer) Dial(network, address string) (net.Conn, error) { return f(network, address) }

// dualDialer has both methods, like the dialers of proxy.SOCKS5.
type dualDialer struct {
	plainDialer
	contextCalls atomic.Int64
}

func (d *dualDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	d.contextCalls.Add(1)
	return d.Dial(network, address)
}

func TestFromProxyDialsAContextDialerThroughItsDialContext(t *testing.T) {
	inner := &dualDialer{plainDialer: func(string, string) (net.Conn, error) { return dialtest.NewConn("x"), nil }}
	d := dialx.FromProxy(inner)
	c, err := d.DialContext(context.Background(), "tcp", "example.com:80")
	require.NoError(t, err)
	c.Close()
	c, err = d.(proxy.Dialer).Dial("tcp", "example.com:80")
	require.NoError(t, err)
	c.Close()
	assert.EqualValues(t, 2, inner.contextCalls.Load())
}

func TestFromProxyReturnsADialerThatTakesPartItself(t *testing.T) {
	inner := dialx.NewRepeat(dialx.DialerFunc(dialtest.Instant()), 1)
	assert.Same(t, inner, dialx.FromProxy(inner), "a Dialer with Unwrap is not hidden")
}

func TestFromProxyPanicsOnANilDialer(t *testing.T) {
	assert.PanicsWithValue(t, "dialx: FromProxy: d must not be nil, got nil", func() { dialx.FromProxy(nil) })
}

func TestFromProxyOfAPlainDialerHonoursCtx(t *testing.T) {
	errInner := errors.New("proxy said no")
	tests := []struct {
		name     string
		inner    plainDialer
		ctx      func() (context.Context, context.CancelFunc)
		wantConn bool
		wantErr  error
		wantOp   bool // the error is a *DialError made by the adapter
		timeout  bool
	}{
		{
			name:     "success, background ctx",
			inner:    func(string, string) (net.Conn, error) { return dialtest.NewConn("ok"), nil },
			ctx:      func() (context.Context, context.CancelFunc) { return context.Background(), func() {} },
			wantConn: true,
		},
		{
			name:     "success, cancellable ctx",
			inner:    func(string, string) (net.Conn, error) { return dialtest.NewConn("ok"), nil },
			ctx:      func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			wantConn: true,
		},
		{
			name:    "inner error returned unchanged",
			inner:   func(string, string) (net.Conn, error) { return nil, errInner },
			ctx:     func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) },
			wantErr: errInner,
		},
		{
			name:  "cancelled before the dial",
			inner: func(string, string) (net.Conn, error) { panic("must not be called") },
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			wantErr: context.Canceled,
			wantOp:  true,
		},
		{
			name:  "deadline passes during the dial",
			inner: func(string, string) (net.Conn, error) { time.Sleep(50 * time.Millisecond); return nil, errInner },
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), time.Millisecond)
			},
			wantErr: context.DeadlineExceeded,
			wantOp:  true,
			timeout: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// On the fake clock the deadline passes before the inner dial
			// returns however busy the machine is.
			synctest.Test(t, func(t *testing.T) {
				// An inner dial that outlasts the caller must return before
				// the bubble ends; on the fake clock this wait is free.
				defer time.Sleep(time.Minute)
				ctx, cancel := tt.ctx()
				defer cancel()
				c, err := dialx.FromProxy(tt.inner).DialContext(ctx, "tcp", "example.com:80")
				if tt.wantConn {
					require.NoError(t, err)
					require.NotNil(t, c)
					c.Close()
					return
				}
				require.Nil(t, c)
				require.ErrorIs(t, err, tt.wantErr)
				var de *dialx.DialError
				if tt.wantOp {
					require.ErrorAs(t, err, &de)
					assert.Equal(t, "proxy", de.Op)
					assert.Equal(t, "dialx: proxy tcp example.com:80: "+tt.wantErr.Error(), err.Error())
				} else {
					assert.Same(t, tt.wantErr, err)
				}
				var ne net.Error
				assert.Equal(t, tt.timeout, errors.As(err, &ne) && ne.Timeout())
			})
		})
	}
}

// TestFromProxyClosesAConnReturnedWithAnError: a plain Dial that returns a
// connection together with an error gets the connection closed and only the
// error passed on, whether or not ctx can be cancelled.
func TestFromProxyClosesAConnReturnedWithAnError(t *testing.T) {
	errInner := errors.New("half-made")
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{name: "background ctx", ctx: func() (context.Context, context.CancelFunc) { return context.Background(), func() {} }},
		{name: "ctx without Done", ctx: func() (context.Context, context.CancelFunc) {
			return context.WithoutCancel(context.Background()), func() {}
		}},
		{name: "cancellable ctx", ctx: func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			conn := newSignalConn()
			inner := plainDialer(func(string, string) (net.Conn, error) { return conn, errInner })
			c, err := dialx.FromProxy(inner).DialContext(ctx, "tcp", "example.com:80")
			assert.Nil(t, c)
			assert.Same(t, errInner, err)
			assert.True(t, conn.isClosed(), "the connection that came with the error is closed")
		})
	}
}

// TestFromProxyClosesAConnThatArrivesAfterTheCallerLeft: the caller gives up,
// the plain Dial succeeds afterwards, and the adapter closes that connection.
func TestFromProxyClosesAConnThatArrivesAfterTheCallerLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		conn := dialtest.NewConn("late")
		inner := plainDialer(func(string, string) (net.Conn, error) {
			<-release
			return conn, nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		start := time.Now()
		c, err := dialx.FromProxy(inner).DialContext(ctx, "tcp", "example.com:80")
		assert.Equal(t, 10*time.Millisecond, time.Since(start), "returns as soon as ctx is cancelled")
		require.Nil(t, c)
		require.ErrorIs(t, err, context.Canceled)
		close(release)
		synctest.Wait() // the abandoned dial returns and is cleaned up
		assert.True(t, conn.Closed(), "the connection that came after the caller left is closed")
	})
}

// TestFromProxyReturnsOrClosesEachConnUnderCancelRaces cancels at a random
// point while the plain Dial returns at a random point, many times: the caller
// gets either a connection that stays open or an error while the connection
// gets closed, never both and never neither.
func TestFromProxyReturnsOrClosesEachConnUnderCancelRaces(t *testing.T) {
	const rounds = 10000
	rng := rand.New(rand.NewPCG(1, 2))
	var won, lost, early int
	for range rounds {
		conn := newSignalConn()
		dialSpins, cancelSpins := rng.IntN(50), rng.IntN(50)
		var called atomic.Bool
		inner := plainDialer(func(string, string) (net.Conn, error) {
			called.Store(true)
			spin(dialSpins)
			return conn, nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { spin(cancelSpins); cancel() }()
		c, err := dialx.FromProxy(inner).DialContext(ctx, "tcp", "example.com:80")
		switch {
		case err == nil:
			require.Same(t, conn, c)
			won++
		default:
			require.Nil(t, c, "connection returned together with %v", err)
			require.ErrorIs(t, err, context.Canceled)
			if !called.Load() {
				early++ // cancelled before the dial started: nothing to close
				break
			}
			select {
			case <-conn.closed:
			case <-time.After(5 * time.Second):
				t.Fatal("late connection never closed")
			}
			lost++
		}
		cancel()
		// A connection the caller received is never closed behind its back.
		if err == nil {
			assert.False(t, conn.isClosed())
			c.Close()
		}
	}
	t.Logf("%d dials won, %d cancelled during the dial, %d before it", won, lost, early)
	assert.Positive(t, won)
	assert.Positive(t, lost)
}

func spin(n int) {
	for range n {
		runtime.Gosched()
	}
}

// signalConn is a net.Conn whose Close closes a channel.
type signalConn struct {
	net.Conn
	once   atomic.Bool
	closed chan struct{}
}

func newSignalConn() *signalConn { return &signalConn{closed: make(chan struct{})} }

func (c *signalConn) Close() error {
	if c.once.CompareAndSwap(false, true) {
		close(c.closed)
	}
	return nil
}

func (c *signalConn) isClosed() bool { return c.once.Load() }

// Compile-time checks: a proxy.Dialer of any kind goes in, and the result is
// a proxy.ContextDialer again. Every decorator is both a proxy.Dialer and a
// proxy.ContextDialer, so a stack can be the forward dialer of proxy.SOCKS5
// or proxy.FromURL.
var (
	_                     = dialx.FromProxy(proxy.Direct)
	_ proxy.ContextDialer = dialx.FromProxy(plainDialer(nil))
	_ proxy.ContextDialer = (*dialx.Repeat)(nil)
	_ proxy.Dialer        = (*dialx.Repeat)(nil)
	_ proxy.Dialer        = (*dialx.Timeout)(nil)
	_ proxy.Dialer        = (*dialx.Delay)(nil)
	_ proxy.Dialer        = (*dialx.Reject)(nil)
	_ proxy.Dialer        = (*dialx.Swappable)(nil)
	_ proxy.Dialer        = (*dialx.Consecutive)(nil)
	_ proxy.Dialer        = (*dialx.Random)(nil)
	_ proxy.Dialer        = (*dialx.Concurrent)(nil)
	_ proxy.Dialer        = dialx.DialerFunc(nil)
)

// x/net's proxy.Direct has DialContext, so it plugs in as an inner dialer
// unchanged.
func TestProxyDirectPlugsInAsAnInnerDialer(t *testing.T) {
	srv := dialtest.StartEcho(t)
	var inner proxy.ContextDialer = proxy.Direct
	conn, err := dialx.NewRepeat(inner, 2).DialContext(context.Background(), "tcp", srv.Addr())
	require.NoError(t, err)
	echoByte(t, conn)
	require.NoError(t, conn.Close())
}
