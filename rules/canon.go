package rules

import (
	"bytes"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// maxHostLen bounds a canonical host name: 253 bytes is the longest name DNS
// can carry. Longer hosts are refused, which also bounds the stack buffer a
// match works in.
const maxHostLen = 253

// maxRawHostLen bounds a host as written, before any conversion. IDNA costs
// time quadratic in the distinct code points of a label, so the length is
// checked before IDNA runs: a host of 1,024 bytes is at most 1,024 code
// points, which IDNA maps in microseconds, and no name that fits DNS's 253
// bytes needs more (four bytes of UTF-8 for each of its characters, plus a
// few ignorable ones, which are refused anyway).
const maxRawHostLen = 1024

// maxZoneLen bounds the zone of an IPv6 address: an interface name (at most
// 15 bytes on Linux, 16 on BSD) or index.
const maxZoneLen = 64

// idnaLookup maps non-ASCII host names to their ASCII form with the lookup
// rules of UTS 46 (case folding, width and compatibility mappings, ignored
// characters such as the soft hyphen, the ideographic full stop as a dot) and
// the Bidi rule. The STD3 restriction is lifted so that '_' and '*' pass
// through to hostChars, which decides what a host may hold, the same way for
// ASCII and mapped input.
var idnaLookup = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(false), idna.CheckHyphens(false))

