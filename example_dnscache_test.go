package dialx_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/dialx/dialx"
)

// A cache in front of the resolver: the second dial of a name is answered
// from it, as its trace shows. The resolver and the route are stand-ins.
func ExampleWithCache() {
	resolver := lookupFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
		fmt.Println("looking up", host)
		return []netip.Addr{netip.MustParseAddr("192.0.2.10")}, nil
	})
	d := dialx.NewResolve(pipeDialer("route"), dialx.WithResolver(resolver),
		dialx.WithCache(dialx.DNSCache{TTL: 30 * time.Second, Stale: 10 * time.Minute}))
	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		if e.Op == "resolve" {
			fmt.Println("cache", e.Kind, e.Detail)
		}
	})
	for range 2 {
		conn, err := d.DialContext(ctx, "tcp", "api.example.com:443")
		if err != nil {
			fmt.Println(err)
			return
		}
		conn.Close()
	}
	// Output:
	// looking up api.example.com
	// cache miss api.example.com
	// route: dialing tcp 192.0.2.10:443
	// cache hit api.example.com
	// route: dialing tcp 192.0.2.10:443
}
