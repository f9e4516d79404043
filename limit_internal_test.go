package dialx

import (
	"context"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// The per-key bookkeeping of a Limit holds only keys with dials under way,
// whether the dials finished or gave up waiting.
func TestLimitForgetsIdleKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			select {
			case <-time.After(100 * time.Millisecond):
				return nil, context.DeadlineExceeded
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
		limit := NewLimit(inner, 1, WithKey(func(_, address string) string { return address }))
		var wg sync.WaitGroup
		for i := range 300 {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%3)*60*time.Millisecond)
				defer cancel()
				limit.DialContext(ctx, "tcp", []string{"a:1", "b:2", "c:3", "d:4"}[i%4])
			})
		}
		synctest.Wait()
		limit.mu.Lock()
		assert.Len(t, limit.keyed, 4, "keys with dials under way are kept")
		limit.mu.Unlock()
		wg.Wait()
		assert.Empty(t, limit.keyed)
	})
}
