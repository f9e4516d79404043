package dialx_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

func TestBreakerForgottenProbeDoesNotMisreport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// With room for one circuit, a:1's circuit is dropped while its
		// probe is out and a new one opens for a:1. When the old probe then
		// succeeds, the reports must not say a:1 closed: it is open.
		release := make(chan struct{})
		var fail atomic.Bool
		inner := dialx.DialerFunc(func(ctx context.Context, _, address string) (net.Conn, error) {
			if fail.Load() {
				return nil, errRefused
			}
			if address == "a:1" {
				<-release
			}
			return idleConn{}, nil
		})
		var ch stateLog
		br := dialx.NewBreaker(inner, dialx.WithConsecutiveFailures(1), dialx.WithForget(10*time.Minute, 1),
			dialx.WithBackoff(dialx.ConstantBackoff(time.Second)))
		d := ch.watch(br)
		fail.Store(true)
		dialTimes(t, d, "a:1", 1)
		time.Sleep(2 * time.Second)
		fail.Store(false)
		probed := make(chan error)
		go func() {
			conn, err := d.Dial("tcp", "a:1") // the probe, held
			if err == nil {
				conn.Close()
			}
			probed <- err
		}()
		synctest.Wait()
		require.Equal(t, dialx.BreakerHalfOpen, br.State("tcp", "a:1"))
		dialTimes(t, d, "b:1", 1) // no room: a:1's circuit goes
		fail.Store(true)
		dialTimes(t, d, "a:1", 1) // a new circuit for a:1 opens
		require.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"))
		close(release)
		require.NoError(t, <-probed)
		assert.Equal(t, dialx.BreakerOpen, br.State("tcp", "a:1"))
		assert.Equal(t, "a:1:closed>open a:1:open>half-open a:1:closed>open", ch.String())
	})
}

func TestBreakerSurvivesAPanickingHook(t *testing.T) {
	// A trace hook that panics is a bug of its own, but when the panic is
	// recovered up the stack (net/http recovers a handler's), the circuit
	// must not be left locked or stuck half-open: later dials still work.
	var panics atomic.Int32
	be := newBreakerBackend()
	be.set(errRefused)
	br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1), dialx.WithBackoff(dialx.ConstantBackoff(time.Nanosecond)))
	ctx := dialx.WithTrace(t.Context(), func(_ context.Context, e dialx.Event) {
		if e.Kind != "state" {
			return
		}
		panics.Add(1)
		panic("hook bug")
	})
	dial := func() (err error) {
		done := make(chan error, 1)
		go func() {
			defer func() {
				if recover() != nil {
					done <- errors.New("panicked")
				}
			}()
			_, err := br.DialContext(ctx, "tcp", "a:1")
			done <- err
		}()
		select {
		case err = <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("the dial hangs: a panicking hook left the circuit locked")
			return nil
		}
	}
	// closed>open panics, then open>half-open panics before the probe
	// dials; the next dial must still be able to probe.
	for range 4 {
		_ = dial()
		time.Sleep(time.Microsecond) // past the 1 ns cool-down
	}
	be.set(nil)
	for range 3 {
		_ = dial()
		time.Sleep(time.Microsecond)
	}
	assert.Equal(t, dialx.BreakerClosed, br.State("tcp", "a:1"))
	assert.GreaterOrEqual(t, int(panics.Load()), 3)
}

func TestBreakerHooksMayDialThroughTheBreaker(t *testing.T) {
	// A trace hook that dials through the same Breaker (a logger shipping
	// records over the same transport, say) must not deadlock, even when
	// its dial changes the state of the same circuit.
	var reentered atomic.Int32
	be := newBreakerBackend()
	br := dialx.NewBreaker(be, dialx.WithConsecutiveFailures(1), dialx.WithBackoff(dialx.ConstantBackoff(time.Nanosecond)))
	var ctx context.Context
	ctx = dialx.WithTrace(t.Context(), func(_ context.Context, e dialx.Event) {
		if e.Kind != "state" {
			return
		}
		if reentered.Add(1) > 4 {
			return
		}
		// The circuit just changed; this dial fails and, with a run of
		// one, changes it again (or probes it).
		be.set(errRefused)
		if conn, err := br.DialContext(ctx, "tcp", "a:1"); err == nil {
			conn.Close()
		}
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			be.set(nil)
			if conn, err := br.DialContext(ctx, "tcp", "a:1"); err == nil {
				conn.Close()
			}
			be.set(errRefused)
			br.DialContext(ctx, "tcp", "a:1")
			time.Sleep(time.Microsecond) // past the 1 ns cool-down
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a hook dialing through its own Breaker deadlocked")
	}
	assert.Greater(t, int(reentered.Load()), 4)
}
