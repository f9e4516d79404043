package dialx_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// upstream is a Dialer that dials its own address whatever it is asked
// for, as a proxy would: two upstreams are two Dialers a Swappable can
// hold, and a pointer to one is comparable, as CloseVia needs.
type upstream struct {
	address string
	net.Dialer
}

func (u *upstream) DialContext(ctx context.Context, network, _ string) (net.Conn, error) {
	return u.Dialer.DialContext(ctx, network, u.address)
}

// stillEchoes reports whether conn still carries bytes both ways.
func stillEchoes(t *testing.T, conn net.Conn) bool {
	t.Helper()
	if _, err := conn.Write([]byte("ping")); err != nil {
		return false
	}
	buf := make([]byte, 4)
	_, err := io.ReadFull(conn, buf)
	return err == nil && string(buf) == "ping"
}

// dialAll dials each address through d, failing the test on an error.
func dialAll(t *testing.T, d dialx.Dialer, addresses ...string) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, len(addresses))
	for i, address := range addresses {
		conn, err := d.DialContext(t.Context(), "tcp", address)
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		conns[i] = conn
	}
	return conns
}

// assertCut asserts that conn was closed on this side: its use fails with
// net.ErrClosed.
func assertCut(t *testing.T, conn net.Conn) {
	t.Helper()
	_, err := conn.Write([]byte("x"))
	assert.ErrorIs(t, err, net.ErrClosed)
}

func TestTrackerCloseViaCutsTheOldUpstreamAfterASwap(t *testing.T) {
	oldServer, newServer := dialtest.StartEcho(t), dialtest.StartEcho(t)
	old, replacement := &upstream{address: oldServer.Addr()}, &upstream{address: newServer.Addr()}
	swappable := dialx.NewSwappable(old)
	// A decorator between the Tracker and the Swappable: the Tracker still
	// learns which Dialer the Swappable dialed through.
	tracker := dialx.NewTracker(dialx.NewTimeout(swappable, time.Minute))

	before := dialAll(t, tracker, "db:5432", "db:5432")
	assert.Same(t, old, swappable.Swap(replacement))
	after := dialAll(t, tracker, "db:5432")
	require.Equal(t, 3, tracker.Open())

	assert.Equal(t, 2, tracker.CloseVia(old))
	for _, conn := range before {
		assertCut(t, conn)
	}
	assert.True(t, stillEchoes(t, after[0]), "the connection through the new upstream must go on")
	assert.Equal(t, 1, tracker.Open())
	assert.Equal(t, 1, tracker.OpenTo("db:5432"))
	assert.Zero(t, tracker.CloseVia(old), "nothing of the old upstream is left")
}

func TestTrackerCloseToCutsOneDestination(t *testing.T) {
	a, b := dialtest.StartEcho(t), dialtest.StartEcho(t)
	tracker := dialx.NewTracker(&net.Dialer{})
	conns := dialAll(t, tracker, a.Addr(), b.Addr(), a.Addr())
	assert.Equal(t, map[string]int{a.Addr(): 2, b.Addr(): 1}, maps.Collect(tracker.Destinations()))

	assert.Equal(t, 2, tracker.CloseTo(a.Addr()))
	assertCut(t, conns[0])
	assertCut(t, conns[2])
	assert.True(t, stillEchoes(t, conns[1]))
	assert.Equal(t, map[string]int{b.Addr(): 1}, maps.Collect(tracker.Destinations()))
	assert.Zero(t, tracker.OpenTo(a.Addr()))
	assert.Zero(t, tracker.CloseTo("nowhere:1"))
}

func TestTrackerCloseAllCutsEverything(t *testing.T) {
	a, b := dialtest.StartEcho(t), dialtest.StartEcho(t)
	tracker := dialx.NewTracker(&net.Dialer{})
	conns := dialAll(t, tracker, a.Addr(), b.Addr())

	assert.Equal(t, 2, tracker.CloseAll())
	for _, conn := range conns {
		assertCut(t, conn)
		assert.ErrorIs(t, conn.Close(), net.ErrClosed, "a second Close reports the first")
	}
	assert.Zero(t, tracker.Open())
	assert.Empty(t, maps.Collect(tracker.Destinations()))
}

