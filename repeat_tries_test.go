package dialx_test

import (
	"context"
	"errors"
	"math"
	"net"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

// TestRepeatHugeTries: tries of math.MaxInt means "until ctx ends"; the
// first failure must not allocate room for every try (it panicked with
// "makeslice: cap out of range", and 1<<30 tries asked for 16 GiB).
func TestRepeatHugeTries(t *testing.T) {
	errFail := errors.New("refused")
	for _, tries := range []int{1 << 30, math.MaxInt} {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		d := dialx.NewRepeat(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
			calls++
			if calls == 3 {
				cancel()
			}
			return nil, errFail
		}), tries)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		c, err := d.DialContext(ctx, "tcp", "example.com:80")
		runtime.ReadMemStats(&after)
		cancel()
		require.Nil(t, c)
		require.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, errFail)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "tries %d", tries)
	}
}

// TestRepeatMillionTriesKeepsABoundedError: a Repeat of math.MaxInt tries
// over a dialer that fails at once used to keep every try's error (about a
// million in 400 ms) and print them all in a 16 MB message. It keeps the
// first and last few, says how many it left out, and still lets errors.Is
// reach the first and last try's errors and the ctx's end.
func TestRepeatMillionTriesKeepsABoundedError(t *testing.T) {
	const tries = 1_000_000
	errFirst, errMiddle, errLast := errors.New("first"), errors.New("middle"), errors.New("last")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	d := dialx.NewRepeat(dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		calls++
		switch calls {
		case 1:
			return nil, errFirst
		case tries:
			cancel()
			return nil, errLast
		}
		return nil, errMiddle
	}), math.MaxInt)
	conn, err := d.DialContext(ctx, "tcp", "example.com:80")
	require.Nil(t, conn)
	assert.Equal(t, tries, calls)
	for _, want := range []error{errFirst, errMiddle, errLast, context.Canceled} {
		assert.ErrorIs(t, err, want)
	}
	var attempts interface{ Unwrap() []error }
	require.ErrorAs(t, err, &attempts)
	assert.Len(t, attempts.Unwrap(), 1+8, "the ctx's end, the first 4 and the last 4 tries")
	assert.Less(t, len(err.Error()), 1<<10)
	assert.Equal(t, "dialx: repeat tcp example.com:80: stopped after 1000000 of 9223372036854775807 tries: "+
		"context canceled; first; middle; middle; middle; ... 999992 more ...; middle; middle; middle; last", err.Error())
}
