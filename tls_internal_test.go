package dialx

import (
	"context"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A TLS and an Endpoint honour ctx exactly when the Dialer beneath does, so
// that a Timeout above them dials inline over a *net.Dialer.
func TestTLSAndEndpointHonourContextAsTheirDialerDoes(t *testing.T) {
	nd := &net.Dialer{}
	fn := DialerFunc(func(context.Context, string, string) (net.Conn, error) { return nil, net.ErrClosed })
	tests := []struct {
		name   string
		dialer Dialer
		want   bool
	}{
		{"TLS over a net.Dialer", NewTLS(nd, nil), true},
		{"TLS over Endpoints", NewTLS(NewConsecutive(NewEndpoint(nd, "db1:1"), NewEndpoint(nd, "db2:1")), nil), true},
		{"TLS over a DialerFunc", NewTLS(fn, nil), false},
		{"Endpoint over a DialerFunc", NewEndpoint(fn, "db1:1"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, honoursContext(tt.dialer, nil))
		})
	}
}

// The config that names the dialed host is made once for a host dialed
// over and over, and never is the caller's.
func TestTLSMakesTheConfigOfAHostOnce(t *testing.T) {
	d := NewTLS(&net.Dialer{}, nil)
	first := d.configFor("db.example")
	assert.Same(t, first, d.configFor("db.example"))
	assert.Equal(t, "db.example", first.ServerName)
	other := d.configFor("fe80::1%eth0")
	assert.Equal(t, "fe80::1", other.ServerName, "without the zone")
	assert.NotSame(t, d.config, other)
	assert.Empty(t, d.config.ServerName)
}