func TestTrackerForgetsConnectionsTheirUsersClose(t *testing.T) {
	server := dialtest.StartEcho(t)
	tracker := dialx.NewTracker(&net.Dialer{})
	conns := dialAll(t, tracker, server.Addr(), server.Addr())

	require.NoError(t, conns[0].Close())
	assert.Equal(t, 1, tracker.Open())
	assert.Equal(t, 1, tracker.OpenTo(server.Addr()))
	assert.Error(t, conns[0].Close(), "the second Close is the inner connection's")
	assert.Equal(t, 1, tracker.Open(), "a second Close must not count twice")

	require.NoError(t, conns[1].Close())
	assert.Zero(t, tracker.Open())
	assert.Zero(t, tracker.OpenTo(server.Addr()))
	assert.Empty(t, maps.Collect(tracker.Destinations()))
	assert.Zero(t, tracker.CloseAll(), "a closed connection is not closed again")
}

func TestTrackerCutsADialInFlight(t *testing.T) {
	server := dialtest.StartEcho(t)
	started, release := make(chan struct{}), make(chan struct{})
	var inner net.Conn
	slow := &upstream{address: server.Addr()}
	tracker := dialx.NewTracker(dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		close(started)
		<-release
		conn, err := slow.DialContext(ctx, network, address)
		inner = conn
		return conn, err
	}))
	done := make(chan error)
	go func() {
		_, err := tracker.DialContext(t.Context(), "tcp", "db:5432")
		done <- err
	}()
	<-started
	assert.Zero(t, tracker.CloseTo("db:5432"), "a dial in flight is cut, uncounted")
	close(release)

	err := <-done
	assert.ErrorIs(t, err, net.ErrClosed)
	var dialErr *dialx.DialError
	require.ErrorAs(t, err, &dialErr)
	assert.Equal(t, "tracker", dialErr.Op)
	assertCut(t, inner)
	assert.Zero(t, tracker.Open())
}

func TestTrackerPassesFailuresOnAndKeepsNothing(t *testing.T) {
	refused := errors.New("connection refused")
	for _, tc := range []struct {
		name  string
		inner dialx.DialerFunc
		want  error
	}{
		{"an error", dialtest.Failing(refused), refused},
		{"no connection and no error", func(context.Context, string, string) (net.Conn, error) { return nil, nil }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tracker := dialx.NewTracker(tc.inner)
			conn, err := tracker.Dial("tcp", "db:5432")
			assert.Nil(t, conn)
			require.Error(t, err)
			if tc.want != nil {
				assert.Same(t, tc.want, err, "an inner error passes unchanged")
			}
			assert.Empty(t, maps.Collect(tracker.Destinations()))
			assert.Zero(t, tracker.CloseAll(), "a failed dial leaves nothing behind")
		})
	}
}

func TestTrackerKeepsHalfCloseAndTheInnerConnection(t *testing.T) {
	server := dialtest.StartEcho(t)
	conn := dialAll(t, dialx.NewTracker(&net.Dialer{}), server.Addr())[0]

	half, ok := conn.(interface{ CloseWrite() error })
	require.True(t, ok, "a TCP connection's wrapper must half-close")
	_, err := conn.Write([]byte("bye"))
	require.NoError(t, err)
	require.NoError(t, half.CloseWrite())
	got, err := io.ReadAll(conn)
	require.NoError(t, err, "the echo server sees EOF and stops: the write side alone was closed")
	assert.Equal(t, "bye", string(got))

	inner := conn.(interface{ NetConn() net.Conn }).NetConn()
	assert.IsType(t, &net.TCPConn{}, inner)

	piped := dialAll(t, dialx.NewTracker(dialx.DialerFunc(dialtest.Instant())), "x:1")[0]
	_, ok = piped.(interface{ CloseWrite() error })
	assert.False(t, ok, "a connection that cannot half-close must not claim it can")
}

// TestTrackerConnKeepsDeadlinesAndAddresses: the wrapper's other methods
// are the inner connection's: a read deadline times the read out as a
// net.Error, and the addresses are the socket's.
func TestTrackerConnKeepsDeadlinesAndAddresses(t *testing.T) {
	server := dialtest.StartEcho(t)
	conn := dialAll(t, dialx.NewTracker(&net.Dialer{}), server.Addr())[0]
	inner := conn.(interface{ NetConn() net.Conn }).NetConn()
	assert.Equal(t, inner.LocalAddr(), conn.LocalAddr())
	assert.Equal(t, server.Addr(), conn.RemoteAddr().String())

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Millisecond)))
	_, err := conn.Read(make([]byte, 1))
	var netErr net.Error
	require.ErrorAs(t, err, &netErr)
	assert.True(t, netErr.Timeout(), "nothing was sent: the read times out")
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

