package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/dialx/dialx"
)

// flakyDialer fails its first failures dials, then connects in memory.
func flakyDialer(failures int) dialx.Dialer {
	tries := 0
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		tries++
		if tries <= failures {
			fmt.Printf("try %d: refused\n", tries)
			return nil, errors.New("connection refused")
		}
		fmt.Printf("try %d: connected\n", tries)
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})
}

func ExampleWithBackoff() {
	// Wait 10 ms, then 20 ms, ... between tries, without jitter.
	backoff := dialx.ExponentialBackoff{Base: 10 * time.Millisecond, Multiplier: 2, Jitter: -1}
	d := dialx.NewRepeat(flakyDialer(2), 5, dialx.WithBackoff(backoff))

	start := time.Now()
	conn, err := d.DialContext(context.Background(), "tcp", "api.internal:443")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Println("waited at least 30ms:", time.Since(start) >= 30*time.Millisecond)
	// Output:
	// try 1: refused
	// try 2: refused
	// try 3: connected
	// waited at least 30ms: true
}

// A destination that recovers quickly, such as a local sidecar, can be
// probed again sooner than after the default 5 s. (20 ms, without jitter,
// keeps the example short and its output fixed.)
func ExampleWithBackoff_breaker() {
	quick := dialx.ExponentialBackoff{Base: 20 * time.Millisecond, Multiplier: 2, Jitter: -1, Max: time.Second}
	for _, opts := range [][]dialx.Option{
		{dialx.WithConsecutiveFailures(1)},
		{dialx.WithConsecutiveFailures(1), dialx.WithBackoff(quick)},
	} {
		d := dialx.NewBreaker(flakyDialer(1), opts...)
		d.Dial("tcp", "sidecar.local:15001") // the circuit opens
		time.Sleep(25 * time.Millisecond)
		conn, err := d.Dial("tcp", "sidecar.local:15001") // the probe, once the cool-down is over
		if err != nil {
			fmt.Println(err)
			continue
		}
		conn.Close()
	}
	// Output:
	// try 1: refused
	// dialx: breaker tcp sidecar.local:15001: circuit open
	// try 1: refused
	// try 2: connected
}

// The zero ExponentialBackoff has the values of gRPC's connection backoff:
// 1 s, growing by 1.6 up to 120 s, each wait spread by ±20 %.
func ExampleExponentialBackoff() {
	noJitter := dialx.ExponentialBackoff{Jitter: -1}
	for retry := 1; retry <= 5; retry++ {
		fmt.Print(noJitter.Backoff(retry), " ")
	}
	fmt.Println(noJitter.Backoff(20))

	wait := dialx.ExponentialBackoff{}.Backoff(1)
	fmt.Println("first wait within 1s ± 20 %:", wait >= 800*time.Millisecond && wait < 1200*time.Millisecond)
	// Output:
	// 1s 1.6s 2.56s 4.096s 6.5536s 2m0s
	// first wait within 1s ± 20 %: true
}

func ExampleConstantBackoff() {
	// The same wait before every retry, for a backend known to come back
	// within a fixed time.
	wait := dialx.ConstantBackoff(5 * time.Millisecond)
	fmt.Println(wait.Backoff(1), wait.Backoff(10))

	d := dialx.NewRepeat(downDialer("api"), 3, dialx.WithBackoff(wait))
	_, err := d.DialContext(context.Background(), "tcp", "api.internal:443")
	fmt.Println(err)
	// Output:
	// 5ms 5ms
	// api: dialing tcp api.internal:443
	// api: dialing tcp api.internal:443
	// api: dialing tcp api.internal:443
	// dialx: repeat tcp api.internal:443: all 3 tries failed: api is down; api is down; api is down
}
