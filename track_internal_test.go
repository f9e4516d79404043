package dialx

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

// entries counts what t's bookkeeping holds: connections open or in
// flight, and destinations.
func (t *Tracker) entries() (conns, destinations int) {
	for i := range t.shards {
		shard := &t.shards[i]
		shard.mu.Lock()
		conns += len(shard.conns)
		destinations += len(shard.destinations)
		shard.mu.Unlock()
	}
	return conns, destinations
}

func TestTrackerBookkeepingHoldsOnlyWhatIsOpenOrInFlight(t *testing.T) {
	panicking := DialerFunc(func(context.Context, string, string) (net.Conn, error) { panic("inner") })
	tracker := NewTracker(panicking)
	assert.PanicsWithValue(t, "inner", func() { tracker.Dial("tcp", "a:1") })
	conns, destinations := tracker.entries()
	assert.Zero(t, conns, "a panicking dial must not stay in flight forever")
	assert.Zero(t, destinations)

	piped := NewTracker(DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		conn, _ := net.Pipe()
		return conn, nil
	}))
	var open []net.Conn
	for i := range 100 {
		conn, err := piped.Dial("tcp", string(rune('a'+i%26))+":1")
		assert.NoError(t, err)
		open = append(open, conn)
	}
	conns, destinations = piped.entries()
	assert.Equal(t, 100, conns)
	assert.Equal(t, 26, destinations)
	for _, conn := range open {
		conn.Close()
	}
	conns, destinations = piped.entries()
	assert.Zero(t, conns)
	assert.Zero(t, destinations, "a destination with nothing left is forgotten")
}
