package dialx

// transition is a change of state of a circuit; made is false for none.
type transition struct {
	from, to BreakerState
	made     bool
}

// changed queues a change of state of c for the callback and returns it,
// for report to pass on once c.mu is released. c.mu must be held, so that
// the changes of one circuit are queued in the order they were made.
func (b *Breaker) changed(c *circuit, from, to BreakerState) transition {
	if c.forgotten {
		return transition{}
	}
	change := transition{from: from, to: to, made: true}
	if b.cfg.onChange != nil {
		c.pending = append(c.pending, change)
	}
	return change
}

// report passes on a change of c that call made: the callback gets the
// changes queued so far, in order, and call's Trace gets this one. c.mu
// must not be held.
func (b *Breaker) report(call breakerCall, c *circuit, change transition) {
	if !change.made {
		return
	}
	if b.cfg.onChange != nil {
		b.deliver(call.key, c)
	}
	if call.trace != nil {
		call.trace(call.ctx, Event{Op: "breaker", Kind: "state", Network: call.network, Address: call.address,
			Detail: call.key, From: change.from, To: change.to})
	}
}

// deliver passes c's queued changes to the callback, one at a time and in
// order, without holding c.mu. If another goroutine is delivering already,
// it will pass on the changes queued meanwhile, so this one returns; if
// the callback panics, the next change delivers the rest.
func (b *Breaker) deliver(key string, c *circuit) {
	c.mu.Lock()
	if c.delivering {
		c.mu.Unlock()
		return
	}
	c.delivering = true
	locked := true
	defer func() {
		if !locked {
			c.mu.Lock()
		}
		c.delivering = false
		c.mu.Unlock()
	}()
	for len(c.pending) > 0 {
		change := c.pending[0]
		c.pending = c.pending[1:]
		if len(c.pending) == 0 {
			c.pending = nil
		}
		c.mu.Unlock()
		locked = false
		b.cfg.onChange(key, change.from, change.to)
		c.mu.Lock()
		locked = true
	}
}

// reportProbe reports the change that made call the probe of c. If a hook
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
	b.report(call, c, change)
	reported = true
}
