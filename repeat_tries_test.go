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
