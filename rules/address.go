package rules

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Canonical returns address, a "host:port" to dial, in the canonical form
// that [Table.Match] checks: "name:port", "a.b.c.d:port" or "[ipv6]:port",
// with an IPv6 zone kept only on a link-local address, which needs it (see
// the package doc). It returns address itself, without allocating, when it
// is canonical already. An address that cannot be read so fails with an
// error matching [ErrInvalidAddress].
func Canonical(address string) (string, error) {
	var buf [maxHostLen + 1]byte
	t, err := parseTarget(buf[:0], address)
	if err != nil {
		return "", err
	}
	return t.canonical(address), nil
}

// maxAddressLen bounds an address as written: the longest host, brackets, a
// colon and a five-digit port. Longer addresses are refused before any
// parsing, so a check costs the same for a megabyte as for a kilobyte.
const maxAddressLen = maxRawHostLen + len("[]:65535")

// target is a dialed address in canonical form.
type target struct {
	ip       netip.Addr // valid when the host is an IP literal
	text     []byte     // the canonical name, or the IP address's text
	port     uint16
	portText string // the port as written, which parsePort has checked is canonical
	zone     string // an IPv6 address's zone, which matching ignores
}

// parseTarget reads address in canonical form, using buf for the host text.
// It refuses, with an error matching ErrInvalidAddress, anything it cannot
// read as host and port, or whose host is not a valid name or IP literal.
func parseTarget(buf []byte, address string) (target, error) {
	var t target
	if len(address) > maxAddressLen {
		return t, fmt.Errorf("%w: address of %d bytes is longer than the %d an address may have", ErrInvalidAddress, len(address), maxAddressLen)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		if addrErr, ok := err.(*net.AddrError); ok {
			err = errors.New(addrErr.Err)
		}
		return t, fmt.Errorf("%w: %v", ErrInvalidAddress, err)
	}
	if t.port, err = parsePort(port); err != nil {
		return t, fmt.Errorf("%w: %v", ErrInvalidAddress, err)
	}
	ip, zoned, name, err := canonHost(buf, host, false)
	if err != nil {
		return t, fmt.Errorf("%w: %v", ErrInvalidAddress, err)
	}
	t.ip, t.text = ip, name
	if zoned && needsZone(ip) {
		// canonHost has checked the zone; it plays no part in matching
		// but a link-local address cannot be dialed without it. Any
		// other address needs none, and is passed on without.
		_, t.zone, _ = strings.Cut(host, "%")
	}
	if ip.IsValid() {
		t.text = ip.AppendTo(buf[:0])
	}
	t.portText = port
	return t, nil
}

// needsZone reports whether ip is an IPv6 address whose scope is one link
// (or one interface), so that dialing it needs the zone that names it.
func needsZone(ip netip.Addr) bool {
	return ip.Is6() && (ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast())
}

// canonical returns t as the address to dial: "name:port", "a.b.c.d:port"
// or "[ipv6%zone]:port", with the port in decimal. It returns address itself,
// without allocating or copying, when that is already the canonical form.
func (t *target) canonical(address string) string {
	if t.is(address) {
		return address
	}
	b := make([]byte, 0, len(t.text)+len(t.zone)+len(t.portText)+4)
	if t.ip.Is6() {
		b = append(b, '[')
		b = append(b, t.text...)
		if t.zone != "" {
			b = append(b, '%')
			b = append(b, t.zone...)
		}
		b = append(b, ']')
	} else {
		b = append(b, t.text...)
	}
	b = append(b, ':')
	b = append(b, t.portText...)
	return string(b)
}

// is reports whether address is already t's canonical form, comparing it
// piece by piece so that the common case costs no copy.
func (t *target) is(address string) bool {
	rest, ok := address, true
	take := func(piece string) {
		ok = ok && strings.HasPrefix(rest, piece)
		if ok {
			rest = rest[len(piece):]
		}
	}
	if t.ip.Is6() {
		take("[")
		take(string(t.text))
		if t.zone != "" {
			take("%")
			take(t.zone)
		}
		take("]")
	} else {
		take(string(t.text))
	}
	take(":")
	return ok && rest == t.portText
}
