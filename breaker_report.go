package dialx

// transition is a change of state of a circuit; made is false for none.
type transition struct {
	from, to BreakerState
	made     bool
}

// changed returns the change of state of c, for report to pass on once
// c.mu is released, or none if c has been forgotten: its destination reads
// closed again. c.mu must be held.
func (b *Breaker) changed(c *circuit, from, to BreakerState) transition {
	if c.forgotten {
		return transition{}
	}
	return transition{from: from, to: to, made: true}
}

// report passes a change that call made to call's Trace. No lock is held,
// so a Trace may dial, even through this Breaker.
func (b *Breaker) report(call breakerCall, change transition) {
	if !change.made {
		return
	}
	if call.trace != nil {
		call.trace(call.ctx, Event{Op: "breaker", Kind: "state", Network: call.network, Address: call.address,
			Detail: call.key, From: change.from, To: change.to})
	}
}

// reportProbe reports the change that made call the probe of c. If a Trace
// panics, call will not probe, and the next dial does instead.
func (b *Breaker) reportProbe(call breakerCall, c *circuit, change transition) {
	reported := false
	defer func() {
		if !reported {
			c.mu.Lock()
			c.probing.Store(false)
			c.mu.Unlock()
		}
	}()
	b.report(call, change)
	reported = true
}
