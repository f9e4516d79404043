package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/dialx/dialx"
)

// pipeDialer returns a Dialer that "connects" in memory, without a network,
// and says which route was taken.
func pipeDialer(route string) dialx.Dialer {
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		fmt.Printf("%s: dialing %s %s\n", route, network, address)
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})
}

// downDialer returns a Dialer that always fails, as a dead route would.
func downDialer(route string) dialx.Dialer {
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		fmt.Printf("%s: dialing %s %s\n", route, network, address)
		return nil, errors.New(route + " is down")
	})
}

// A stack of decorators is one Dialer: here a failover between two routes,
// each dial bounded by a timeout and retried once.
func Example() {
	stack := dialx.NewRepeat(
		dialx.NewTimeout(
			dialx.NewConsecutive(downDialer("primary"), pipeDialer("backup")),
			5*time.Second),
		2)
	conn, err := stack.DialContext(context.Background(), "tcp", "db.internal:5432")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Println("connected")
	// Output:
	// primary: dialing tcp db.internal:5432
	// backup: dialing tcp db.internal:5432
	// connected
}

func ExampleDialerFunc() {
	var d dialx.Dialer = dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		return nil, fmt.Errorf("no route to %s", address)
	})
	_, err := d.DialContext(context.Background(), "tcp", "example.com:443")
	fmt.Println(err)
	// Output: no route to example.com:443
}

func ExampleNewRepeat() {
	attempts := 0
	flaky := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		attempts++
		if attempts < 3 {
			return nil, fmt.Errorf("try %d refused", attempts)
		}
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})
	conn, err := dialx.NewRepeat(flaky, 5).DialContext(context.Background(), "tcp", "api.internal:443")
	if err == nil {
		conn.Close()
	}
	fmt.Println("attempts:", attempts, "err:", err)

	_, err = dialx.NewRepeat(downDialer("only"), 2).DialContext(context.Background(), "tcp", "api.internal:443")
	fmt.Println(err)
	// Output:
	// attempts: 3 err: <nil>
	// only: dialing tcp api.internal:443
	// only: dialing tcp api.internal:443
	// dialx: repeat tcp api.internal:443: all 2 tries failed: only is down; only is down
}

func ExampleNewTimeout() {
	hanging := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	_, err := dialx.NewTimeout(hanging, 10*time.Millisecond).DialContext(context.Background(), "tcp", "slow.internal:80")

	var netErr net.Error
	fmt.Println(errors.As(err, &netErr) && netErr.Timeout(), errors.Is(err, context.DeadlineExceeded))
	// Output: true true
}

func ExampleNewDelay() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the caller gives up before the delay is over
	_, err := dialx.NewDelay(pipeDialer("never"), time.Hour).DialContext(ctx, "tcp", "example.com:80")
	fmt.Println(err)
	// Output: dialx: delay tcp example.com:80: context canceled
}

func ExampleNewReject() {
	_, err := dialx.NewReject(errors.New("Blocked")).DialContext(context.Background(), "tcp", "ads.example:443")
	fmt.Println(err)
	fmt.Println(errors.Is(err, dialx.ErrRejected))
	// Output:
	// dialx: reject tcp ads.example:443: Blocked
	// true
}

func ExampleNewRejectFunc() {
	onlyTCP := dialx.NewRejectFunc(func(network, address string) error {
		if strings.HasPrefix(network, "udp") {
			return fmt.Errorf("%s is not allowed", network)
		}
		return nil
	})
	_, err := onlyTCP.DialContext(context.Background(), "udp", "dns.internal:53")
	fmt.Println(err)
	// Output: dialx: reject udp dns.internal:53: udp is not allowed
}

func ExampleNewSwappable() {
	s := dialx.NewSwappable(pipeDialer("v1"))
	conn, _ := s.DialContext(context.Background(), "tcp", "api.internal:443")
	conn.Close()

	s.Swap(pipeDialer("v2")) // for example after reloading a configuration
	conn, _ = s.DialContext(context.Background(), "tcp", "api.internal:443")
	conn.Close()
	// Output:
	// v1: dialing tcp api.internal:443
	// v2: dialing tcp api.internal:443
}

func ExampleNewConsecutive() {
	d := dialx.NewConsecutive(downDialer("eu-west"), pipeDialer("eu-central"), pipeDialer("us-east"))
	conn, err := d.DialContext(context.Background(), "tcp", "api.internal:443")
	if err == nil {
		conn.Close()
	}
	// Output:
	// eu-west: dialing tcp api.internal:443
	// eu-central: dialing tcp api.internal:443
}

func ExampleNewRandom() {
	counts := map[string]int{}
	member := func(name string) dialx.Dialer {
		return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			counts[name]++
			client, server := net.Pipe()
			server.Close()
			return client, nil
		})
	}
	d := dialx.NewRandom(member("a"), member("b"))
	for range 1000 {
		conn, _ := d.DialContext(context.Background(), "tcp", "api.internal:443")
		conn.Close()
	}
	fmt.Println("both used:", counts["a"] > 0 && counts["b"] > 0, "total:", counts["a"]+counts["b"])
	// Output: both used: true total: 1000
}

func ExampleNewConcurrent() {
	slow := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		<-ctx.Done() // cancelled once the fast route has won
		return nil, ctx.Err()
	})
	fast := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})
	conn, err := dialx.NewConcurrent(slow, fast).DialContext(context.Background(), "tcp", "api.internal:443")
	if err == nil {
		conn.Close()
	}
	fmt.Println("connected:", err == nil)
	// Output: connected: true
}
