package dialx_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// byAddress is an inner Dialer that plays, for each IP address a Resolve
// dials, the racer scripted for it.
type byAddress map[string]dialx.Dialer

func newByAddress(epoch time.Time, racers map[string]*racer) byAddress {
	d := make(byAddress)
	for address, r := range racers {
		d[address] = r.dialer(epoch)
	}
	return d
}

func (d byAddress) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	r := d[address]
	if r == nil {
		return nil, errors.New("no racer for " + address)
	}
	return r.DialContext(ctx, network, address)
}

// answer is a Resolver that gives ips for every name.
func answer(ips ...string) dialx.Option {
	return dialx.WithResolver(resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
		return addrs(ips...), nil
	}))
}

// The case that made Resolve race: the first address never answers and the
// second is live. Tried in turn with the caller's whole ctx, the dial failed
// when ctx ended; raced, it connects one attempt delay after it began.
func TestResolveDeadFirstAddressDoesNotStall(t *testing.T) {
	tests := []struct {
		name  string
		opts  []dialx.Option
		after time.Duration
	}{
		{name: "default delay", after: 250 * time.Millisecond},
		{name: "WithStagger", opts: []dialx.Option{dialx.WithStagger(40 * time.Millisecond)}, after: 40 * time.Millisecond},
		{name: "WithStagger(0) starts every address at once", opts: []dialx.Option{dialx.WithStagger(0)}, after: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				epoch := time.Now()
				dead, live := &racer{wait: time.Hour}, &racer{}
				inner := newByAddress(epoch, map[string]*racer{"192.0.2.1:443": dead, "127.0.0.1:443": live})
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				defer cancel()
				r := dialx.NewResolve(inner, append(tt.opts, answer("192.0.2.1", "127.0.0.1"))...)
				conn, err := r.DialContext(ctx, "tcp", "svc.example:443")
				require.NoError(t, err)
				assert.Equal(t, tt.after, time.Since(epoch))
				assert.Same(t, live.conn, conn)
				conn.Close()
				synctest.Wait()
				assert.True(t, dead.cancelled, "the dead address's attempt is cancelled")
			})
		})
	}
}

func TestResolveFailureStartsTheNextAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := time.Now()
		first := &racer{wait: 100 * time.Millisecond, err: errRefused}
		second := &racer{wait: 10 * time.Millisecond, err: errRefused}
		third := &racer{wait: 10 * time.Millisecond}
		inner := newByAddress(epoch, map[string]*racer{"192.0.2.1:80": first, "192.0.2.2:80": second, "192.0.2.3:80": third})
		conn, err := dialx.NewResolve(inner, answer("192.0.2.1", "192.0.2.2", "192.0.2.3")).
			DialContext(t.Context(), "tcp", "svc.example:80")
		require.NoError(t, err)
		conn.Close()
		assert.Equal(t, 120*time.Millisecond, time.Since(epoch))
		assert.Equal(t, []time.Duration{0, 100 * time.Millisecond, 110 * time.Millisecond},
			[]time.Duration{first.started(), second.started(), third.started()})
	})
}

func TestResolveCancelsLosersAndClosesLateConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epoch := time.Now()
		honest := &racer{wait: time.Hour}
		stubborn := &racer{wait: time.Second, ignoreCtx: true}
		quick := &racer{wait: 10 * time.Millisecond}
		unstarted := &racer{}
		inner := newByAddress(epoch, map[string]*racer{
			"192.0.2.1:80": honest, "192.0.2.2:80": stubborn, "192.0.2.3:80": quick, "192.0.2.4:80": unstarted,
		})
		r := dialx.NewResolve(inner, answer("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"),
			dialx.WithStagger(100*time.Millisecond))
		conn, err := r.DialContext(t.Context(), "tcp", "svc.example:80")
		require.NoError(t, err)
		assert.Same(t, quick.conn, conn)
		assert.Equal(t, 210*time.Millisecond, time.Since(epoch))
		conn.Close()

		time.Sleep(2 * time.Second) // past the stubborn racer's late success
		synctest.Wait()
		assert.True(t, honest.cancelled, "a loser gets its ctx cancelled")
		require.NotNil(t, stubborn.conn)
		assert.True(t, stubborn.conn.Closed(), "a connection that arrives after the race is closed")
		assert.Equal(t, time.Duration(-1), unstarted.started(), "no address is tried once one connected")
	})
}