func TestTrackerWithKeyGroupsDestinations(t *testing.T) {
	server := dialtest.StartEcho(t)
	host := func(_, address string) string {
		h, _, _ := net.SplitHostPort(address)
		return h
	}
	tracker := dialx.NewTracker(&upstream{address: server.Addr()}, dialx.WithKey(host))
	dialAll(t, tracker, "db:1", "db:2", "cache:1")

	assert.Equal(t, 2, tracker.OpenTo("db"))
	assert.Equal(t, 2, tracker.CloseTo("db"))
	assert.Equal(t, 1, tracker.Open())
}

func TestTrackerConcurrentDialsAndCuts(t *testing.T) {
	servers := []*dialtest.EchoServer{dialtest.StartEcho(t), dialtest.StartEcho(t)}
	old := &upstream{address: servers[0].Addr()}
	swappable := dialx.NewSwappable(old)
	tracker := dialx.NewTracker(swappable)

	const dialers, dials = 8, 20
	var wg sync.WaitGroup
	for i := range dialers {
		wg.Go(func() {
			for range dials {
				conn, err := tracker.DialContext(t.Context(), "tcp", servers[i%2].Addr())
				if errors.Is(err, net.ErrClosed) {
					continue // cut in flight
				}
				if !assert.NoError(t, err) {
					return
				}
				conn.Write([]byte("x"))
				conn.Close()
			}
		})
	}
	wg.Go(func() {
		for i := range dials {
			switch i % 3 {
			case 0:
				tracker.CloseAll()
			case 1:
				tracker.CloseTo(servers[0].Addr())
			case 2:
				tracker.CloseVia(swappable.Swap(&upstream{address: servers[1].Addr()}))
			}
			for range tracker.Destinations() {
			}
		}
	})
	wg.Wait()
	assert.Zero(t, tracker.Open())
	assert.Empty(t, maps.Collect(tracker.Destinations()), "every connection closed has left the bookkeeping")
}

func TestTrackerPanics(t *testing.T) {
	tracker := dialx.NewTracker(&net.Dialer{})
	assert.PanicsWithValue(t, "dialx: NewTracker: d must not be nil, got nil", func() { dialx.NewTracker(nil) })
	assert.PanicsWithValue(t, "dialx: Tracker.CloseVia: d must not be nil, got nil", func() { tracker.CloseVia(nil) })
	assert.PanicsWithValue(t, "dialx: Tracker.CloseVia: d must be comparable, got dialx.DialerFunc",
		func() { tracker.CloseVia(dialx.DialerFunc(dialtest.Instant())) })
}

// viaField is a Dialer of a comparable type whose value may not be
// comparable: its field can hold a DialerFunc.
type viaField struct{ inner dialx.Dialer }

func (v viaField) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return v.inner.DialContext(ctx, network, address)
}

// TestTrackerCloseViaRefusesAValueThatCannotBeCompared: a Dialer whose type
// is comparable but whose value holds a function cannot be cut by; CloseVia
// says so before it looks at a connection, and the Tracker goes on working.
func TestTrackerCloseViaRefusesAValueThatCannotBeCompared(t *testing.T) {
	pipe := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		conn, _ := net.Pipe()
		return conn, nil
	})
	old := viaField{pipe}
	tracker := dialx.NewTracker(dialx.NewSwappable(old))
	dialAll(t, tracker, "db:5432")

	assert.PanicsWithValue(t, "dialx: Tracker.CloseVia: d must be comparable, got dialx_test.viaField",
		func() { tracker.CloseVia(old) })
	dialed := make(chan error)
	go func() {
		conn, err := tracker.Dial("tcp", "db:5432")
		if err == nil {
			conn.Close()
		}
		dialed <- err
	}()
	select {
	case err := <-dialed:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("a dial hangs: the panic left a shard locked")
	}
	assert.Equal(t, 1, tracker.Open())
}

func TestTrackerUnwrapsToItsDialer(t *testing.T) {
	inner := &net.Dialer{}
	tracker := dialx.NewTracker(inner)
	assert.Equal(t, []dialx.Dialer{inner}, tracker.Unwrap())
}

// gatedUpstream is an upstream whose dials wait for release once started.
type gatedUpstream struct {
	upstream
	started, release chan struct{}
}

func (g *gatedUpstream) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	close(g.started)
	<-g.release
	return g.upstream.DialContext(ctx, network, address)
}

