package reliability_test

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

// generation is the dialer installed by the swap numbered gen; its
// connections carry the number.
type generation struct{ gen int64 }

func (g *generation) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	// Some dials last long enough for swaps to happen during them.
	if rand.IntN(4) == 0 {
		time.Sleep(time.Duration(rand.Int64N(int64(3 * time.Millisecond))))
	}
	return &stamped{gen: g.gen}, nil
}

type stamped struct {
	net.Conn
	gen int64
}

func (*stamped) Close() error { return nil }

// TestSwapUnderFireLandsOnACurrentDialer: 64 goroutines dial through a
// Swappable while another swaps the inner dialer every millisecond. Every dial
// must land on a dialer that was current at some moment during it: no older
// than the last swap finished before the dial began, no newer than the last
// swap begun before it returned. Swap must return the dialer it replaced.
func TestSwapUnderFireLandsOnACurrentDialer(t *testing.T) {
	duration := 2 * time.Second
	if isLong() {
		duration = 10 * time.Second
	}
	s := dialx.NewSwappable(&generation{gen: 0})
	var begun, finished atomic.Int64 // the last swap begun, the last finished

	stop := make(chan struct{})
	var swaps sync.WaitGroup
	swaps.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for gen := int64(1); ; gen++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			begun.Store(gen)
			old := s.Swap(&generation{gen: gen})
			finished.Store(gen)
			if !assert.Equal(t, gen-1, old.(*generation).gen, "Swap returned the wrong dialer") {
				return
			}
		}
	})

	var dials, spanning atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(duration)
	for range 64 {
		wg.Go(func() {
			for time.Now().Before(deadline) && !t.Failed() {
				oldest := finished.Load()
				c, err := s.DialContext(context.Background(), "tcp", "example.com:80")
				newest := begun.Load()
				if !assert.NoError(t, err) {
					return
				}
				gen := c.(*stamped).gen
				assert.True(t, oldest <= gen && gen <= newest,
					"dial landed on generation %d, current during the dial were %d to %d", gen, oldest, newest)
				dials.Add(1)
				if newest > oldest {
					spanning.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	swaps.Wait()
	t.Logf("%d dials in %v, %d swaps, %d dials had a swap during them", dials.Load(), duration, finished.Load(), spanning.Load())
	require.Positive(t, spanning.Load(), "no dial overlapped a swap: the test proved nothing")
}
