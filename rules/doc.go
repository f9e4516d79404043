// Package rules matches network addresses against an ordered list of
// patterns without dialing anything: the matcher behind dialx's Selective
// and Guard, for use on its own by code that checks a destination before it
// connects, such as an HTTP handler or a proxy.
//
// [Compile] builds a [Table] from patterns and [Parse] from a rules file,
// whose lines name a target; [ParseHosts], [ParseDomains] and [ParseCIDRs]
// read the lists users already have (hosts files, domain lists, CIDR lists
// such as Spamhaus's DROP) into a Table whose rules have no target, for a
// whole list to mean one thing, such as "block". [Table.Match] finds the first pattern that matches an address and returns
// the address in the canonical form it checked, which is what should be
// dialed. [NonPublicPrefixes] lists the address blocks that are not globally
// reachable, for refusing them.
//
// # Patterns
//
// The pattern syntax is:
//
//	pattern:
//		host                    any port
//		host ':' ports
//		'[' ipv6 ']' [ ':' ports ]
//		ipv6                    bare, without a port
//	host:
//		'*'                     every host
//		name                    that name only
//		'*.' name               every name below name, not name itself
//		'.' name                name and every name below it
//		glob                    '*' matches any run of characters, dots included
//		ipv4 [ '/' bits ]       an IPv4 address or CIDR block
//	ipv6:
//		address [ '/' bits ]    an IPv6 address or CIDR block
//	ports:
//		port                    decimal 0 to 65535, no sign, no leading zero
//		port '-' port           an inclusive range
//
// A name holds letters, digits, '-', '_' and '.', or Unicode that IDNA maps
// to those. An IPv4 address is held only by IPv4 blocks, which may be written
// in the IPv4-mapped form of /96 or longer ("::ffff:10.0.0.0/104" is
// 10.0.0.0/8); an IPv6 block such as "::/0" never holds an IPv4 address. A
// CIDR block must have its host bits clear. A glob of digits, dots and '*'
// only ("10.*", "*.0.0.2") matches IPv4 addresses by their dotted-quad text
// and never a name such as 10.attacker.example; any other glob matches names
// only; no glob matches an IPv6 address. Refused as ambiguous: a glob of dots
// and '*' only ("*.*"), an IPv4-mapped block shorter than /96, an
// IPv4-compatible address written with dots ("::10.0.0.1"), '*' in the same
// label as non-ASCII letters ("bü*.example": write its punycode form or a
// whole-label wildcard), and a leading dot before a number (".0.0.2").
//
// # Canonical form
//
// Hosts are compared in canonical form, on the pattern and on the address
// alike: names in lower case, without one trailing dot, non-ASCII names
// mapped to ASCII with the IDNA lookup rules (so "bücher.example" is
// "xn--bcher-kva.example"); IP literals as addresses (so "0:0::1" is "::1"),
// an IPv4-mapped IPv6 address as the IPv4 address it carries, in both
// directions, and an IPv6 address with a zone as the address without it. An
// address in canonical form is "name:port", "a.b.c.d:port" or
// "[ipv6]:port", with the zone kept only on a link-local address, which
// needs it.
//
// Whatever cannot be read that way is refused, in patterns and addresses
// alike, never passed on: bytes that are not UTF-8, control characters, NUL,
// U+FFFD, characters IDNA would drop (such as the soft hyphen), a host whose
// last label is a number but which is not a dotted-quad IPv4 address
// ("127.1", "0x7f.0.0.1", "0177.0.0.1" and "2130706433", which some
// resolvers read as 127.0.0.1), and a port that is not the plain decimal
// number to be dialed ("080", "+80", "http"). Length is checked before any
// conversion: an address may have at most 1,032 bytes, a label 63 and a name
// 253 in ASCII form.
package rules
