package dialx

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// DNSCache configures the cache of answers that [WithCache] gives a
// [Resolve] or a [Guard]. Go's resolver does not tell the records' TTL, so
// an answer is kept for a time of your choosing. Fields left at zero take
// the defaults; a negative FailureTTL or Stale means none.
//
// The cache it configures belongs to the one Resolve or Guard built with it.
// A DNSCache is a plain value, safe for concurrent use by multiple goroutines
// as long as none modifies it.
type DNSCache struct {
	// TTL is how long an answer is used without asking the resolver again
	// (default 1 minute).
	TTL time.Duration
	// FailureTTL is how long a failed lookup is remembered, its error
	// returned without asking again, so that a failing resolver is not
	// asked once per dial (default 1 second).
	FailureTTL time.Duration
	// Stale is how long past its TTL an answer is still used when the
	// resolver fails to give a new one: it answers with an error, or not
	// before the deadline of the dial that asked (default 5 minutes).
	Stale time.Duration
	// Names is how many names are kept; past it, the least recently used is
	// dropped (default 1024).
	Names int
}

// WithCache makes a [Resolve] or a [Guard] keep the answers of its Resolver
// as cache says: an answer younger than cache.TTL is used without a lookup,
// and the dials that need a lookup of one name at the same time share one.
// A dial whose ctx ends stops waiting for the shared lookup, which goes on
// for the others and is cancelled when none waits any more; it lasts no
// longer than the deadline of the dial that started it, and the dials still
// waiting then start another. Hits, misses and stale answers are traced as
// Events with Op "resolve".
//
// A cached answer is an answer, not a decision: behind a Guard or over a
// [Selective] of IP rules, every address is checked again on every dial.
// It panics if cache.TTL or cache.Names is negative.
func WithCache(cache DNSCache) Option {
	if cache.TTL < 0 {
		panic(fmt.Sprintf("dialx: WithCache: TTL must be >= 0, got %v", cache.TTL))
	}
	if cache.Names < 0 {
		panic(fmt.Sprintf("dialx: WithCache: Names must be >= 0, got %d", cache.Names))
	}
	if cache.TTL == 0 {
		cache.TTL = time.Minute
	}
	if cache.FailureTTL == 0 {
		cache.FailureTTL = time.Second
	}
	if cache.Stale == 0 {
		cache.Stale = 5 * time.Minute
	}
	if cache.Names == 0 {
		cache.Names = 1024
	}
	return &option{name: "WithCache", to: takenByResolve | takenByGuard,
		set: func(s *settings) { s.cache = &cache }}
}

// lookupFunc looks a host up and returns its addresses in the order to
// dial them, never none without an error.
type lookupFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

// dnsCache keeps the answers of a lookupFunc, least recently used first
// out, and shares the lookups of one name in flight.
type dnsCache struct {
	config DNSCache
	lookup lookupFunc

	mu      sync.Mutex
	entries map[cacheKey]*list.Element // of *cacheEntry
	order   list.List                  // most recently used first
	calls   map[cacheKey]*sharedLookup
}

// cacheKey is a lookup: its network ("ip", "ip4", "ip6") and its host.
type cacheKey struct{ network, host string }

// cacheEntry is what the cache knows of a name: its last answer, and the
// failure of a later lookup, if any.
type cacheEntry struct {
	key      cacheKey
	addrs    []netip.Addr // nil until a lookup succeeds
	answered time.Time
	err      error // the last lookup's failure, nil if it succeeded
	failed   time.Time
}

func newDNSCache(config DNSCache, lookup lookupFunc) *dnsCache {
	return &dnsCache{config: config, lookup: lookup,
		entries: make(map[cacheKey]*list.Element), calls: make(map[cacheKey]*sharedLookup)}
}

// addresses returns the addresses of host for a dial of address over
// network: from the cache, or from a lookup that it shares with the other
// dials that need it now.
func (c *dnsCache) addresses(ctx context.Context, network, address, host string) ([]netip.Addr, error) {
	key := cacheKey{network: ipNetwork(network), host: host}
	start := time.Now()
	for {
		now := time.Now()
		c.mu.Lock()
		if element, ok := c.entries[key]; ok {
			c.order.MoveToFront(element)
			e := element.Value.(*cacheEntry)
			// Read under mu: a lookup that ends records into e.
			addrs, age, err, failedAge := e.addrs, now.Sub(e.answered), e.err, now.Sub(e.failed)
			switch {
			case addrs != nil && err == nil && age < c.config.TTL:
				c.mu.Unlock()
				traceCache(ctx, "hit", network, address, host, age, nil)
				return addrs, nil
			case err != nil && failedAge < c.config.FailureTTL:
				c.mu.Unlock()
				if addrs != nil && age < c.config.TTL+c.config.Stale {
					traceCache(ctx, "stale", network, address, host, age, err)
					return addrs, nil
				}
				traceCache(ctx, "hit", network, address, host, failedAge, err)
				return nil, err
			}
		}
		call, started := c.calls[key], false
		if call == nil {
			call, started = c.start(ctx, key), true
		}
		call.waiters++
		c.mu.Unlock()

		select {
		case <-call.done:
		case <-ctx.Done():
			c.leave(key, call)
			traceCache(ctx, "miss", network, address, host, time.Since(start), ctx.Err())
			return nil, ctx.Err()
		}
		call.raise()
		if call.stale {
			traceCache(ctx, "stale", network, address, host, call.age, call.err)
			return call.addrs, nil
		}
		if call.cut && !expired(ctx) {
			// The lookup ran out of the time of the dial that started
			// it, and this one has time left: it looks up again.
			continue
		}
		if t := ContextTrace(ctx); t != nil {
			n := 0
			if started {
				n = 1
			}
			t(ctx, Event{Op: "resolve", Kind: "miss", Network: network, Address: address,
				N: n, Elapsed: time.Since(start), Detail: host, Err: call.err})
		}
		if call.err != nil {
			return nil, call.err
		}
		return call.addrs, nil
	}
}

