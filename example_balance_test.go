package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/dialx/dialx"
)

func ExampleNewBalancer() {
	// Three upstreams: two that work, and one that refuses every connection.
	var refused atomic.Int64
	working := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})
	broken := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		refused.Add(1)
		return nil, errors.New("connection refused")
	})

	// Each dial goes to the upstream that has been connecting fastest, with the
	// fewest dials in flight; a failure makes a dial go on to another upstream,
	// and keeps the failing one aside for a minute or two.
	d := dialx.NewBalancer(working, broken, working)
	for range 100 {
		conn, err := d.Dial("tcp", "example.com:443")
		if err != nil {
			fmt.Println(err)
			return
		}
		conn.Close()
	}
	fmt.Println("100 dials connected")
	fmt.Println("the broken upstream was dialed at most once:", refused.Load() <= 1)
	// Output:
	// 100 dials connected
	// the broken upstream was dialed at most once: true
}

func ExampleWithKey_affinity() {
	upstream := func(name string) dialx.Dialer {
		return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			fmt.Println(address, "through", name)
			client, server := net.Pipe()
			server.Close()
			return client, nil
		})
	}
	// Each destination sticks to one upstream while that one is healthy: for
	// upstreams that keep state per destination (caches, sessions).
	d := dialx.NewBalancer(upstream("a"), upstream("b"), upstream("c")).WithOptions(
		dialx.WithKey(func(network, address string) string { return address }))
	for _, address := range []string{"x.example:443", "y.example:443", "x.example:443", "y.example:443"} {
		conn, err := d.Dial("tcp", address)
		if err != nil {
			fmt.Println(err)
			return
		}
		conn.Close()
	}
	// Output:
	// x.example:443 through a
	// y.example:443 through c
	// x.example:443 through a
	// y.example:443 through c
}

func ExampleWithProbe() {
	// Every 10 s while the Balancer is in use, each upstream dials the probe
	// address, so that a slow or failing one is found before a caller's dial
	// goes to it; upstreams within 5 ms of each other share the dials evenly.
	d := dialx.NewBalancer(&net.Dialer{}, &net.Dialer{}).WithOptions(
		dialx.WithProbe("tcp", "probe.internal:443", 10*time.Second),
		dialx.WithTolerance(5*time.Millisecond))
	client := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	_ = client // probing stops an interval after the client's last dial: nothing to close
}
