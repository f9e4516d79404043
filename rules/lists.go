package rules

import (
	"errors"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// The readers of this file turn the lists users already have into a Table
// whose rules have no target: what a list means (block, send through a
// VPN) is decided by whoever maps the whole list onto one action, such as
// dialx.NewListed. Each reads with the same loop as Parse (readList), so
// the limits and the error reports are Parse's.

// ParseHosts reads a hosts file, as block lists such as StevenBlack/hosts
// are written, into a Table: each line holds an IP address and one or more
// names, separated by spaces or tabs, and each name becomes a pattern that
// matches that name only, whatever the address (0.0.0.0, 127.0.0.1 or any
// other). '#' starts a comment that runs to the end of the line; blank lines
// are skipped:
//
//	# ad servers
//	0.0.0.0 ads.example tracker.example   # two names
//	127.0.0.1 metrics.example
//
// The entries a hosts file holds for the machine itself are skipped, not
// listed: the names localhost, localhost.localdomain, local, broadcasthost
// and the ip6- names (ip6-localhost, ip6-loopback, ip6-localnet,
// ip6-mcastprefix, ip6-allnodes, ip6-allrouters, ip6-allhosts), which the
// default hosts files of Debian and macOS define and StevenBlack/hosts keeps
// at its top, and a name that is itself an IP address ("0.0.0.0 0.0.0.0").
// A line whose first field is not an IP address, a line with no name, and a
// name that is not a plain host name (a wildcard, a port, a leading dot) are
// bad lines.
//
// The patterns keep the file's order, and [Table.Rule] returns each with an
// empty target and its line. As [Parse] does, ParseHosts reports every bad
// line at once, each as an [*Error] with its Line, joined with
// [errors.Join], and then returns no Table; a line may hold at most 64 KiB,
// and an error of r is returned too, naming the line it was reading.
func ParseHosts(r io.Reader) (*Table, error) {
	return readList(r, hostsLine)
}

// hostsLine reads line number line of a hosts file into b.
func hostsLine(b *builder, line int, text string) {
	text, _, _ = strings.Cut(text, "#")
	address, names := nextField(text)
	if address == "" {
		return
	}
	if _, err := netip.ParseAddr(address); err != nil {
		refuse(b, line, address, "want ADDRESS NAME..., got a first field that is not an IP address")
		return
	}
	name, names := nextField(names)
	if name == "" {
		refuse(b, line, address, "want ADDRESS NAME..., got no name")
	}
	for ; name != ""; name, names = nextField(names) {
		switch {
		case localNames[strings.ToLower(strings.TrimSuffix(name, "."))] || isAddress(name):
		case !plainName(name):
			refuse(b, line, name, "a hosts file lists host names, got a pattern")
		default:
			b.add(name, "", line)
		}
	}
}

// localNames are the names the default hosts files define for the machine
// itself: Debian's (localhost, ip6-localhost, ip6-loopback, ip6-localnet,
// ip6-mcastprefix, ip6-allnodes, ip6-allrouters, ip6-allhosts), macOS's
// (broadcasthost) and those StevenBlack/hosts adds to them
// (localhost.localdomain, local). A hosts block list repeats them so that it
// can replace /etc/hosts; they list nothing to block.
var localNames = map[string]bool{
	"localhost": true, "localhost.localdomain": true, "local": true, "broadcasthost": true,
	"ip6-localhost": true, "ip6-loopback": true, "ip6-localnet": true, "ip6-mcastprefix": true,
	"ip6-allnodes": true, "ip6-allrouters": true, "ip6-allhosts": true,
}

// ParseDomains reads a domain list, one domain a line, into a Table: each
// line "example.com" becomes the pattern ".example.com", which matches the
// domain and every name below it, as block lists of domains mean it. A line
// may also be written as a pattern of the same kind: ".example.com" is read
// as it is, and "*.example.com" matches the names below example.com but not
// example.com itself, as in the pattern grammar. '#' starts a comment that
// runs to the end of the line; blank lines are skipped:
//
//	# trackers
//	tracker.example          # and every name below it
//	*.cdn.example            # the names below cdn.example only
//
// A line with more than one field, an IP address, a port, a wildcard
// anywhere but in a leading "*.", and a line in adblock filter syntax
// ("||example.com^", "! comment", "@@...") are bad lines: an adblock list
// holds more than domains, and reading only part of it would block less
// than it says.
//
// The patterns keep the file's order, and [Table.Rule] returns each, as
// the line made it, with an empty target and its line. An [*Error] names
// the field as written, or for a name the pattern grammar refuses the
// pattern the line made (".exa..mple"). ParseDomains reports bad lines and
// reader errors as [ParseHosts] does.
func ParseDomains(r io.Reader) (*Table, error) {
	return readList(r, domainLine)
}

// domainLine reads line number line of a domain list into b.
func domainLine(b *builder, line int, text string) {
	text, _, _ = strings.Cut(text, "#")
	domain, rest := nextField(text)
	below := strings.TrimPrefix(strings.TrimPrefix(domain, "*."), ".")
	switch extra, _ := nextField(rest); {
	case domain == "":
	case strings.HasPrefix(domain, "||") || strings.HasPrefix(domain, "@@") || strings.HasPrefix(domain, "!") ||
		strings.HasPrefix(domain, "[Adblock") || hasByteOf(domain, "^$|"):
		refuse(b, line, domain, `want one domain a line, got adblock filter syntax (write "example.com" for "||example.com^")`)
	case extra != "":
		refuse(b, line, domain, "want one domain a line, got "+strconv.Itoa(len(strings.Fields(text)))+" fields")
	case isAddress(domain):
		refuse(b, line, domain, "want a domain, got an IP address")
	case !plainName(below):
		refuse(b, line, domain, "want a domain, got a pattern")
	case endsInNumberText(below):
		refuse(b, line, domain, "want a domain, got a name that ends in a number")
	case below != domain:
		b.add(domain, "", line)
	default:
		b.add("."+domain, "", line)
	}
}

// ParseCIDRs reads a list of IP addresses and CIDR blocks, one a line, into
// a Table: each becomes a pattern that matches that address or the
// addresses of that block, IPv4 or IPv6. ';' or '#' starts a comment that
// runs to the end of the line, as in Spamhaus's DROP lists; blank lines are
// skipped:
//
//	; Spamhaus DROP List
//	192.0.2.0/24 ; SBL123
//	198.51.100.7             # a single address
//	2001:db8::/32
//
// A line with more than one field before its comment, a field that is not
// an IP address or CIDR block, and a block with host bits set
// ("192.0.2.1/24") are bad lines. The patterns keep the file's order, and
// [Table.Rule] returns each with an empty target and its line. ParseCIDRs
// reports bad lines and reader errors as [ParseHosts] does.
func ParseCIDRs(r io.Reader) (*Table, error) {
	return readList(r, cidrLine)
}

// cidrLine reads line number line of a CIDR list into b.
func cidrLine(b *builder, line int, text string) {
	if comment := strings.IndexAny(text, ";#"); comment >= 0 {
		text = text[:comment]
	}
	block, rest := nextField(text)
	switch extra, _ := nextField(rest); {
	case block == "":
	case extra != "":
		refuse(b, line, block, "want one address or CIDR block a line, got "+strconv.Itoa(len(strings.Fields(text)))+" fields")
	case !isAddress(block) && !isBlock(block):
		refuse(b, line, block, "want an IP address or CIDR block")
	default:
		b.add(block, "", line)
	}
}

// refuse keeps a bad line of a list as an [*Error] naming field.
func refuse(b *builder, line int, field, why string) {
	b.fail(&Error{Line: line, Index: b.count(), Pattern: field, Err: errors.New(why)})
}

// plainName reports whether name can only be read as a host name by the
// pattern grammar: no wildcard, port, block, brackets or leading dot. The
// builder checks the name itself.
func plainName(name string) bool {
	return name != "" && name[0] != '.' && !hasByteOf(name, "*:/[]")
}

// hasByteOf reports whether s holds one of the ASCII bytes of set: what
// strings.ContainsAny does, without building a set on every line.
func hasByteOf(s, set string) bool {
	for i := range len(s) {
		if strings.IndexByte(set, s[i]) >= 0 {
			return true
		}
	}
	return false
}

// endsInNumberText is endsInNumber for a name as written, which may end in
// a dot; it converts only a name whose last character is a digit or a
// hexadecimal letter, so that a list of names costs no allocation here.
func endsInNumberText(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if name == "" || !isHexDigit(name[len(name)-1]) {
		return false
	}
	return endsInNumber([]byte(strings.ToLower(name)))
}

// isAddress reports whether s is an IP address, with a zone or not. A host
// name, which neither holds a colon (IPv6) nor ends in a digit (IPv4), is
// told apart without the error a failed parse allocates.
func isAddress(s string) bool {
	if s == "" || !strings.Contains(s, ":") && !isDigit(s[len(s)-1]) {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// isBlock reports whether s is an IP address with a prefix length.
func isBlock(s string) bool {
	_, err := netip.ParsePrefix(s)
	return err == nil
}
