package dialx

import (
	"context"
	"sync"
	"time"
)

// use notes that the Balancer is dialing, and starts probing if it is on and
// not running. The instant is stored only when it moved on by a sixteenth
// of the interval, so that dials on many cores do not all write it.
func (b *Balancer) use() {
	every := int64(b.cfg.probeEvery)
	if every == 0 {
		return
	}
	if now := b.now(); now-b.lastUse.Load() > every/16 {
		b.lastUse.Store(now)
	}
	if !b.probing.Load() && b.probing.CompareAndSwap(false, true) {
		go b.probeWhileUsed()
	}
}

// probeWhileUsed probes every member once an interval, for as long as the
// Balancer was dialed within the last interval, then returns: an idle
// Balancer keeps no goroutine and sends nothing, and a Balancer dropped by
// its user is collected once probing stops.
func (b *Balancer) probeWhileUsed() {
	every := b.cfg.probeEvery
	timer := time.NewTimer(every)
	defer timer.Stop()
	for {
		<-timer.C
		if b.idle(every) {
			b.probing.Store(false)
			// A dial between the check and the store saw probing on and
			// left it to this loop: carry on for it, unless another dial
			// has started a loop since.
			if b.idle(every) || !b.probing.CompareAndSwap(false, true) {
				return
			}
		}
		b.probeAll()
		timer.Reset(every)
	}
}

// idle reports whether the Balancer was not dialed within the last interval.
func (b *Balancer) idle(every time.Duration) bool {
	return b.now()-b.lastUse.Load() > int64(every)
}

// probeAll probes every member at once and returns when all are done, each
// bounded by the interval.
func (b *Balancer) probeAll() {
	var wg sync.WaitGroup
	for _, m := range b.members {
		wg.Go(m.probe)
	}
	wg.Wait()
}

// probe dials the probe address through the member, closes what it gets,
// and records the outcome as that of a dial. A probe's panic is taken for a
// failure: there is no caller to hand it to, and a probe must not bring
// the program down.
func (m *member) probe() {
	cfg := m.balancer.cfg
	ctx, cancel := context.WithTimeout(context.Background(), cfg.probeEvery)
	defer cancel()
	start := m.balancer.now()
	defer func() {
		if recover() != nil {
			m.observe(m.balancer.now(), int64(failureCost), false)
		}
	}()
	conn, err := m.dialer.DialContext(ctx, cfg.probeNetwork, cfg.probeAddress)
	if conn != nil {
		conn.Close()
	}
	m.record(ctx, start, conn, err)
}
