package dialx

import "time"

// circuit returns the circuit for key, making it if need be.
func (b *Breaker) circuit(key string) *circuit {
	if c, ok := b.circuits.Load(key); ok {
		return c.(*circuit)
	}
	return b.addCircuit(key)
}

func (b *Breaker) addCircuit(key string) *circuit {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.circuits.Load(key); ok {
		return c.(*circuit)
	}
	now := b.now()
	if now-b.lastSweep >= b.cfg.forgetAfter {
		b.forgetQuiet(now)
	}
	if b.tracked >= b.cfg.maxDestinations {
		b.shed(now)
	}
	c := &circuit{}
	if b.cfg.ratio > 0 {
		c.window = new(outcomeWindow)
	}
	b.circuits.Store(key, c)
	b.tracked++
	return c
}

// forgetQuiet drops the circuits that nobody dialed since the previous
// sweep, unless they hold a decision still in force. Sweeps happen when a
// new destination comes, at most once per forgetAfter, so a circuit is
// forgotten after between one and two forgetAfter of quiet, and the dial
// path never looks at the clock for it. b.mu must be held.
func (b *Breaker) forgetQuiet(now time.Duration) {
	b.lastSweep = now
	for key, c := range b.circuits.Range {
		c := c.(*circuit)
		if c.used.Load() {
			c.used.Store(false)
			continue
		}
		if !c.holding(now) {
			b.drop(key, c, false)
		}
	}
}

// shed makes room when the Breaker tracks as many destinations as it may: it
// drops an eighth of them, quiet ones first, then any not holding a
// decision, then any, so that the cap holds whatever the circuits are
// doing. b.mu must be held.
func (b *Breaker) shed(now time.Duration) {
	target := b.cfg.maxDestinations - max(1, b.cfg.maxDestinations/8)
	for pass := 0; pass < 3 && b.tracked > target; pass++ {
		for key, c := range b.circuits.Range {
			if b.tracked <= target {
				break
			}
			c := c.(*circuit)
			if pass == 0 && c.used.Load() || pass < 2 && c.holding(now) {
				continue
			}
			b.drop(key, c, pass == 2)
		}
	}
}

// drop forgets c. A dial still out on c (a probe, say) ends on c without
// reporting: the circuit that replaces c for key reports from closed again.
// Unless force is set, c is kept while changes of it are still being passed
// to the callback, so that the reports of one key do not interleave from
// two circuits; forced, c goes all the same and its queued changes are
// still passed on. b.mu must be held. Waiting for c.mu under b.mu is safe:
// nothing holding c.mu calls a hook or takes b.mu.
func (b *Breaker) drop(key any, c *circuit, force bool) {
	c.mu.Lock()
	if !force && (c.delivering || len(c.pending) > 0) {
		c.mu.Unlock()
		return
	}
	c.forgotten = true
	c.mu.Unlock()
	b.circuits.Delete(key)
	b.tracked--
}

// holding reports whether forgetting c would drop a decision still in
// force: an open circuit inside its cool-down, or a probe in flight.
func (c *circuit) holding(now time.Duration) bool {
	switch BreakerState(c.state.Load()) {
	case BreakerOpen:
		return now < time.Duration(c.openUntil.Load())
	case BreakerHalfOpen:
		return true
	}
	return false
}
