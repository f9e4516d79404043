// Package grpcclient shows a dialx stack as the dialer of a gRPC client.
//
// [grpc.WithContextDialer] takes a function of (ctx, address) with no network
// argument; [WithDialer] adapts a [dialx.Dialer] to it, dialing over TCP.
//
// [grpc.NewClient] resolves the target's name before it calls the dialer: with
// the default "dns" scheme the dialer sees "127.0.0.1:50051", never
// "localhost:50051". A stack whose rules look at the host name (a
// [dialx.Selective] with name patterns) needs a target with the
// "passthrough:///" scheme, which hands the address to the dialer as written.
package grpcclient

import (
	"context"
	"net"

	"google.golang.org/grpc"

	"github.com/dialx/dialx"
)

// WithDialer returns a [grpc.DialOption] that opens every connection of the
// client through d, on network "tcp".
func WithDialer(d dialx.Dialer) grpc.DialOption {
	return grpc.WithContextDialer(func(ctx context.Context, address string) (net.Conn, error) {
		return d.DialContext(ctx, "tcp", address)
	})
}
