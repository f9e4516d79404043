package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/dialx/dialx"
)

// pipeUpstream stands for a proxy or a server pool: each dial returns one
// end of an in-memory pipe. A pointer to one is comparable, as
// Tracker.CloseVia needs.
type pipeUpstream struct{ name string }

func (u *pipeUpstream) DialContext(context.Context, string, string) (net.Conn, error) {
	conn, _ := net.Pipe()
	return conn, nil
}

func ExampleNewTracker() {
	blue, green := &pipeUpstream{"blue"}, &pipeUpstream{"green"}
	upstream := dialx.NewSwappable(blue)
	tracker := dialx.NewTracker(upstream)

	for _, address := range []string{"db:5432", "db:5432", "cache:6379"} {
		tracker.Dial("tcp", address)
	}
	old := upstream.Swap(green)
	tracker.Dial("tcp", "db:5432")
	fmt.Println("open:", tracker.Open(), "to db:", tracker.OpenTo("db:5432"))

	// New dials go to green; cut what still flows to blue.
	fmt.Println("cut:", tracker.CloseVia(old))
	fmt.Println("open:", tracker.Open(), "to db:", tracker.OpenTo("db:5432"))
	// Output:
	// open: 4 to db: 3
	// cut: 3
	// open: 1 to db: 1
}

func ExampleTracker_CloseTo() {
	// The database answers once, then goes down.
	answered := false
	database := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		if answered {
			return nil, errors.New("connection refused")
		}
		answered = true
		conn, _ := net.Pipe()
		return conn, nil
	})
	tracker := dialx.NewTracker(dialx.NewBreaker(database, dialx.WithConsecutiveFailures(1)))

	// When a destination's circuit opens, cut the connections to it that
	// are still open: they most likely hang on a dead peer.
	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		if e.Op == "breaker" && e.Kind == "state" && e.To == dialx.BreakerOpen {
			fmt.Printf("circuit %s opened: cut %d\n", e.Detail, tracker.CloseTo(e.Detail))
		}
	})
	conn, _ := tracker.DialContext(ctx, "tcp", "db:5432")
	fmt.Println("open:", tracker.Open())
	_, err := tracker.DialContext(ctx, "tcp", "db:5432")
	fmt.Println(err)
	_, err = conn.Write([]byte("SELECT 1"))
	fmt.Println("open:", tracker.Open(), "write:", err)
	// Output:
	// open: 1
	// circuit db:5432 opened: cut 1
	// connection refused
	// open: 0 write: io: read/write on closed pipe
}
