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

func ExampleWithRetryIf() {
	// Retry refused connections only; anything else fails at once.
	refused := errors.New("connection refused")
	denied := errors.New("permission denied")
	tries := 0
	d := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		tries++
		if tries == 1 {
			return nil, refused
		}
		return nil, denied
	})
	repeat := dialx.NewRepeat(d, 5, dialx.WithRetryIf(func(err error) bool { return errors.Is(err, refused) }))
	_, err := repeat.DialContext(context.Background(), "tcp", "api.internal:443")
	fmt.Println(err)
	fmt.Println(errors.Is(err, denied))
	// Output:
	// dialx: repeat tcp api.internal:443: stopped after 2 of 5 tries: not retryable; connection refused; permission denied
	// true
}

func ExampleWithBudget() {
	// One budget for every Repeat of the process: retries may add 20 % on
	// top of first tries (here with no floor, to show the cap at once).
	budget := dialx.NewBudget(0.2, 0, 10*time.Second)
	var dials int
	down := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		dials++
		return nil, errors.New("connection refused")
	})
	d := dialx.NewRepeat(down, 5, dialx.WithBudget(budget))

	var exhausted int
	for range 100 {
		_, err := d.DialContext(context.Background(), "tcp", "api.internal:443")
		if errors.Is(err, dialx.ErrBudgetExhausted) {
			exhausted++
		}
	}
	fmt.Printf("100 dials, %d reached the backend (%.1fx), %d stopped by the budget\n", dials, float64(dials)/100, exhausted)
	// Output:
	// 100 dials, 120 reached the backend (1.2x), 100 stopped by the budget
}

// heldDialer connects in memory, but its dials to hold wait until release is
// closed; it says on started when such a dial is under way.
func heldDialer(hold string, started, release chan struct{}) dialx.Dialer {
	return dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		if address == hold {
			started <- struct{}{}
			<-release
		}
		client, server := net.Pipe()
		server.Close()
		return client, nil
	})
}

func ExampleNewLimit() {
	started, release := make(chan struct{}), make(chan struct{})
	limit := dialx.NewLimit(heldDialer("db.internal:5432", started, release), 1)

	done := make(chan struct{})
	go func() {
		defer close(done)
		if conn, err := limit.Dial("tcp", "db.internal:5432"); err == nil {
			conn.Close()
		}
	}()
	<-started // the one slot is taken

	// A second dial waits for the slot, but no longer than its ctx allows.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := limit.DialContext(ctx, "tcp", "db.internal:5432")
	fmt.Println(err)
	close(release)
	<-done
	// Output:
	// dialx: limit tcp db.internal:5432: gave up waiting for one of 1 dials in flight: context deadline exceeded
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

// One Budget shared by the Repeats of two backends: the retries of both
// count against it, so a failing backend cannot use up more than its share
// of first tries in retries, whichever Repeat dials it.
func ExampleNewBudget() {
	budget := dialx.NewBudget(0.2, 10, 10*time.Second) // Finagle's values, those of a zero Budget
	var dials int
	down := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
		dials++
		return nil, errors.New("connection refused")
	})
	users := dialx.NewRepeat(down, 3, dialx.WithBudget(budget))
	orders := dialx.NewRepeat(down, 3, dialx.WithBudget(budget))

	for range 500 {
		users.Dial("tcp", "users.internal:443")
		orders.Dial("tcp", "orders.internal:443")
	}
	// 1,000 first tries: 200 retries by ratio, 100 by the floor.
	fmt.Println("dials:", dials)
	_, err := users.Dial("tcp", "users.internal:443")
	fmt.Println(errors.Is(err, dialx.ErrBudgetExhausted))
	// Output:
	// dials: 1300
	// true
}