// traceCache reports a cache event to ctx's Trace, if it has one.
func traceCache(ctx context.Context, kind, network, address, host string, elapsed time.Duration, err error) {
	if t := ContextTrace(ctx); t != nil {
		t(ctx, Event{Op: "resolve", Kind: kind, Network: network, Address: address,
			Elapsed: elapsed, Detail: host, Err: err})
	}
}

// start begins the lookup of key on a goroutine of its own, under a ctx
// that keeps the values and the deadline of ctx but not its cancellation:
// the lookup is the shared one, cancelled only when no dial waits for it
// any more, and it lasts no longer than the dial that started it would
// have waited alone, so that a lookup that hangs does not hold every later
// dial while they keep joining it. c.mu is held.
func (c *dnsCache) start(ctx context.Context, key cacheKey) *sharedLookup {
	lookupCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if deadline, ok := ctx.Deadline(); ok {
		lookupCtx, cancel = context.WithDeadline(context.WithoutCancel(ctx), deadline)
	}
	call := &sharedLookup{done: make(chan struct{}), cancel: cancel}
	c.calls[key] = call
	go c.run(lookupCtx, key, call)
	return call
}

// errResolverGoexit is the failure of a lookup whose Resolver ended its
// goroutine with runtime.Goexit instead of returning.
var errResolverGoexit = errors.New("Resolver ended its goroutine without returning")

// run makes the lookup of call, records its outcome and hands it to the
// dials that wait for it.
func (c *dnsCache) run(ctx context.Context, key cacheKey, call *sharedLookup) {
	var returned bool
	defer func() {
		if v := recover(); v != nil {
			call.panicked = &innerPanic{value: v}
		} else if !returned {
			call.err = errResolverGoexit
		}
		// A lookup that failed once its ctx ended failed for want of
		// time: past its deadline, the resolver did not answer in time
		// (the last dial may have left at that moment, cancelling it);
		// cancelled before, nobody waits for it.
		call.cut = returned && call.err != nil && ctx.Err() != nil
		deadline, bounded := ctx.Deadline()
		late := bounded && !time.Now().Before(deadline)
		c.mu.Lock()
		if returned && (!call.cut || late) {
			c.record(key, call)
		}
		if c.calls[key] == call {
			delete(c.calls, key)
		}
		c.mu.Unlock()
		call.cancel()
		close(call.done)
	}()
	call.addrs, call.err = c.lookup(ctx, key.network, key.host)
	returned = true
}

// record keeps the outcome of call, a lookup of key that was not
// cancelled, and turns a failure into a stale answer if the cache has one
// young enough. A lookup cut at its deadline is kept only then: its error
// would otherwise fail dials that have the time to wait for a lookup.
// c.mu is held.
func (c *dnsCache) record(key cacheKey, call *sharedLookup) {
	now := time.Now()
	element, ok := c.entries[key]
	if call.cut && (!ok || !c.servesStale(element.Value.(*cacheEntry), now)) {
		return
	}
	if !ok {
		if call.err != nil && c.config.FailureTTL < 0 {
			// A failure not kept, of a name with no answer to serve
			// stale: an entry would only push a useful one out.
			return
		}
		element = c.order.PushFront(&cacheEntry{key: key})
		c.entries[key] = element
		if c.order.Len() > c.config.Names {
			oldest := c.order.Back()
			c.order.Remove(oldest)
			delete(c.entries, oldest.Value.(*cacheEntry).key)
		}
	}
	e := element.Value.(*cacheEntry)
	if call.err == nil {
		e.addrs, e.answered, e.err = call.addrs, now, nil
		return
	}
	e.err, e.failed = call.err, now
	if c.config.FailureTTL < 0 {
		e.failed = time.Time{} // kept for a stale answer only
	}
	if c.servesStale(e, now) {
		call.addrs, call.stale, call.age = e.addrs, true, now.Sub(e.answered)
	}
}

// servesStale reports whether e has an answer young enough to serve stale.
func (c *dnsCache) servesStale(e *cacheEntry, now time.Time) bool {
	return e.addrs != nil && now.Sub(e.answered) < c.config.TTL+c.config.Stale
}

// leave takes a dial whose ctx ended off the waiters of call, and cancels
// the lookup when it was the last.
func (c *dnsCache) leave(key cacheKey, call *sharedLookup) {
	c.mu.Lock()
	defer c.mu.Unlock()
	call.waiters--
	if call.waiters == 0 {
		call.cancel()
		if c.calls[key] == call {
			// The next dial starts afresh rather than joining a
			// cancelled lookup.
			delete(c.calls, key)
		}
	}
}

// sharedLookup is a lookup in flight and the dials that wait for it. Its
// outcome fields are written before done is closed and only read after.
type sharedLookup struct {
	done    chan struct{}
	cancel  context.CancelFunc
	waiters int // under the cache's mu

	addrs    []netip.Addr
	err      error
	stale    bool          // addrs is a stale answer, given because of err
	age      time.Duration // of a stale answer
	cut      bool          // it failed once its ctx ended: its deadline, or no dial waits
	panicked *innerPanic
}

// raise panics with the value the lookup panicked with, if it did, on the
// goroutine of a dial that waited for it.
func (s *sharedLookup) raise() {
	if s.panicked != nil {
		panic(s.panicked.value)
	}
}
