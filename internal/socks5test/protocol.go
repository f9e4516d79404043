package socks5test

import (
	"errors"
	"io"
	"net/netip"
)

// Address types and the one command of RFC 1928 this server speaks.
const (
	atypIPv4   = 0x01
	atypDomain = 0x03
	atypIPv6   = 0x04
	cmdConnect = 0x01
)

var (
	errVersion     = errors.New("socks5test: not SOCKS version 5")
	errAddressType = errors.New("socks5test: unknown address type")
)

// readGreeting reads the client's greeting, VER NMETHODS METHODS..., and
// reports whether "no authentication" is among the methods it offers.
func readGreeting(r io.Reader) (noAuth bool, err error) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return false, err
	}
	if head[0] != 5 {
		return false, errVersion
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(r, methods); err != nil {
		return false, err
	}
	for _, m := range methods {
		noAuth = noAuth || m == 0x00
	}
	return noAuth, nil
}

// request is a parsed SOCKS5 request.
type request struct {
	cmd  byte
	atyp byte
	host string // an IP address for atypIPv4 and atypIPv6, else a name
	port uint16
}

// readRequest reads VER CMD RSV ATYP DST.ADDR DST.PORT.
func readRequest(r io.Reader) (request, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return request{}, err
	}
	if head[0] != 5 {
		return request{}, errVersion
	}
	req := request{cmd: head[1], atyp: head[3]}
	switch req.atyp {
	case atypIPv4:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return request{}, err
		}
		req.host = netip.AddrFrom4(b).String()
	case atypIPv6:
		var b [16]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return request{}, err
		}
		req.host = netip.AddrFrom16(b).String()
	case atypDomain:
		var n [1]byte
		if _, err := io.ReadFull(r, n[:]); err != nil {
			return request{}, err
		}
		b := make([]byte, n[0])
		if _, err := io.ReadFull(r, b); err != nil {
			return request{}, err
		}
		req.host = string(b)
	default:
		return request{}, errAddressType
	}
	var port [2]byte
	if _, err := io.ReadFull(r, port[:]); err != nil {
		return request{}, err
	}
	req.port = uint16(port[0])<<8 | uint16(port[1])
	return req, nil
}
