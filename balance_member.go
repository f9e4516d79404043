package dialx

import (
	"context"
	"math"
	"net"
	"sync/atomic"
	"time"
)

const (
	// decayTime is the time constant of a member's estimate: Finagle's
	// default for its peak EWMA. Faster samples bring the estimate down
	// over about this long, and an idle member's estimate falls by e in it.
	decayTime = 10 * time.Second
	// failureCost is the connect time a failed dial counts as: far above a
	// working member's, so that a failing member is avoided for a minute or
	// two (until its estimate has decayed back among the others': about
	// 70 s against members that connect in 10 ms).
	failureCost = 10 * time.Second
)

// member is a Balancer's record of one of its Dialers. Its fields are
// atomics, each read and written without a lock: the estimate and its
// instant are two words, so an update racing another may weigh a sample a
// little off, which an estimate can afford.
type member struct {
	balancer  *Balancer
	dialer    Dialer
	index     int
	seed      uint64 // the member's stake in rendezvous hashing
	mayRefuse bool   // a Refusal or an open circuit may be found beneath

	estimate atomic.Int64 // peak-EWMA connect time, in nanoseconds
	stamp    atomic.Int64 // the Balancer.now of the latest sample, +1; 0 before the first
	inFlight atomic.Int64 // dials through the member that have not returned
}

// dial dials through the member's Dialer, reporting to t, and records
// the outcome of the dial, which began at start.
func (m *member) dial(ctx context.Context, t Trace, start int64, network, address string) (net.Conn, error) {
	m.inFlight.Add(1)
	// Deferred, so that a panicking dial does not leave the member looking
	// loaded for good.
	defer m.inFlight.Add(-1)
	conn, err := dialInnerTraced(ctx, t, m.dialer, network, address)
	m.record(ctx, start, conn, err)
	return conn, err
}

// record updates the estimate with the outcome of a dial that began at
// start. A refusal made without dialing says nothing of the member's
// health; a dial whose ctx ended says only that it took at least so long.
func (m *member) record(ctx context.Context, start int64, conn net.Conn, err error) {
	now := m.balancer.now()
	switch {
	case err == nil && conn != nil:
		m.observe(now, now-start, false)
	case err != nil && ctx.Err() != nil:
		m.observe(now, now-start, true)
	case err != nil && refusal(err):
	default:
		m.observe(now, int64(failureCost), false)
	}
}

// observe adds a sample, a connect time in nanoseconds, to the estimate at
// instant now. The estimate as it stands is the stored one decayed since the
// previous sample (as health reads it): a sample above that replaces it (the
// peak), a lower one pulls it down by the weight the time since the previous
// sample earns, so that it ends between the two. Blending the sample with
// the stored estimate instead would raise a member resting after a failure
// above both its decayed estimate and the sample, with the failure's
// remains. With atLeast, the sample only raises the estimate.
func (m *member) observe(now, sample int64, atLeast bool) {
	stamp := m.stamp.Load()
	w := 0.0
	if stamp != 0 {
		w = decayWeight(now - (stamp - 1))
	}
	for {
		old := m.estimate.Load()
		next := sample
		if current := float64(old) * w; float64(sample) < current {
			if atLeast {
				return
			}
			next = int64(current*w + float64(sample)*(1-w))
		}
		if m.estimate.CompareAndSwap(old, next) {
			break
		}
	}
	m.stamp.Store(now + 1)
}

// cost is what choosing the member costs at instant now: its estimate times
// its dials in flight plus one. An idle member's estimate decays; a busy
// one's does not, so that dials do not pile onto a member being tried
// again after a rest before its first dial answers. A member never measured
// costs nothing while idle and a failure per dial in flight while busy.
func (m *member) cost(now int64) float64 {
	inFlight := m.inFlight.Load()
	stamp := m.stamp.Load()
	if stamp == 0 {
		return float64(failureCost) * float64(inFlight)
	}
	estimate := float64(m.estimate.Load())
	if inFlight == 0 {
		return estimate * decayWeight(now-(stamp-1))
	}
	return estimate * float64(inFlight+1)
}

// health is the member's estimate at instant now, decayed since its latest
// sample; 0 if it was never measured.
func (m *member) health(now int64) time.Duration {
	stamp := m.stamp.Load()
	if stamp == 0 {
		return 0
	}
	return time.Duration(float64(m.estimate.Load()) * decayWeight(now-(stamp-1)))
}

// bad reports whether the member counts as bad for affinity at instant
// now: its estimate is over badHealth, decayed only while no dial is in
// flight, as in cost, so that a member getting over a failure has its keys
// back one dial at a time, not all at once while that dial hangs.
func (m *member) bad(now int64) bool {
	if m.inFlight.Load() == 0 {
		return m.health(now) > badHealth
	}
	return m.stamp.Load() != 0 && m.estimate.Load() > int64(badHealth)
}

// decayWeight is how much of an estimate is left age nanoseconds later.
func decayWeight(age int64) float64 {
	if age <= 0 {
		return 1
	}
	x := float64(age) / float64(decayTime)
	if x < 1.0/64 {
		// The usual case, a member dialed within the last 150 ms: three
		// terms of the series are within 1e-6 of it, for a fraction of
		// the time of math.Exp.
		return 1 - x + x*x/2
	}
	return math.Exp(-x)
}
