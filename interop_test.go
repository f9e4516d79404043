package dialx_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

// Every decorator is both a proxy.Dialer and a proxy.ContextDialer, so a
// stack can be the forward dialer of proxy.SOCKS5 or proxy.FromURL.
var (
	_ proxy.ContextDialer = (*dialx.Repeat)(nil)
	_ proxy.Dialer        = (*dialx.Repeat)(nil)
	_ proxy.Dialer        = (*dialx.Timeout)(nil)
	_ proxy.Dialer        = (*dialx.Delay)(nil)
	_ proxy.Dialer        = (*dialx.Reject)(nil)
	_ proxy.Dialer        = (*dialx.Swappable)(nil)
	_ proxy.Dialer        = (*dialx.Consecutive)(nil)
	_ proxy.Dialer        = (*dialx.Random)(nil)
	_ proxy.Dialer        = (*dialx.Concurrent)(nil)
	_ proxy.Dialer        = dialx.DialerFunc(nil)
)

// x/net's proxy.Direct has DialContext, so it plugs in as an inner dialer
// unchanged.
func TestProxyDirectAsInnerDialer(t *testing.T) {
	srv := dialtest.StartEcho(t)
	var inner proxy.ContextDialer = proxy.Direct
	conn, err := dialx.NewRepeat(inner, 2).DialContext(context.Background(), "tcp", srv.Addr())
	require.NoError(t, err)
	echoByte(t, conn)
	require.NoError(t, conn.Close())
}
