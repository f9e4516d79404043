package dialx

import (
	"container/list"
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// Limit bounds how many dials through a Dialer are in flight at once: a dial
// that finds every slot taken waits, first come first served, until a dial in
// flight returns (not the connection it made). All dials share one set of
// slots unless [WithKey] gives each key its own, kept while in use.
//
// Use [NewLimit] to make one; the zero value is not usable.
// A Limit is safe for concurrent use by multiple goroutines.
type Limit struct {
	dialer   Dialer
	inFlight int
	key      func(network, address string) string // nil: one shared set of slots

	mu     sync.Mutex
	shared slots
	keyed  map[string]*slots
}

// slots is a FIFO semaphore of unit weight, in the manner of
// golang.org/x/sync/semaphore. Its fields are guarded by Limit.mu.
type slots struct {
	used    int
	waiters list.List // of chan struct{}, closed to hand a slot over
}

// NewLimit returns a Limit that lets at most inFlight dials through d at
// once. It panics if d is nil or inFlight is less than 1.
func NewLimit(d Dialer, inFlight int, opts ...Option) *Limit {
	mustDialer("NewLimit", d)
	if inFlight < 1 {
		panic(fmt.Sprintf("dialx: NewLimit: inFlight must be >= 1, got %d", inFlight))
	}
	var s settings
	s.apply("NewLimit", takenByLimit, opts)
	l := &Limit{dialer: d, inFlight: inFlight, key: s.key}
	if l.key != nil {
		l.keyed = make(map[string]*slots)
	}
	return l
}

// DialContext dials through the inner Dialer once a slot is free.
func (l *Limit) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	key := ""
	if l.key != nil {
		key = l.key(network, address)
	}
	t := ContextTrace(ctx)
	s, err := l.acquire(ctx, t, network, address, key)
	if err != nil {
		return nil, &DialError{Op: "limit", Net: network, Addr: address, Err: err}
	}
	defer l.release(key, s)
	conn, err := dialInnerTraced(ctx, t, l.dialer, network, address)
	return passOn("limit", network, address, conn, err)
}

// Dial is DialContext with [context.Background].
func (l *Limit) Dial(network, address string) (net.Conn, error) {
	return l.DialContext(context.Background(), network, address)
}

// acquire takes a slot of key for a dial of address on network, waiting in
// line for one if needed. A wait is reported to t, if not nil.
func (l *Limit) acquire(ctx context.Context, t Trace, network, address, key string) (*slots, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	s := l.slotsOf(key)
	if s.used < l.inFlight && s.waiters.Len() == 0 {
		s.used++
		l.mu.Unlock()
		return s, nil
	}
	ready := make(chan struct{})
	waiter := s.waiters.PushBack(ready)
	l.mu.Unlock()

	// Every wait starts and ends here.
	var err error
	if t != nil {
		err = l.waitTraced(ctx, t, network, address, key, s, waiter)
	} else {
		err = l.wait(ctx, key, s, waiter)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// waitTraced is wait with the wait reported to t. Should t panic, the dial
// leaves the line, or passes on the slot it was handed, on the way out, so
// that no slot is lost to it.
func (l *Limit) waitTraced(ctx context.Context, t Trace, network, address, key string, s *slots, waiter *list.Element) error {
	holding := true // a place in line, or the slot a release handed over
	defer func() {
		if holding {
			l.leave(key, s, waiter)
		}
	}()
	done := traceLimitWait(ctx, t, network, address)
	err := l.wait(ctx, key, s, waiter)
	if err != nil {
		holding = false // wait left the line or passed the slot on itself
	}
	done(err)
	holding = false
	return err
}

// wait waits until a release hands the slot to waiter or ctx ends; in the
// latter case the waiter leaves the queue, or passes the slot on if it got
// one at the same moment.
func (l *Limit) wait(ctx context.Context, key string, s *slots, waiter *list.Element) error {
	ready := waiter.Value.(chan struct{})
	select {
	case <-ready:
		if err := ctx.Err(); err != nil {
			// Woken and cancelled at once: pass the slot on.
			l.release(key, s)
			return l.waitError(err)
		}
		return nil
	case <-ctx.Done():
		l.leave(key, s, waiter)
		return l.waitError(ctx.Err())
	}
}

// leave takes waiter out of the line, or passes on the slot a release
// handed it meanwhile.
func (l *Limit) leave(key string, s *slots, waiter *list.Element) {
	ready := waiter.Value.(chan struct{})
	l.mu.Lock()
	select {
	case <-ready:
		l.mu.Unlock()
		l.release(key, s)
	default:
		s.waiters.Remove(waiter)
		l.forgetIfIdle(key, s)
		l.mu.Unlock()
	}
}

// release frees a slot of key, handing it straight to the first waiter if
// there is one.
func (l *Limit) release(key string, s *slots) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if first := s.waiters.Front(); first != nil {
		close(s.waiters.Remove(first).(chan struct{}))
		return
	}
	s.used--
	l.forgetIfIdle(key, s)
}

// slotsOf returns the slots of key, made on first use. l.mu must be held.
func (l *Limit) slotsOf(key string) *slots {
	if l.keyed == nil {
		return &l.shared
	}
	s := l.keyed[key]
	if s == nil {
		s = &slots{}
		l.keyed[key] = s
	}
	return s
}

// forgetIfIdle drops the slots of a key that nobody uses or waits for, so
// that the map only holds keys with dials under way. l.mu must be held.
func (l *Limit) forgetIfIdle(key string, s *slots) {
	if l.keyed != nil && s.used == 0 && s.waiters.Len() == 0 {
		delete(l.keyed, key)
	}
}

func (l *Limit) waitError(ctxErr error) error {
	return &limitWaitError{inFlight: l.inFlight, err: ctxErr}
}

// limitWaitError says that a dial gave up waiting for a slot.
type limitWaitError struct {
	inFlight int
	err      error
}

func (e *limitWaitError) Error() string {
	return "gave up waiting for one of " + strconv.Itoa(e.inFlight) + " dials in flight: " + e.err.Error()
}

func (e *limitWaitError) Unwrap() error { return e.err }

// traceLimitWait reports the start of a wait for a slot to t and returns
// the function that reports its end, with the error that ended it if any.
func traceLimitWait(ctx context.Context, t Trace, network, address string) func(error) {
	t(ctx, Event{Op: "limit", Kind: "wait", Network: network, Address: address})
	start := time.Now()
	return func(err error) {
		t(ctx, Event{Op: "limit", Kind: "waited", Network: network, Address: address, Elapsed: time.Since(start), Err: err})
	}
}
