package dialx

import (
	"fmt"
	"net"
	"reflect"
)

// CloseAll closes every connection t handed out that is still open, and
// returns how many it closed. The connections of dials in flight are closed
// as they arrive, uncounted.
func (t *Tracker) CloseAll() int {
	return t.close(nil, func(*trackedConn) bool { return true })
}

// CloseTo closes the connections to destination (an address, or a key of
// [WithKey]), as CloseAll does. Given the Detail of a [Breaker]'s "state"
// [Event] whose To is [BreakerOpen], it cuts the destination whose circuit
// opened, if the Tracker keys destinations as the Breaker does.
func (t *Tracker) CloseTo(destination string) int {
	return t.close(t.shard(destination), func(c *trackedConn) bool { return c.key == destination })
}

// CloseVia closes the connections made through d, as CloseAll does: after
// a [Swappable.Swap], the Dialer it returned. It panics if d is nil or not
// comparable, as a [DialerFunc] is not, nor a struct holding one: a Dialer
// to cut by must be comparable, a pointer for instance.
func (t *Tracker) CloseVia(d Dialer) int {
	if isNilDialer(d) {
		panic("dialx: Tracker.CloseVia: d must not be nil, got nil")
	}
	// A comparable d never panics in ==: a stored Dialer of another type, or
	// holding a value of another type, compares unequal without its values
	// being looked at. The value is checked, not only its type, as a struct
	// may hold a function in an interface field; == would then panic with
	// a shard's lock held.
	if !reflect.ValueOf(d).Comparable() {
		panic(fmt.Sprintf("dialx: Tracker.CloseVia: d must be comparable, got %T", d))
	}
	return t.close(nil, func(c *trackedConn) bool { return c.via == d })
}

// close closes the connections of shard (of every shard if nil) that match
// selects. Each leaves the bookkeeping under the lock, so that the counts
// are right when close returns, and is closed after it is released.
func (t *Tracker) close(only *trackerShard, selects func(*trackedConn) bool) int {
	var conns []net.Conn
	for i := range t.shards {
		shard := &t.shards[i]
		if only != nil && shard != only {
			continue
		}
		shard.mu.Lock()
		for c := range shard.conns {
			switch {
			case !selects(c):
			case c.Conn == nil:
				// In flight: DialContext closes its connection.
				c.cut = true
			case c.closed.CompareAndSwap(false, true):
				shard.leave(c)
				conns = append(conns, c.Conn)
			}
		}
		shard.mu.Unlock()
	}
	for _, conn := range conns {
		conn.Close()
	}
	return len(conns)
}
