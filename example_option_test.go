package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/dialx/dialx"
)

// One circuit per host rather than per address: when a host is down, all of
// its ports are, and other hosts keep their own circuits.
func ExampleWithKey() {
	byHost := dialx.WithKey(func(network, address string) string {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return address
		}
		return host
	})
	d := dialx.NewBreaker(downDialer("inner"), dialx.WithConsecutiveFailures(1), byHost)
	for _, address := range []string{"db.internal:5432", "db.internal:5433", "cache.internal:6379"} {
		_, err := d.Dial("tcp", address)
		fmt.Println(err)
	}
	// Output:
	// inner: dialing tcp db.internal:5432
	// inner is down
	// dialx: breaker tcp db.internal:5433: circuit open
	// inner: dialing tcp cache.internal:6379
	// inner is down
}

// Each host gets its own slots: a busy host does not hold up the others.
func ExampleWithKey_limit() {
	byHost := dialx.WithKey(func(network, address string) string {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return address
		}
		return host
	})
	started, release := make(chan struct{}), make(chan struct{})
	limit := dialx.NewLimit(heldDialer("a.internal:443", started, release), 1, byHost)

	done := make(chan struct{})
	go func() {
		defer close(done)
		if conn, err := limit.Dial("tcp", "a.internal:443"); err == nil {
			conn.Close()
		}
	}()
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	for _, address := range []string{"b.internal:443", "a.internal:80"} {
		conn, err := limit.DialContext(ctx, "tcp", address)
		if err != nil {
			fmt.Println(address, "waited:", errors.Is(err, context.DeadlineExceeded))
			continue
		}
		conn.Close()
		fmt.Println(address, "connected")
	}
	close(release)
	<-done
	// Output:
	// b.internal:443 connected
	// a.internal:80 waited: true
}

// Look names up with your own Resolver (a cache, DNS over HTTPS, or a fake
// in tests) rather than net.DefaultResolver. Here it answers 127.0.0.1, and
// the Selective behind Resolve refuses that address whatever the name.
func ExampleWithResolver() {
	resolver := lookupFunc(func(_ context.Context, network, host string) ([]netip.Addr, error) {
		fmt.Println("lookup", network, host)
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	})
	guard, err := dialx.NewSelective(
		dialx.Rule{Pattern: "127.0.0.0/8", Dialer: dialx.NewReject(errors.New("loopback"))},
		dialx.Rule{Pattern: "*", Dialer: pipeDialer("public")},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = dialx.NewResolve(guard, dialx.WithResolver(resolver)).Dial("tcp4", "app.example:80")
	fmt.Println(err)
	// Output:
	// lookup ip4 app.example
	// dialx: resolve tcp4 app.example:80: reject tcp4 127.0.0.1:80: loopback
}
