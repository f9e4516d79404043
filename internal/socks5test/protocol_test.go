package socks5test

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// appendRequest encodes req as readRequest expects it.
func appendRequest(b []byte, req request) []byte {
	b = append(b, 5, req.cmd, 0, req.atyp)
	switch req.atyp {
	case atypIPv4:
		a := netip.MustParseAddr(req.host).As4()
		b = append(b, a[:]...)
	case atypIPv6:
		a := netip.MustParseAddr(req.host).As16()
		b = append(b, a[:]...)
	default:
		b = append(b, byte(len(req.host)))
		b = append(b, req.host...)
	}
	return append(b, byte(req.port>>8), byte(req.port))
}

// FuzzRequest feeds arbitrary bytes to the server's parsers, as a client
// would send them after connecting: they must never panic, and a request
// they accept must encode back to one they parse the same way.
func FuzzRequest(f *testing.F) {
	greeting := []byte{5, 1, 0}
	for _, req := range []request{
		{cmd: cmdConnect, atyp: atypIPv4, host: "127.0.0.1", port: 80},
		{cmd: cmdConnect, atyp: atypIPv6, host: "::1", port: 443},
		{cmd: cmdConnect, atyp: atypDomain, host: "localhost", port: 8080},
		{cmd: 0x02, atyp: atypDomain, host: "", port: 0},
	} {
		f.Add(appendRequest(bytes.Clone(greeting), req))
	}
	f.Add([]byte{5, 2, 1, 2})
	f.Add([]byte{4, 1, 0})
	f.Add([]byte{5, 1, 0, 5, 1, 0, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		if _, err := readGreeting(r); err != nil {
			return
		}
		req, err := readRequest(r)
		if err != nil {
			return
		}
		if req.atyp != atypDomain {
			_, err := netip.ParseAddr(req.host)
			require.NoError(t, err, "an IP address type must give an IP")
		}
		again, err := readRequest(bytes.NewReader(appendRequest(nil, req)))
		require.NoError(t, err)
		require.Equal(t, req, again)
	})
}
