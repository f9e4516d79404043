package dialx_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/dialx/dialx"
)

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
