package dialx_test

import (
	"context"
	"net"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// boom is what the inner dials of these tests panic with: a pointer, so
// that the test can tell the very value from a copy.
type boom struct{ where string }

// panicking returns an inner Dialer that waits for release, if not nil
// (ignoring its ctx, as a badly written Dialer does), and then panics with
// value.
func panicking(value any, release <-chan struct{}) dialx.DialerFunc {
	return func(context.Context, string, string) (net.Conn, error) {
		if release != nil {
			<-release
		}
		panic(value)
	}
}

// blocking is an inner Dialer that waits for its ctx to end.
func blocking(ctx context.Context, _, _ string) (net.Conn, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// dialRecovering dials and returns what the dial panicked with, if it did.
func dialRecovering(ctx context.Context, d dialx.Dialer, address string) (recovered any) {
	defer func() { recovered = recover() }()
	conn, err := d.DialContext(ctx, "tcp", address)
	if err == nil {
		conn.Close()
	}
	return nil
}

// A decorator that runs an inner dial on a goroutine of its own raises that
// dial's panic again on the caller's goroutine, with the very value, so
// that the caller's recover sees it as if there were no goroutine between.
func TestInnerPanicIsRaisedAgainOnTheCallersGoroutine(t *testing.T) {
	value := &boom{"inner"}
	tests := []struct {
		name string
		d    func() dialx.Dialer
	}{
		{name: "Timeout", d: func() dialx.Dialer { return dialx.NewTimeout(panicking(value, nil), time.Minute) }},
		{name: "Concurrent", d: func() dialx.Dialer {
			return dialx.NewConcurrent(dialx.DialerFunc(blocking), panicking(value, nil))
		}},
		{name: "Concurrent staggered", d: func() dialx.Dialer {
			return dialx.NewConcurrent(dialx.DialerFunc(blocking), panicking(value, nil)).
				WithOptions(dialx.WithStagger(time.Second))
		}},
		{name: "Resolve racing", d: func() dialx.Dialer {
			// The first address hangs; the second, started after the
			// attempt delay, panics.
			inner := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
				if address == "192.0.2.1:80" {
					return blocking(ctx, network, address)
				}
				panic(value)
			})
			return dialx.NewResolve(inner, answer("192.0.2.1", "192.0.2.2"))
		}},
		{name: "FromProxy", d: func() dialx.Dialer {
			return dialx.FromProxy(plainDialer(func(string, string) (net.Conn, error) { panic(value) }))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				got := dialRecovering(ctx, tt.d(), "svc.example:80")
				assert.Same(t, value, got)
				synctest.Wait() // every goroutine the dial started has ended
			})
		})
	}
}

// A panic of an inner dial that nobody waits for any more (the Timeout
// fired, another racer won, the caller's ctx ended) is dropped: it must
// neither crash the process nor leave a goroutine behind.
func TestPanicOfAnAbandonedDialIsDropped(t *testing.T) {
	value := &boom{"late"}
	tests := []struct {
		name    string
		d       func(release <-chan struct{}) dialx.Dialer
		timeout time.Duration // of the caller's ctx; 0: none
		wantErr bool
	}{
		{name: "Timeout", wantErr: true, d: func(release <-chan struct{}) dialx.Dialer {
			return dialx.NewTimeout(panicking(value, release), time.Second)
		}},
		{name: "Concurrent", d: func(release <-chan struct{}) dialx.Dialer {
			return dialx.NewConcurrent(panicking(value, release), dialx.DialerFunc(dialtest.Instant()))
		}},
		{name: "Concurrent cancelled", timeout: time.Second, wantErr: true, d: func(release <-chan struct{}) dialx.Dialer {
			return dialx.NewConcurrent(panicking(value, release), dialx.DialerFunc(blocking))
		}},
		{name: "Resolve racing", d: func(release <-chan struct{}) dialx.Dialer {
			// The first address panics once the second has connected.
			inner := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
				if address == "192.0.2.1:80" {
					return panicking(value, release)(ctx, network, address)
				}
				return dialtest.NewConn(address), nil
			})
			return dialx.NewResolve(inner, answer("192.0.2.1", "192.0.2.2"))
		}},
		{name: "FromProxy", timeout: time.Second, wantErr: true, d: func(release <-chan struct{}) dialx.Dialer {
			return dialx.FromProxy(plainDialer(func(string, string) (net.Conn, error) {
				<-release
				panic(value)
			}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				release := make(chan struct{})
				ctx, cancel := context.WithCancel(t.Context())
				if tt.timeout > 0 {
					ctx, cancel = context.WithTimeout(t.Context(), tt.timeout)
				}
				defer cancel()
				var err error
				got := func() (recovered any) {
					defer func() { recovered = recover() }()
					var conn net.Conn
					conn, err = tt.d(release).DialContext(ctx, "tcp", "svc.example:80")
					if conn != nil {
						conn.Close()
					}
					return nil
				}()
				require.Nil(t, got, "the caller left before the panic")
				assert.Equal(t, tt.wantErr, err != nil, "%v", err)

				close(release) // the abandoned dial panics now
				synctest.Wait()
			})
		})
	}
}

// An inner dial that ends its goroutine (runtime.Goexit, as t.FailNow
// does) instead of returning is a failure, not a hang.
func TestInnerGoexitFailsTheDial(t *testing.T) {
	exiting := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		runtime.Goexit()
		return nil, nil
	})
	tests := []struct {
		name   string
		d      dialx.Dialer
		wantOp string
	}{
		{name: "Timeout", d: dialx.NewTimeout(exiting, time.Minute), wantOp: "timeout"},
		{name: "Concurrent", d: dialx.NewConcurrent(exiting, exiting), wantOp: "concurrent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conn, err := tt.d.DialContext(t.Context(), "tcp", "svc.example:80")
				assert.Nil(t, conn)
				var dialErr *dialx.DialError
				require.ErrorAs(t, err, &dialErr)
				assert.Equal(t, tt.wantOp, dialErr.Op)
				assert.ErrorContains(t, err, "inner Dialer ended its goroutine without returning")
				synctest.Wait()
			})
		})
	}
}
