package reliability_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/faultnet"
)

// cancelRounds is how many dials TestCancelAnywhereLeavesNothingBehind cancels.
const cancelRounds = 4000

// TestCancelAnywhereLeavesNothingBehind cancels dials at random points,
// thousands of times, many at once: before the dial starts, during a Delay,
// between the tries of a Repeat, while Concurrent attempts race, while a
// connect hangs on a blackhole or a handshake waits on a silent or slow server.
// Every dial must fail with an error matching context.Canceled, never hand out
// a connection with an error, and leave nothing behind.
func TestCancelAnywhereLeavesNothingBehind(t *testing.T) {
	silent := faultnet.StartSilent(t)
	blackhole := silent // where the platform has no blackhole, a silent server hangs too
	if faultnet.HasBlackhole {
		blackhole = faultnet.StartBlackhole(t)
	}
	slow := faultnet.StartSlow(t, time.Hour)
	refused := faultnet.StartRefused(t)
	check := leakCheck(t, silent, slow)

	type target struct {
		name string
		d    dialx.Dialer
		addr string
	}
	var targets []target
	for _, s := range allStacks() {
		if s.rejects {
			continue // rejects at once, before a random cancel; see TestCancelBeforeTheDialTouchesNoSocket
		}
		for _, srv := range slices.Compact([]*faultnet.Server{blackhole, silent, slow}) {
			// The Timeouts are long: only the cancel may end these dials.
			targets = append(targets, target{s.name + " on " + srv.Name(), s.build(faultnet.Handshake{}, time.Hour), srv.Addr()})
		}
	}
	hs := faultnet.Handshake{}
	targets = append(targets,
		target{"Repeat(∞) on refused", dialx.NewRepeat(hs, math.MaxInt), refused.Addr()},
		target{"Delay(2ms) on blackhole", dialx.NewDelay(hs, 2*time.Millisecond), blackhole.Addr()},
		target{"Consecutive(refused, refused, blackhole)",
			dialx.NewConsecutive(to(refused.Addr()), to(refused.Addr()), to(blackhole.Addr())), ""},
		target{"Concurrent(blackhole, silent, refused)",
			dialx.NewConcurrent(to(blackhole.Addr()), to(silent.Addr()), to(refused.Addr())), ""},
		target{"Timeout(Repeat(∞, Consecutive(refused, blackhole)))",
			dialx.NewTimeout(dialx.NewRepeat(dialx.NewConsecutive(to(refused.Addr()), to(blackhole.Addr())), math.MaxInt), time.Hour), ""},
	)

	const workers = 8
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d targets", seed, len(targets))
	var next atomic.Int64
	var before, during atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		wg.Go(func() {
			for next.Add(1) <= cancelRounds && !t.Failed() {
				tg := targets[rng.IntN(len(targets))]
				ctx, cancel := context.WithCancel(context.Background())
				stop := func() bool { return false }
				if rng.IntN(8) == 0 {
					cancel()
					before.Add(1)
				} else {
					stop = time.AfterFunc(time.Duration(rng.Int64N(int64(3*time.Millisecond))), cancel).Stop
					during.Add(1)
				}
				c, err := tg.d.DialContext(ctx, "tcp", tg.addr)
				stop()
				cancel()
				if !assert.Nil(t, c, "%s: a connection together with %v", tg.name, err) {
					c.Close()
				}
				assert.ErrorIs(t, err, context.Canceled, tg.name)
			}
		})
	}
	wg.Wait()
	t.Logf("%d dials cancelled before they started, %d at a random point within 3ms", before.Load(), during.Load())
	check()
}

// TestCancelBeforeTheDialTouchesNoSocket: a dial whose ctx is already done
// fails with ctx's error and touches no socket, through every stack, Reject
// included.
func TestCancelBeforeTheDialTouchesNoSocket(t *testing.T) {
	echo := faultnet.StartEcho(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, s := range allStacks() {
		c, err := s.build(faultnet.Handshake{}, time.Hour).DialContext(ctx, "tcp", echo.Addr())
		require.Nil(t, c, s.name)
		assert.ErrorIs(t, err, context.Canceled, s.name)
	}
	assert.Equal(t, 0, echo.Accepted())
}
