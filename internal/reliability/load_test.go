package reliability_test

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/faultnet"
)

var long = flag.Bool("long", false, "run TestLoadLeavesNothingBehind and TestSwapUnderFireLandsOnACurrentDialer at full size (or set DIALX_LONG=1)")

func isLong() bool { return *long || os.Getenv("DIALX_LONG") != "" }

// loadTimeout is the Timeout of TestLoadLeavesNothingBehind's stack. A loopback
// dial needs milliseconds, but with hundreds in flight most of a dial is spent
// waiting for a CPU, and on a machine that other work keeps busy that wait has
// run past 5 s for most dials, with a p99 of 40 s: the Timeout is there to turn
// a hang into a failure, not to time the dials, which the test only reports.
const loadTimeout = 2 * time.Minute

// TestLoadLeavesNothingBehind makes many dials, many at once, through
// Timeout(Concurrent(a, b, c)) to three loopback servers, c of them flaky.
// Every dial must succeed with a connection that echoes a byte, or fail with a
// *DialError; then goroutines, file descriptors and the servers' open
// connections must be back to where they were. Short by default; -long (or
// DIALX_LONG=1) makes it 10,000 dials, up to 1,000 at once.
func TestLoadLeavesNothingBehind(t *testing.T) {
	dials, parallel := 2000, 200
	if isLong() {
		dials, parallel = 10000, 1000
	}
	a, b := faultnet.StartEcho(t), faultnet.StartEcho(t)
	flaky := faultnet.StartFlaky(t, 0.3, 42)
	check := leakCheck(t, a, b, flaky)
	baseline := runtime.NumGoroutine()

	d := dialx.NewTimeout(dialx.NewConcurrent(to(a.Addr()), to(b.Addr()), to(flaky.Addr())), loadTimeout)

	var peak atomic.Int64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				if n := int64(runtime.NumGoroutine()); n > peak.Load() {
					peak.Store(n)
				}
			}
		}
	}()

	latencies := make([]time.Duration, dials)
	var failed atomic.Int64
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range dials {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			began := time.Now()
			c, err := d.DialContext(context.Background(), "tcp", a.Addr())
			latencies[i] = time.Since(began)
			if err != nil {
				failed.Add(1)
				var de *dialx.DialError
				assert.True(t, c == nil && errors.As(err, &de), "not a clear failure: %v, %v", c, err)
				return
			}
			defer c.Close()
			buf := []byte{'x'}
			_, werr := c.Write(buf)
			_, rerr := io.ReadFull(c, buf)
			assert.NoError(t, errors.Join(werr, rerr))
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stopSampling)
	<-sampled

	slices.Sort(latencies)
	p50, p99 := latencies[dials/2], latencies[dials*99/100]
	t.Logf("%d dials, up to %d at once, in %v: %.0f dials/s, latency p50 %v p99 %v, peak goroutines %d (baseline %d), %d failed",
		dials, parallel, elapsed.Round(time.Millisecond), float64(dials)/elapsed.Seconds(),
		p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), peak.Load(), baseline, failed.Load())
	t.Logf("connections accepted: echo %d, echo %d, flaky %d (%d reset)", a.Accepted(), b.Accepted(), flaky.Accepted(), flaky.Failed())
	assert.LessOrEqual(t, failed.Load(), int64(dials/100), "more than 1% of the dials failed")
	check()
}
