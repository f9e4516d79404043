package dialx_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// TestBalancerOverLoopback: members that each reach a loopback server of
// their own, as proxies would, one of them with nothing listening. Dials
// connect through the live two after at most one refused attempt, probes
// reach every member while dials come, and once the dials stop, probing
// stops and leaves no goroutine, on the real clock.
func TestBalancerOverLoopback(t *testing.T) {
	live1, live2 := dialtest.StartEcho(t), dialtest.StartEcho(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := ln.Addr().String()
	ln.Close() // connection refused from now on

	const probe = "probe.test:1"
	var toDead, probesToDead atomic.Int64
	via := func(server string) dialx.Dialer {
		var d net.Dialer
		return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			if server == dead {
				if address == probe {
					probesToDead.Add(1)
				} else {
					toDead.Add(1)
				}
			}
			return d.DialContext(ctx, network, server)
		})
	}
	ignore := goleak.IgnoreCurrent()
	bal := dialx.NewBalancer(via(live1.Addr()), via(dead), via(live2.Addr())).WithOptions(
		dialx.WithProbe("tcp", probe, 5*time.Millisecond))

	deadline := time.Now().Add(100 * time.Millisecond)
	dials := 0
	for dials < 50 || time.Now().Before(deadline) {
		conn, err := bal.Dial("tcp", "service.test:443")
		require.NoError(t, err)
		conn.Close()
		dials++
		time.Sleep(time.Millisecond)
	}
	assert.LessOrEqual(t, toDead.Load(), int64(1), "after one refusal, no dial goes to the dead member")
	assert.Positive(t, probesToDead.Load(), "probes reach every member, the dead one too")
	assert.GreaterOrEqual(t, live1.Accepted()+live2.Accepted(), dials, "every dial connected to a live server")

	goleak.VerifyNone(t, ignore) // retries for a while: probing stops within 15 ms of the last dial
	probed := probesToDead.Load()
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, probed, probesToDead.Load(), "an idle Balancer sends no probes")
}
