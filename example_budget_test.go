package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/dialx/dialx"
)

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

// The ratio is the extra load that retries may add to a failing backend:
// each of 100 dials here gets up to 2 retries, the budget allows a share.
func ExampleNewBudget_ratio() {
	for _, ratio := range []float64{0, 0.1, 0.5} {
		budget := dialx.NewBudget(ratio, 0, 10*time.Second)
		var dials int
		down := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			dials++
			return nil, errors.New("connection refused")
		})
		d := dialx.NewRepeat(down, 3, dialx.WithBudget(budget))
		for range 100 {
			d.Dial("tcp", "api.internal:443")
		}
		fmt.Printf("ratio %.1f: %d dials reached the backend\n", ratio, dials)
	}
	// Output:
	// ratio 0.0: 100 dials reached the backend
	// ratio 0.1: 110 dials reached the backend
	// ratio 0.5: 150 dials reached the backend
}

// A client that dials rarely has too few first tries for the ratio to allow
// a retry; the floor lets it retry anyway.
func ExampleNewBudget_floor() {
	for _, perSecond := range []float64{0, 1} {
		budget := dialx.NewBudget(0.2, perSecond, 10*time.Second)
		var dials int
		down := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			dials++
			return nil, errors.New("connection refused")
		})
		d := dialx.NewRepeat(down, 3, dialx.WithBudget(budget))
		for range 3 {
			d.Dial("tcp", "api.internal:443")
		}
		fmt.Printf("floor %v/s: %d dials for 3 first tries\n", perSecond, dials)
	}
	// Output:
	// floor 0/s: 3 dials for 3 first tries
	// floor 1/s: 9 dials for 3 first tries
}

// The window is how long first tries and retries count: retries spent are
// given back once it has passed. Both budgets here allow 2 retries per
// window; after 50 ms only the short window has refilled.
func ExampleNewBudget_window() {
	for _, window := range []time.Duration{50 * time.Millisecond, 10 * time.Second} {
		budget := dialx.NewBudget(0, 2/window.Seconds(), window)
		var dials int
		down := dialx.DialerFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			dials++
			return nil, errors.New("connection refused")
		})
		d := dialx.NewRepeat(down, 3, dialx.WithBudget(budget))
		d.Dial("tcp", "api.internal:443") // spends the 2 retries
		time.Sleep(50 * time.Millisecond)
		dials = 0
		_, err := d.Dial("tcp", "api.internal:443")
		fmt.Printf("window %v: then %d backend dials, budget exhausted: %v\n", window, dials, errors.Is(err, dialx.ErrBudgetExhausted))
	}
	// Output:
	// window 50ms: then 3 backend dials, budget exhausted: false
	// window 10s: then 1 backend dials, budget exhausted: true
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
