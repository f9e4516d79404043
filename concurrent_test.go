package dialx_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestConcurrentFirstSuccessWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := &dialtest.Dialer{Label: "slow", Wait: time.Second}
		fast := &dialtest.Dialer{Label: "fast", Wait: 10 * time.Millisecond}
		stubborn := &dialtest.Dialer{Label: "stubborn", Block: true, IgnoreCtx: true, Release: make(chan struct{})}

		start := time.Now()
		conn, err := dialx.NewConcurrent(slow, fast, stubborn).DialContext(context.Background(), "tcp", "example.com:80")
		require.NoError(t, err)
		assert.Equal(t, 10*time.Millisecond, time.Since(start), "returns as soon as one succeeded")
		assert.Equal(t, "fast", conn.(*dialtest.Conn).Label)

		synctest.Wait()
		assert.Empty(t, slow.Conns(), "the loser saw its ctx cancelled and never connected")

		close(stubborn.Release) // a loser that ignores ctx connects late
		synctest.Wait()
		require.Len(t, stubborn.Conns(), 1)
		assert.True(t, stubborn.Conns()[0].Closed(), "late connection closed")
		assert.False(t, conn.(*dialtest.Conn).Closed(), "the winner stays open")
		conn.Close()
	})
}

func TestConcurrentAllFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errA, errB, errC := errors.New("a down"), errors.New("b down"), errors.New("c down")
		// c fails first and a last: the error still lists them in the
		// order the dialers were given.
		a := &dialtest.Dialer{Err: errA, Wait: 3 * time.Millisecond}
		b := &dialtest.Dialer{Err: errB, Wait: 2 * time.Millisecond}
		c := &dialtest.Dialer{Err: errC, Wait: 1 * time.Millisecond}
		start := time.Now()
		conn, err := dialx.NewConcurrent(a, b, c).DialContext(context.Background(), "tcp", "example.com:80")
		assert.Equal(t, 3*time.Millisecond, time.Since(start), "returns as soon as all failed")
		assert.Nil(t, conn)
		for _, want := range []error{errA, errB, errC} {
			assert.ErrorIs(t, err, want)
		}
		assert.EqualError(t, err, "dialx: concurrent tcp example.com:80: all 3 attempts failed: a down; b down; c down")
	})
}

func TestConcurrentCancelledWhileRacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		honest := &dialtest.Dialer{Block: true}
		stubborn := &dialtest.Dialer{Block: true, IgnoreCtx: true, Release: make(chan struct{})}
		time.AfterFunc(time.Second, cancel)
		start := time.Now()
		conn, err := dialx.NewConcurrent(honest, stubborn).DialContext(ctx, "tcp", "example.com:80")
		assert.Equal(t, time.Second, time.Since(start), "returns on cancel even if a racer ignores ctx")
		assert.Nil(t, conn)
		assert.ErrorIs(t, err, context.Canceled)

		close(stubborn.Release)
		synctest.Wait()
		assert.True(t, stubborn.Conns()[0].Closed(), "late connection closed")
	})
}

func TestConcurrentAlreadyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := &dialtest.Dialer{}
	_, err := dialx.NewConcurrent(d, d).DialContext(ctx, "tcp", "example.com:80")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, d.Calls())
}

// A staggered race starts no further attempt once ctx is done, even when
// an attempt's failure would let the next one start at once. Whether the
// race sees the failure or the cancel first is up to select, so the dial is
// made many times.
func TestConcurrentStaggerStopsOnceContextIsDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		second := &dialtest.Dialer{}
		for range 200 {
			ctx, cancel := context.WithCancel(context.Background())
			first := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
				cancel()
				return nil, errors.New("refused")
			})
			d := dialx.NewConcurrent(first, second).WithOptions(dialx.WithStagger(time.Second))
			conn, err := d.DialContext(ctx, "tcp", "example.com:80")
			assert.Nil(t, conn)
			assert.ErrorIs(t, err, context.Canceled)
		}
		synctest.Wait() // for any attempt wrongly started
		assert.Zero(t, second.Calls(), "no attempt may start once ctx is done")
	})
}
