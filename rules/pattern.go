package rules

import (
	"bytes"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"unsafe"
)

// hostKind says which part of the index holds a pattern and how its host
// matches.
type hostKind uint8

const (
	hostAny        hostKind = iota // "*": every host
	hostName                       // "example.com": that name only
	hostDomain                     // ".example.com": the name and every name below it
	hostSubdomains                 // "*.example.com": every name strictly below
	hostGlob                       // '*' elsewhere, with a letter: matched against a name
	hostIPv4Glob                   // '*' among digits and dots only: matched against an IPv4 address's text
	hostPrefix                     // an IP literal (a full-length prefix) or a CIDR block
)

// pattern is a Rule's Pattern compiled: its canonical host and port range.
type pattern struct {
	kind   hostKind
	text   string       // canonical name, domain without its dot, or glob
	prefix netip.Prefix // for hostPrefix; IPv4-mapped blocks are stored as IPv4
	lo, hi uint16       // inclusive port range; 0-65535 when no port is given
}

// maxPatternLen bounds a pattern as written: the longest address, a prefix
// length and the far end of a port range. Longer patterns are refused before
// any parsing.
const maxPatternLen = maxAddressLen + len("/128-65535")

// parsePattern validates and compiles one pattern.
func parsePattern(s string) (pattern, error) {
	var scratch [maxHostLen + 1]byte
	p, err := parsePatternIn(&scratch, s)
	p.text = strings.Clone(p.text)
	return p, err
}

// parsePatternIn is parsePattern with the canonical name or glob written in
// scratch: p.text is valid only until scratch is used again. A builder,
// which copies it at once, so allocates nothing for it.
func parsePatternIn(scratch *[maxHostLen + 1]byte, s string) (pattern, error) {
	p := pattern{lo: 0, hi: 65535}
	switch {
	case s == "":
		return p, errors.New("empty pattern")
	case len(s) > maxPatternLen:
		return p, errors.New("pattern of " + strconv.Itoa(len(s)) + " bytes is longer than the " + strconv.Itoa(maxPatternLen) + " a pattern may have")
	}
	host, port, hasPort, bracketed := s, "", false, false
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return p, errors.New("missing ']'")
		}
		host, bracketed = s[1:end], true
		switch rest := s[end+1:]; {
		case rest == "":
		case rest[0] == ':':
			port, hasPort = rest[1:], true
		default:
			return p, errors.New("unexpected " + quote(rest) + " after ']'")
		}
		if strings.IndexByte(host, ':') < 0 {
			return p, errors.New("brackets hold only IPv6 addresses and blocks")
		}
	} else if strings.Count(s, ":") == 1 {
		i := strings.IndexByte(s, ':')
		host, port, hasPort = s[:i], s[i+1:], true
	}
	if host == "" {
		return p, errors.New("empty host")
	}
	if hasPort {
		var err error
		if p.lo, p.hi, err = parsePortRange(port); err != nil {
			return p, err
		}
	}
	if err := p.parseHost(scratch[:0], host, bracketed); err != nil {
		return p, err
	}
	return p, nil
}

func (p *pattern) parseHost(buf []byte, host string, bracketed bool) error {
	switch {
	case strings.IndexByte(host, '/') >= 0:
		return p.parseBlock(host)
	case strings.IndexByte(host, ':') >= 0 && strings.IndexByte(host, '*') >= 0:
		return errors.New("'*' is not allowed in an IPv6 address; use a CIDR block")
	case strings.IndexByte(host, ':') >= 0 && strings.IndexByte(host, '.') >= 0:
		if ip, err := netip.ParseAddr(host); err == nil && !ip.Is4In6() && ipv4Compatible.Contains(ip) {
			b := ip.As16()
			return errors.New(quote(host) + " is the IPv6 address " + ip.String() + ", not an IPv4 address; write " +
				netip.AddrFrom4([4]byte(b[12:])).String() + " for the IPv4 address, or " + ip.String() + " for the IPv6 one")
		}
	case host == "*":
		p.kind = hostAny
		return nil
	}
	domain := host[0] == '.'
	if domain {
		host = host[1:]
	}
	ip, zone, name, err := canonHost(buf, host, !domain)
	switch {
	case domain && err == nil && ip.IsValid(), domain && err != nil && endsInNumber([]byte(strings.TrimSuffix(host, "."))):
		// No name ends in a number, so ".0.0.2" could only mean IPv4
		// addresses by their text, which is what "*.0.0.2" says.
		return errors.New("a leading dot needs a domain name, not an IP address or number; to match IPv4 addresses by their text write '*" + host + "'")
	case err != nil:
		return err
	case zone:
		return errors.New("an IPv6 zone is not allowed in a pattern; a rule without one matches every zone")
	case ip.IsValid():
		p.kind, p.prefix = hostPrefix, netip.PrefixFrom(ip, ip.BitLen())
	case domain:
		p.kind, p.text = hostDomain, borrow(name)
	case string(name) == "*":
		p.kind = hostAny
	case bytes.IndexByte(name, '*') < 0:
		p.kind, p.text = hostName, borrow(name)
	case bytes.HasPrefix(name, []byte("*.")) && bytes.IndexByte(name[2:], '*') < 0 && !endsInNumber(name):
		// A name that ends in a number can only be an IPv4 address, which
		// has no subdomains: "*.0.0.2" stays a glob over the address's
		// text, so that it matches 127.0.0.2 as a shell glob would.
		p.kind, p.text = hostSubdomains, borrow(name[2:])
	default:
		return p.parseGlob(name)
	}
	return nil
}