// However many attempts saw the ctx end, the error says so once, first;
// it matches ctx.Err() and is a timeout.
func TestResolveReportsTheContextEndOnce(t *testing.T) {
	tests := []struct {
		name   string
		racers []*racer
		want   string
	}{
		{name: "every attempt waits for ctx", racers: []*racer{{wait: time.Hour}, {wait: time.Hour}, {wait: time.Hour}, {wait: time.Hour}},
			want: "dialx: resolve tcp svc.example:80: stopped after 3 of 4 addresses: context deadline exceeded"},
		{name: "all started", racers: []*racer{{wait: time.Hour}, {wait: time.Hour}},
			want: "dialx: resolve tcp svc.example:80: all 2 addresses failed: context deadline exceeded"},
		{name: "one refused on the way", racers: []*racer{{wait: time.Hour}, {err: errRefused}, {wait: time.Hour}},
			want: "dialx: resolve tcp svc.example:80: all 3 addresses failed: context deadline exceeded; connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				epoch := time.Now()
				scripts := make(map[string]*racer)
				var ips []string
				for i, r := range tt.racers {
					ip := netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}).String()
					ips = append(ips, ip)
					scripts[ip+":80"] = r
				}
				ctx, cancel := context.WithTimeout(t.Context(), 600*time.Millisecond)
				defer cancel()
				_, err := dialx.NewResolve(newByAddress(epoch, scripts), answer(ips...)).DialContext(ctx, "tcp", "svc.example:80")
				assert.Equal(t, 600*time.Millisecond, time.Since(epoch))
				assert.EqualError(t, err, tt.want)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				var netErr net.Error
				require.ErrorAs(t, err, &netErr)
				assert.True(t, netErr.Timeout())
				synctest.Wait()
			})
		})
	}
}

func TestResolveAllAddressesFail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: no route to host")}
		errA, errC := errors.New("a down"), errors.New("c down")
		epoch := time.Now()
		inner := newByAddress(epoch, map[string]*racer{
			"192.0.2.1:80":      {wait: 300 * time.Millisecond, err: errA},
			"[2001:db8::1]:80":  {wait: 100 * time.Millisecond, err: opErr},
			"192.0.2.2:80":      {err: errC},
			"[2001:db8::2]:80":  {wait: time.Second, err: errRefused},
			"[2001:db8::3]:80":  {err: errRefused},
			"[2001:db8::ff]:80": {}, // not in the answer
		})
		_, err := dialx.NewResolve(inner, answer("192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2", "2001:db8::3")).
			DialContext(t.Context(), "tcp", "svc.example:80")
		assert.EqualError(t, err, "dialx: resolve tcp svc.example:80: all 5 addresses failed: "+
			"a down; dial tcp: connect: no route to host; c down; connection refused; connection refused")
		for _, want := range []error{errA, opErr, errC, errRefused} {
			assert.ErrorIs(t, err, want)
		}
		var gotOp *net.OpError
		require.ErrorAs(t, err, &gotOp)
		assert.Same(t, opErr, gotOp)
		assert.Equal(t, time.Second+300*time.Millisecond, time.Since(epoch))
	})
}

// Resolve's attempts are innermost dials to a Trace; the Concurrent events
// are Concurrent's.
func TestTraceResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		conn, err := dialx.NewResolve(slowDialTo("192.0.2.1:80", time.Hour), answer("192.0.2.1", "127.0.0.1")).
			DialContext(ctx, "tcp", "svc.example:80")
		require.NoError(t, err)
		conn.Close()
		synctest.Wait()
		assert.ElementsMatch(t, []string{
			"dial start tcp 192.0.2.1:80", "dial start tcp 127.0.0.1:80",
			"dial done tcp 127.0.0.1:80 0s err=<nil>", "dial done tcp 192.0.2.1:80 250ms err=context canceled",
		}, strings.Split(log.String(), "\n"))
	})
}

// slowDialTo is an inner Dialer that takes wait for address and connects
// at once to any other.
func slowDialTo(address string, wait time.Duration) dialx.DialerFunc {
	return func(ctx context.Context, network, to string) (net.Conn, error) {
		if to == address {
			return slowDial(wait, nil)(ctx, network, to)
		}
		return dialtest.NewConn(to), nil
	}
}
