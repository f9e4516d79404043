package dialx_test

import (
	"context"
	"crypto/tls"
	"net"
	"testing"

	"github.com/dialx/dialx"
)

// BenchmarkTLS compares a dial and handshake through a TLS over a
// *net.Dialer with the same through the standard library's tls.Dialer,
// against a loopback server, with the server name taken from the address.
func BenchmarkTLS(b *testing.B) {
	srv, roots := tlsServer(b)
	address := srv.Listener.Addr().String()
	config := &tls.Config{RootCAs: roots}
	for _, d := range []struct {
		name   string
		dialer dialx.Dialer
	}{
		{"tls.Dialer", &tls.Dialer{NetDialer: &net.Dialer{}, Config: config}},
		{"NewTLS", dialx.NewTLS(&net.Dialer{}, config)},
	} {
		b.Run(d.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				conn, err := d.dialer.DialContext(ctx, "tcp", address)
				if err != nil {
					b.Fatal(err)
				}
				conn.Close()
			}
		})
	}
}