// parseGlob sorts a glob by what it can match. One of digits, dots and
// stars only reads as IPv4 addresses ("10.*", "*.0.0.2") and matches only
// their text, never a name such as 10.attacker.example that it would
// otherwise let through; one with a letter, '-' or '_' matches only names.
// One of dots and stars only ("*.*") reads as either and is refused.
func (p *pattern) parseGlob(name []byte) error {
	digits, other := false, false
	for _, c := range name {
		switch {
		case '0' <= c && c <= '9':
			digits = true
		case c != '.' && c != '*':
			other = true
		}
	}
	switch {
	case other:
		p.kind = hostGlob
	case digits:
		p.kind = hostIPv4Glob
	default:
		return errors.New("glob " + quote(string(name)) + " has no letter or digit, so it could mean names or IPv4 addresses; write '*' for every host")
	}
	p.text = borrow(name)
	return nil
}

// borrow returns b as a string without copying it: the string changes when
// b does.
func borrow(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// ipv4Compatible is the deprecated IPv4-compatible IPv6 block (RFC 4291
// 2.5.5.1), whose addresses are written like "::10.0.0.1" but are not the
// IPv4 addresses they spell.
var ipv4Compatible = netip.MustParsePrefix("::/96")

// parseBlock reads a CIDR block. A block must be written with its host bits
// clear ("10.0.0.0/8", not "10.0.0.1/8", which may have meant one
// address), and an IPv4-mapped block ("::ffff:10.0.0.0/104") stands for the
// IPv4 block it carries, so it must be /96 or longer: "::ffff:10.0.0.0/8"
// would otherwise be the IPv6 block ::/8, which holds no IPv4 address.
func (p *pattern) parseBlock(host string) error {
	prefix, err := netip.ParsePrefix(host)
	if err != nil {
		return errors.New("invalid CIDR block " + quote(host))
	}
	addr, bits := prefix.Addr(), prefix.Bits()
	switch {
	case addr.Is4In6() && bits < 96:
		fix := "a prefix length of /96 to /128"
		if bits <= 32 {
			// Most likely the IPv4 prefix length was meant.
			fix = "::ffff:" + addr.Unmap().String() + "/" + strconv.Itoa(96+bits) + ", or " + addr.Unmap().String() + "/" + strconv.Itoa(bits)
		}
		return errors.New("IPv4-mapped block " + quote(host) + " is shorter than /96, so it is not an IPv4 block; write " + fix)
	case !addr.Is4In6() && bits >= 96 && strings.IndexByte(host, '.') >= 0 && ipv4Compatible.Contains(addr):
		return errors.New(quote(host) + " is an IPv6 block of IPv4-compatible addresses, not an IPv4 block; write " +
			netip.PrefixFrom(netip.AddrFrom4([4]byte(addr.AsSlice()[12:])), bits-96).String() + " for IPv4 addresses")
	}
	if masked := prefix.Masked(); masked != prefix {
		return errors.New("CIDR block " + quote(host) + " has bits set after its prefix length; write " + masked.String())
	}
	if addr.Is4In6() {
		prefix = netip.PrefixFrom(addr.Unmap(), bits-96)
	}
	p.kind, p.prefix = hostPrefix, prefix
	return nil
}

// parsePortRange reads "port" or "min-max".
func parsePortRange(s string) (lo, hi uint16, err error) {
	first, last, isRange := strings.Cut(s, "-")
	if isRange && (first == "" || last == "") {
		return 0, 0, errors.New("port range " + quote(s) + " needs both ends")
	}
	if lo, err = parsePort(first); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = parsePort(last); err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, errors.New("port range " + quote(s) + " ends before it starts")
	}
	return lo, hi, nil
}

// matches reports whether p selects t. It is the plain definition of the
// pattern language, which the index must agree with.
func (p *pattern) matches(t *target) bool {
	if t.port < p.lo || t.port > p.hi {
		return false
	}
	switch p.kind {
	case hostAny:
		return true
	case hostGlob:
		return !t.ip.IsValid() && glob(p.text, t.text)
	case hostIPv4Glob:
		return t.ip.Is4() && glob(p.text, t.text)
	case hostPrefix:
		return t.ip.IsValid() && prefixContains(p.prefix, t.ip)
	}
	if t.ip.IsValid() {
		return false
	}
	switch p.kind {
	case hostName:
		return string(t.text) == p.text
	case hostDomain:
		return string(t.text) == p.text || isBelow(t.text, p.text)
	default: // hostSubdomains
		return isBelow(t.text, p.text)
	}
}

// isBelow reports whether name ends in "."+domain.
func isBelow(name []byte, domain string) bool {
	n := len(name) - len(domain)
	return n > 1 && name[n-1] == '.' && string(name[n:]) == domain
}

// prefixContains is prefix.Contains(ip): an IPv4 address is held only by
// IPv4 blocks (which IPv4-mapped blocks became when parsed), never by an
// IPv6 block such as ::/0 that holds its mapped form.
func prefixContains(prefix netip.Prefix, ip netip.Addr) bool {
	return prefix.Contains(ip)
}
