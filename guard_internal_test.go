package dialx

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hookedDialer digs out the copy of a *net.Dialer that a Guard dials
// through: the last rule of the Selective behind its Resolve.
func hookedDialer(t *testing.T, g *Guard) *net.Dialer {
	t.Helper()
	resolve := g.rules.dialer(g.rules.table.Len() - 1).(*Resolve)
	checked := resolve.dialer.(*Selective)
	d, ok := checked.dialer(checked.table.Len() - 1).(*net.Dialer)
	require.True(t, ok, "the base of a Guard over a *net.Dialer is a *net.Dialer")
	return d
}

// TestGuardHookRefusesBeforeConnecting dials a loopback listener straight
// through the net.Dialer copy a Guard made: the hook refuses the address
// before the connection is made, ahead of the caller's own hook, which
// still runs for the addresses the Guard allows.
func TestGuardHookRefusesBeforeConnecting(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conn.Close()
		}
	}()

	var ownCalls atomic.Int32
	own := &net.Dialer{ControlContext: func(context.Context, string, string, syscall.RawConn) error {
		ownCalls.Add(1)
		return nil
	}}
	g, err := NewGuard(own)
	require.NoError(t, err)
	hooked := hookedDialer(t, g)
	assert.NotSame(t, own, hooked)

	_, err = hooked.DialContext(context.Background(), "tcp", listener.Addr().String())
	require.ErrorIs(t, err, ErrRejected)
	assert.Contains(t, err.Error(), "not a public address: 127.0.0.0/8 is Loopback")
	assert.Zero(t, ownCalls.Load(), "the Guard's check comes first")

	require.NoError(t, hooked.ControlContext(context.Background(), "tcp4", "8.8.8.8:53", nil))
	assert.Equal(t, int32(1), ownCalls.Load(), "the caller's hook runs for allowed addresses")

	listener.Close()
	<-done
	assert.Zero(t, accepted.Load(), "no connection reached the listener")

	plain := &net.Dialer{Control: func(string, string, syscall.RawConn) error { return errors.New("own refusal") }}
	g, err = NewGuard(plain)
	require.NoError(t, err)
	err = hookedDialer(t, g).ControlContext(context.Background(), "tcp4", "8.8.8.8:53", nil)
	assert.EqualError(t, err, "own refusal", "a Control hook is kept too")
}

// TestGuardUsesTheNetDialersResolver: a *net.Dialer base with a Resolver of
// its own has its names looked up there, unless WithResolver names another.
func TestGuardUsesTheNetDialersResolver(t *testing.T) {
	own := &net.Resolver{}
	g, err := NewGuard(&net.Dialer{Resolver: own})
	require.NoError(t, err)
	resolve := g.rules.dialer(g.rules.table.Len() - 1).(*Resolve)
	assert.Same(t, own, resolve.resolver)

	other := &net.Resolver{}
	g, err = NewGuard(&net.Dialer{Resolver: own}, WithResolver(other))
	require.NoError(t, err)
	resolve = g.rules.dialer(g.rules.table.Len() - 1).(*Resolve)
	assert.Same(t, other, resolve.resolver)
}
