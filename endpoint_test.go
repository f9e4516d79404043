package dialx_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestEndpointDialsItsAddressWhateverIsAsked(t *testing.T) {
	tests := []struct {
		name, fixed, asked, want string
	}{
		{name: "another name", fixed: "db1.internal:5432", asked: "db.internal:5432", want: "db1.internal:5432"},
		{name: "another port", fixed: "db1.internal:5432", asked: "db1.internal:6432", want: "db1.internal:5432"},
		{name: "fixed in canonical form", fixed: "DB1.Internal.:5432", asked: "x:1", want: "db1.internal:5432"},
		{name: "an IPv6 literal", fixed: "[::1]:5432", asked: "db.internal:5432", want: "[::1]:5432"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			inner := dialx.DialerFunc(func(_ context.Context, network, address string) (net.Conn, error) {
				got = network + " " + address
				return dialtest.NewConn("fixed"), nil
			})
			conn, err := dialx.NewEndpoint(inner, tt.fixed).DialContext(context.Background(), "tcp4", tt.asked)
			require.NoError(t, err)
			conn.Close()
			assert.Equal(t, "tcp4 "+tt.want, got, "the network asked, the fixed address")
		})
	}
}

func TestEndpointErrorNamesTheAskedAddressAndKeepsTheCause(t *testing.T) {
	refused := errors.New("connection refused by db1")
	d := dialx.NewEndpoint(&dialtest.Dialer{Err: refused}, "db1.internal:5432")
	_, err := d.DialContext(context.Background(), "tcp", "db.internal:5432")
	require.ErrorIs(t, err, refused)
	assert.EqualError(t, err, "dialx: endpoint tcp db.internal:5432: connection refused by db1")

	noConn := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, nil })
	_, err = dialx.NewEndpoint(noConn, "db1.internal:5432").DialContext(context.Background(), "tcp", "db.internal:5432")
	var dialErr *dialx.DialError
	require.ErrorAs(t, err, &dialErr, "a nil-nil result becomes a DialError")
	assert.Equal(t, "db.internal:5432", dialErr.Addr)
}

func TestEndpointClosesAConnectionThatCameWithAnError(t *testing.T) {
	stray := dialtest.NewConn("stray")
	broken := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return stray, errors.New("broken")
	})
	_, err := dialx.NewEndpoint(broken, "db1.internal:5432").DialContext(context.Background(), "tcp", "db:1")
	require.Error(t, err)
	assert.True(t, stray.Closed())
}

func TestEndpointTracesTheAskedAndTheFixedAddress(t *testing.T) {
	var events []dialx.Event
	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		e.Elapsed = 0
		events = append(events, e)
	})
	d := dialx.NewEndpoint(&dialtest.Dialer{Label: "db1"}, "db1.internal:5432")
	conn, err := d.DialContext(ctx, "tcp", "db.internal:5432")
	require.NoError(t, err)
	conn.Close()
	assert.Equal(t, []dialx.Event{
		{Op: "endpoint", Kind: "dial", Network: "tcp", Address: "db.internal:5432", Detail: "db1.internal:5432"},
		{Op: "dial", Kind: "start", Network: "tcp", Address: "db1.internal:5432"},
		{Op: "dial", Kind: "done", Network: "tcp", Address: "db1.internal:5432"},
	}, events)
}

// A Selective routing to an Endpoint answers for the fixed address, not the
// asked one: it is the fixed address that the rules beneath would refuse.
func TestEndpointRefusalChecksTheFixedAddress(t *testing.T) {
	beneath, err := dialx.NewSelective(
		dialx.Rule{Pattern: "10.0.0.0/8", Dialer: dialx.NewReject(errors.New("private"))},
		dialx.Rule{Pattern: "*", Dialer: &dialtest.Dialer{}},
	)
	require.NoError(t, err)
	for fixed, refused := range map[string]bool{"10.0.0.1:5432": true, "192.0.2.1:5432": false} {
		top, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: dialx.NewEndpoint(beneath, fixed)})
		require.NoError(t, err)
		err = top.Refusal(context.Background(), "tcp", "db.example:5432")
		if refused {
			assert.ErrorIs(t, err, dialx.ErrRejected, fixed)
		} else {
			assert.NoError(t, err, fixed)
		}
	}
}

// Replica failover over real sockets: the first replica refuses, the
// second one gets the connection.
func TestEndpointFailsOverBetweenReplicas(t *testing.T) {
	down, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	downAddr := down.Addr().String()
	require.NoError(t, down.Close())
	up, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer up.Close()

	d := dialx.NewConsecutive(dialx.NewEndpoint(&net.Dialer{}, downAddr), dialx.NewEndpoint(&net.Dialer{}, up.Addr().String()))
	conn, err := d.DialContext(context.Background(), "tcp", "db.internal:5432")
	require.NoError(t, err)
	defer conn.Close()
	accepted, err := up.Accept()
	require.NoError(t, err)
	defer accepted.Close()
	assert.Equal(t, conn.LocalAddr().String(), accepted.RemoteAddr().String())
}

func TestNewEndpointPanicsOnABadAddress(t *testing.T) {
	tests := []struct{ address, want string }{
		{address: "db1", want: `dialx: NewEndpoint: address must be a valid host:port, got "db1" (dialx: invalid address: missing port in address)`},
		{address: ":5432", want: `dialx: NewEndpoint: address must be a valid host:port, got ":5432" (dialx: invalid address: empty host)`},
		{address: "db1:postgresql", want: `dialx: NewEndpoint: address must be a valid host:port, got "db1:postgresql" (dialx: invalid address: port "postgresql" is not a decimal number)`},
		{address: "db1:70000", want: `dialx: NewEndpoint: address must be a valid host:port, got "db1:70000" (dialx: invalid address: port "70000" is above 65535)`},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			assert.PanicsWithValue(t, tt.want, func() { dialx.NewEndpoint(&net.Dialer{}, tt.address) })
		})
	}
	assert.PanicsWithValue(t, "dialx: NewEndpoint: d must not be nil, got nil", func() { dialx.NewEndpoint(nil, "db1:5432") })
}