func TestTrackerCloseViaCutsTheOldUpstreamsDialInFlight(t *testing.T) {
	server := dialtest.StartEcho(t)
	old := &gatedUpstream{upstream{address: server.Addr()}, make(chan struct{}), make(chan struct{})}
	swappable := dialx.NewSwappable(old)
	tracker := dialx.NewTracker(swappable)
	done := make(chan error)
	go func() {
		conn, err := tracker.Dial("tcp", "db:5432")
		if err == nil {
			conn.Close()
		}
		done <- err
	}()
	<-old.started
	swappable.Swap(&upstream{address: server.Addr()})
	tracker.CloseVia(old)
	close(old.release)

	assert.ErrorIs(t, <-done, net.ErrClosed, "a dial through the old upstream must not escape the cut")
	assert.Zero(t, tracker.Open())
}

func TestTrackerCutsADestinationWhenItsCircuitOpens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	address := ln.Addr().String()
	accepted := make(chan net.Conn, 1)
	go func() {
		conn, _ := ln.Accept()
		accepted <- conn
	}()
	tracker := dialx.NewTracker(dialx.NewBreaker(&net.Dialer{}, dialx.WithConsecutiveFailures(1)))
	ctx := dialx.WithTrace(t.Context(), func(_ context.Context, e dialx.Event) {
		if e.Op == "breaker" && e.Kind == "state" && e.To == dialx.BreakerOpen {
			tracker.CloseTo(e.Detail)
		}
	})
	conn, err := tracker.DialContext(ctx, "tcp", address)
	require.NoError(t, err)
	defer conn.Close()
	peer := <-accepted
	defer peer.Close()

	ln.Close() // the server goes away: the next dial is refused, and the circuit opens
	_, err = tracker.DialContext(ctx, "tcp", address)
	require.Error(t, err)
	assertCut(t, conn)
	assert.Zero(t, tracker.Open())
}

func TestTrackerAllocatesOnlyTheWrapperOfEachConnection(t *testing.T) {
	tracker := dialx.NewTracker(dialx.DialerFunc(dialtest.Instant()))
	allocs := testing.AllocsPerRun(1000, func() {
		conn, err := tracker.Dial("tcp", "127.0.0.1:80")
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
	})
	assert.Equal(t, 1.0, allocs, "a dial and its Close allocate the wrapper and nothing else")
}

// Under concurrent dials, each Swap followed by CloseVia(old) leaves no
// connection to any old upstream open, whichever point of its dial the Swap
// met.
func TestTrackerLeavesNoConnectionToAnOldUpstreamUnderLoad(t *testing.T) {
	const generations = 6
	upstreams := make([]*upstream, generations)
	for i := range upstreams {
		upstreams[i] = &upstream{address: dialtest.StartEcho(t).Addr()}
	}
	swappable := dialx.NewSwappable(upstreams[0])
	tracker := dialx.NewTracker(swappable)

	var mu sync.Mutex
	var kept []net.Conn
	stop := make(chan struct{})
	var dialers sync.WaitGroup
	var dialing atomic.Int32
	for range 4 {
		dialing.Add(1)
		dialers.Go(func() {
			defer dialing.Add(-1)
			for {
				select {
				case <-stop:
					return
				default:
				}
				conn, err := tracker.Dial("tcp", "app:80")
				if errors.Is(err, net.ErrClosed) {
					continue // cut in flight
				}
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				kept = append(kept, conn)
				mu.Unlock()
			}
		})
	}
	// Lets a few connections through the current upstream.
	waitOpen := func() {
		for tracker.Open() < 4 {
			if dialing.Load() == 0 {
				t.Fatal("the dialers stopped")
			}
			runtime.Gosched()
		}
	}
	for i := 1; i < generations; i++ {
		waitOpen()
		tracker.CloseVia(swappable.Swap(upstreams[i]))
	}
	waitOpen()
	close(stop)
	dialers.Wait()

	// A dial that met a Swap between the Tracker's look and the Swappable's
	// counts as made through the old upstream, though it reached the new
	// one: it may be cut too, so only the connections to old upstreams are
	// all asserted on.
	current := upstreams[generations-1].address
	working := 0
	for _, conn := range kept {
		if conn.RemoteAddr().String() != current {
			assertCut(t, conn)
		} else if stillEchoes(t, conn) {
			working++
		}
		conn.Close()
	}
	assert.GreaterOrEqual(t, working, 4, "those the Tracker counted open after the last cut work")
	assert.Zero(t, tracker.Open())
}