// canonHost puts host into canonical form. An IP literal comes back as ip,
// with any IPv4-mapped IPv6 address unmapped and any zone dropped (zone
// reports whether there was one). A name comes back appended to buf: ASCII,
// lower case, without its one optional trailing dot, after IDNA mapping if it
// had non-ASCII characters. star allows '*' in a name, for patterns.
//
// A name whose last label is a number must be a plain dotted-quad IPv4
// address (the rule of the WHATWG URL standard); other spellings such as
// "127.1", "0x7f.1", "0177.0.0.1" or "2130706433", which some resolvers read
// as an address, are refused so that they cannot pass a rule written for the
// address.
func canonHost(buf []byte, host string, star bool) (ip netip.Addr, zone bool, name []byte, err error) {
	if host == "" {
		return ip, false, nil, errors.New("empty host")
	}
	if len(host) > maxRawHostLen {
		return ip, false, nil, errors.New("host of " + strconv.Itoa(len(host)) + " bytes is longer than the " + strconv.Itoa(maxRawHostLen) + " a host may have")
	}
	orig := host
	if strings.IndexByte(host, ':') >= 0 {
		ip, err = netip.ParseAddr(host)
		if err != nil || !ip.Is6() {
			return netip.Addr{}, false, nil, errors.New("invalid IPv6 address " + quote(host))
		}
		if z := ip.Zone(); z != "" {
			if err := checkZone(z); err != nil {
				return netip.Addr{}, false, nil, errors.New("invalid IPv6 address " + quote(host) + ": " + err.Error())
			}
		}
		return ip.WithZone("").Unmap(), ip.Zone() != "", nil, nil
	}
	if !isASCII(host) {
		if err := checkUnicode(host); err != nil {
			return ip, false, nil, errors.New("invalid host " + quote(host) + ": " + err.Error())
		}
		if err := checkASCIIRuns(host); err != nil {
			return ip, false, nil, errors.New("invalid host " + quote(host) + ": " + err.Error())
		}
		if star && starBesideNonASCII(host) {
			// IDNA would encode the '*' into the label's punycode, where
			// it no longer stands for what the Unicode label holds.
			return ip, false, nil, errors.New("invalid host " + quote(host) + ": '*' cannot share a label with non-ASCII letters; write the label's punycode form or a whole-label wildcard")
		}
		mapped, err := idnaLookup.ToUnicode(host)
		if err != nil {
			return ip, false, nil, errors.New("invalid international host name " + quote(host) + ": " + err.Error())
		}
		if strings.Count(mapped, "*") != strings.Count(host, "*") {
			// A look-alike such as the full-width asterisk must not turn
			// into a wildcard.
			return ip, false, nil, errors.New("invalid host " + quote(host) + ": '*' must be written as the ASCII character")
		}
		ascii, err := encodeLabels(buf[:0], mapped)
		if err != nil {
			return ip, false, nil, errors.New("invalid international host name " + quote(host) + ": " + err.Error())
		}
		host = string(ascii)
	}
	if len(host) > maxHostLen+1 {
		return ip, false, nil, errors.New("host name longer than 253 bytes")
	}
	name = buf[:0]
	for i := 0; i < len(host); i++ {
		c := host[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		name = append(name, c)
	}
	if len(name) > 1 && name[len(name)-1] == '.' {
		name = name[:len(name)-1]
	}
	if err := checkName(name, star); err != nil {
		return ip, false, nil, errors.New("invalid host " + quote(orig) + ": " + err.Error())
	}
	if endsInNumber(name) && bytes.IndexByte(name, '*') < 0 {
		if ip, ok := parseDottedQuad(name); ok {
			return ip, false, nil, nil
		}
		return ip, false, nil, errors.New("host " + quote(orig) + " ends in a number but is not a dotted-quad IPv4 address")
	}
	return ip, false, name, nil
}

// checkZone accepts the zone of an IPv6 address when it is an interface
// name or index: letters, digits, '-', '_' and '.'. The zone is passed on
// to the Dialer, so nothing in it may read differently downstream.
func checkZone(zone string) error {
	if len(zone) > maxZoneLen {
		return errors.New("zone longer than " + strconv.Itoa(maxZoneLen) + " bytes")
	}
	for i := 0; i < len(zone); i++ {
		c := zone[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return errors.New("character " + strconv.QuoteRune(rune(c)) + " in zone " + quote(zone) + " is not allowed")
		}
	}
	return nil
}

// starBesideNonASCII reports whether a label of host holds both '*' and a
// non-ASCII character. Labels end at '.' and at the dots IDNA maps to '.'.
func starBesideNonASCII(host string) bool {
	star, other := false, false
	for _, r := range host {
		switch {
		case r == '.' || r == '\u3002' || r == '\uff0e' || r == '\uff61':
			star, other = false, false
		case r == '*':
			star = true
		case r >= 0x80:
			other = true
		}
		if star && other {
			return true
		}
	}
	return false
}

// checkName accepts letters, digits, '-', '_' and, with star, '*', in
// non-empty labels of at most 63 bytes.
func checkName(name []byte, star bool) error {
	if len(name) > maxHostLen {
		return errors.New("longer than 253 bytes")
	}
	label := 0
	for i, c := range name {
		switch {
		case c == '.':
			if label == 0 {
				return errors.New("empty label")
			}
			label = 0
			continue
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		case c == '*' && star:
		default:
			return errors.New("character " + strconv.QuoteRune(rune(c)) + " at offset " + strconv.Itoa(i) + " is not allowed in a host name")
		}
		label++
		if label > 63 {
			return errors.New("label longer than 63 bytes")
		}
	}
	if label == 0 {
		return errors.New("empty label")
	}
	return nil
}

// endsInNumber reports whether the last label of name is a decimal number or
// a 0x hexadecimal one, the WHATWG test for "this host is meant as IPv4".
func endsInNumber(name []byte) bool {
	last := name
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			last = name[i+1:]
			break
		}
	}
	if len(last) >= 2 && last[0] == '0' && last[1] == 'x' {
		for _, c := range last[2:] {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
		return true
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(last) > 0
}

// parseDottedQuad parses exactly four decimal parts of 0 to 255 without
// leading zeros.
func parseDottedQuad(s []byte) (netip.Addr, bool) {
	var quad [4]byte
	part, digits, value := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || part > 3 {
				return netip.Addr{}, false
			}
			quad[part] = byte(value)
			part, digits, value = part+1, 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' || (digits > 0 && value == 0) {
			return netip.Addr{}, false
		}
		value = value*10 + int(c-'0')
		digits++
		if value > 255 {
			return netip.Addr{}, false
		}
	}
	return netip.AddrFrom4(quad), part == 4
}

// parsePort reads a port the way it is dialed: decimal digits only, no sign,
// no leading zero, at most 65535. Service names are refused rather than
// looked up, so the number a rule sees is the number that is dialed.
func parsePort(s string) (uint16, error) {
	if s == "" {
		return 0, errors.New("empty port")
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, errors.New("port " + quote(s) + " has a leading zero")
	}
	value := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errors.New("port " + quote(s) + " is not a decimal number")
		}
		value = value*10 + int(c-'0')
		if value > 65535 {
			return 0, errors.New("port " + quote(s) + " is above 65535")
		}
	}
	return uint16(value), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
