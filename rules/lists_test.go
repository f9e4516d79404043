package rules_test

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/rules"
)

// readers are the list readers of this file, by name, for the tests that
// every format passes alike.
var readers = map[string]func(io.Reader) (*rules.Table, error){
	"ParseHosts":   rules.ParseHosts,
	"ParseDomains": rules.ParseDomains,
	"ParseCIDRs":   rules.ParseCIDRs,
}

// badLines lists the line, index and message of each error of err.
func badLines(t *testing.T, err error) []string {
	t.Helper()
	var out []string
	for _, re := range errorsOf(t, err) {
		out = append(out, re.Error())
	}
	return out
}

// matchOf returns the pattern of table that address matches, or "" for none.
func matchOf(t *testing.T, table *rules.Table, address string) string {
	t.Helper()
	i, _, err := table.Match(address)
	require.NoError(t, err, address)
	if i < 0 {
		return ""
	}
	pattern, _, _ := table.Rule(i)
	return pattern
}

// TestListReadersListWhatTheirLinesSay reads a list of each format, as
// real lists write them, and checks the rules, with their lines, and what
// each matches.
func TestListReadersListWhatTheirLinesSay(t *testing.T) {
	tests := []struct {
		read    func(io.Reader) (*rules.Table, error)
		file    string
		rules   []string          // "pattern target line"
		matches map[string]string // address: the pattern it matches, "" for none
	}{
		// The top of a hosts block list as StevenBlack/hosts writes it:
		// the machine's own entries are skipped, every other name is
		// listed, several a line.
		{read: rules.ParseHosts,
			file: "\uFEFF# Title: StevenBlack/hosts\n" +
				"127.0.0.1 localhost\n" +
				"127.0.0.1 localhost.localdomain\n" +
				"127.0.0.1 local\n" +
				"255.255.255.255 broadcasthost\n" +
				"::1 localhost ip6-localhost ip6-loopback\n" +
				"fe80::1%lo0 localhost\n" +
				"fe00::0 ip6-localnet\n" +
				"ff00::0 ip6-mcastprefix\n" +
				"ff02::1 ip6-allnodes\n" +
				"ff02::2 ip6-allrouters\n" +
				"ff02::3 ip6-allhosts\n" +
				"0.0.0.0 0.0.0.0\n" +
				"\n" +
				"# Custom host records are listed here.\n" +
				"0.0.0.0 ads.example   # trailing comment\r\n" +
				"0.0.0.0\tTracker.Example.\tmetrics.example\n" +
				"127.0.0.1 LOCALHOST. pixel.example\n" +
				"   ::  bücher.example\n",
			rules: []string{
				"ads.example  16", "Tracker.Example.  17", "metrics.example  17", "pixel.example  18", "bücher.example  19",
			},
			matches: map[string]string{
				"ads.example:443":            "ads.example",
				"www.ads.example:443":        "", // a hosts file names names, not domains
				"tracker.example:80":         "Tracker.Example.",
				"xn--bcher-kva.example:443":  "bücher.example",
				"localhost:80":               "",
				"0.0.0.0:80":                 "",
				"broadcasthost:80":           "",
				"ip6-localhost:80":           "",
				"metrics.example.:80":        "metrics.example",
				"pixel.example:8080":         "pixel.example",
				"elsewhere.example:443":      "",
				"localhost.localdomain:8080": "",
			}},
		// Each way of writing a domain.
		{read: rules.ParseDomains,
			file: "# trackers\n" +
				"tracker.example\n" +
				"  Ads.Example.   # inline comment\r\n" +
				"*.cdn.example\n" +
				".intra.example\n" +
				"\n" +
				"bücher.example\n",
			rules: []string{
				".tracker.example  2", ".Ads.Example.  3", "*.cdn.example  4", ".intra.example  5", ".bücher.example  7",
			},
			matches: map[string]string{
				"tracker.example:443":           ".tracker.example",
				"a.b.tracker.example:80":        ".tracker.example",
				"nottracker.example:443":        "",
				"ads.example:443":               ".Ads.Example.",
				"x.cdn.example:443":             "*.cdn.example",
				"cdn.example:443":               "", // "*." lists the names below only
				"intra.example:22":              ".intra.example",
				"www.xn--bcher-kva.example:443": ".bücher.example",
				"example:443":                   "",
			}},
		// A list in the form of Spamhaus's DROP lists and FireHOL's netsets.
		{read: rules.ParseCIDRs,
			file: "; Spamhaus DROP List 2026/12/03 - (c) 2026 The Spamhaus Project\n" +
				"; Last-Modified: Thu, 03 Dec 2026 06:00:00 GMT\n" +
				"192.0.2.0/24 ; SBL123\n" +
				"198.51.100.7;SBL456\n" +
				"# a FireHOL-style comment\n" +
				"  2001:db8::/32  # documentation\n" +
				"203.0.113.0/25\r\n" +
				"::ffff:100.64.0.0/106\n",
			rules: []string{
				"192.0.2.0/24  3", "198.51.100.7  4", "2001:db8::/32  6", "203.0.113.0/25  7", "::ffff:100.64.0.0/106  8",
			},
			matches: map[string]string{
				"192.0.2.200:443":           "192.0.2.0/24",
				"[::ffff:192.0.2.1]:80":     "192.0.2.0/24",
				"198.51.100.7:25":           "198.51.100.7",
				"198.51.100.8:25":           "",
				"[2001:db8:1::5]:443":       "2001:db8::/32",
				"203.0.113.127:80":          "203.0.113.0/25",
				"203.0.113.128:80":          "",
				"100.64.1.1:80":             "::ffff:100.64.0.0/106",
				"example.com:443":           "",
				"[2001:db9::1]:443":         "",
				"[fe80::1%25eth0]:443":      "",
				"192.0.2.0.example.com:443": "",
			}},
	}
	for _, tt := range tests {
		table, err := tt.read(strings.NewReader(tt.file))
		require.NoError(t, err)
		assert.Equal(t, tt.rules, rulesOf(table), "pattern, empty target, line")
		for address, want := range tt.matches {
			assert.Equal(t, want, matchOf(t, table, address), address)
		}
	}
}

// TestListReadersReportEveryBadLine checks the message of each kind of bad
// line of each format, all reported at once.
func TestListReadersReportEveryBadLine(t *testing.T) {
	adblock := `want one domain a line, got adblock filter syntax (write "example.com" for "||example.com^")`
	notBlock := "want an IP address or CIDR block"
	tests := []struct {
		read  func(io.Reader) (*rules.Table, error)
		lines []string
		want  []string
	}{
		{read: rules.ParseHosts,
			lines: []string{
				"0.0.0.0 fine.example",                // 1
				"ads.example 0.0.0.0",                 // 2: names first
				"0.0.0.0",                             // 3: no name
				"0.0.0.0 ok.example *.ads.example",    // 4: a wildcard; ok.example is still a rule
				"0.0.0.0 .ads.example ads.example:80", // 5: two patterns
				"0.0.0.0 127.1",                       // 6: not a host name
				"0.0.0.1/8 ads.example",               // 7: a block is not an address
				"0.0.0.0 last.example",                // 8
			},
			want: []string{
				`dialx: line 2: pattern "ads.example": want ADDRESS NAME..., got a first field that is not an IP address`,
				`dialx: line 3: pattern "0.0.0.0": want ADDRESS NAME..., got no name`,
				`dialx: line 4: pattern "*.ads.example": a hosts file lists host names, got a pattern`,
				`dialx: line 5: pattern ".ads.example": a hosts file lists host names, got a pattern`,
				`dialx: line 5: pattern "ads.example:80": a hosts file lists host names, got a pattern`,
				`dialx: line 6: pattern "127.1": host "127.1" ends in a number but is not a dotted-quad IPv4 address`,
				`dialx: line 7: pattern "0.0.0.1/8": want ADDRESS NAME..., got a first field that is not an IP address`,
			}},
		{read: rules.ParseDomains,
			lines: []string{
				"fine.example",                  // 1
				"||ads.example^",                // 2: adblock
				"! Title: an adblock list",      // 3: adblock comment
				"@@||allowed.example^$document", // 4: adblock exception
				"0.0.0.0 ads.example",           // 5: a hosts line
				"192.0.2.1",                     // 6: an address
				"ads.example:443",               // 7: a port
				"ads.*.example",                 // 8: a glob
				"*",                             // 9: everything
				"ads.123",                       // 10: not a domain
				"exa mple.example # two fields", // 11
				"b..example",                    // 12: empty label
			},
			want: []string{
				`dialx: line 2: pattern "||ads.example^": ` + adblock,
				`dialx: line 3: pattern "!": ` + adblock,
				`dialx: line 4: pattern "@@||allowed.example^$document": ` + adblock,
				`dialx: line 5: pattern "0.0.0.0": want one domain a line, got 2 fields`,
				`dialx: line 6: pattern "192.0.2.1": want a domain, got an IP address`,
				`dialx: line 7: pattern "ads.example:443": want a domain, got a pattern`,
				`dialx: line 8: pattern "ads.*.example": want a domain, got a pattern`,
				`dialx: line 9: pattern "*": want a domain, got a pattern`,
				`dialx: line 10: pattern "ads.123": want a domain, got a name that ends in a number`,
				`dialx: line 11: pattern "exa": want one domain a line, got 2 fields`,
				`dialx: line 12: pattern ".b..example": invalid host "b..example": empty label`,
			}},
		{read: rules.ParseCIDRs,
			lines: []string{
				"192.0.2.0/24 ; fine",       // 1
				"192.0.2.1/24 ; host bits",  // 2
				"198.51.100.0/24 SBL456",    // 3: a second field outside a comment
				"example.com",               // 4
				"10.0.0.0/8:443",            // 5: a port
				"[2001:db8::]/32",           // 6: brackets
				"10.*",                      // 7: a glob
				"fe80::1%eth0",              // 8: a zone
				"2001:db8::/129",            // 9
				"203.0.113.0/24 # fine too", // 10
			},
			want: []string{
				`dialx: line 2: pattern "192.0.2.1/24": CIDR block "192.0.2.1/24" has bits set after its prefix length; write 192.0.2.0/24`,
				`dialx: line 3: pattern "198.51.100.0/24": want one address or CIDR block a line, got 2 fields`,
				`dialx: line 4: pattern "example.com": ` + notBlock,
				`dialx: line 5: pattern "10.0.0.0/8:443": ` + notBlock,
				`dialx: line 6: pattern "[2001:db8::]/32": ` + notBlock,
				`dialx: line 7: pattern "10.*": ` + notBlock,
				`dialx: line 8: pattern "fe80::1%eth0": an IPv6 zone is not allowed in a pattern; a rule without one matches every zone`,
				`dialx: line 9: pattern "2001:db8::/129": ` + notBlock,
			}},
	}
	for _, tt := range tests {
		table, err := tt.read(strings.NewReader(strings.Join(tt.lines, "\n")))
		assert.Nil(t, table)
		assert.Equal(t, tt.want, badLines(t, err))
	}

	// The Index of an error is that the next rule would have had.
	_, err := rules.ParseHosts(strings.NewReader("0.0.0.0 a.example\n0.0.0.0\n0.0.0.0 b.example *.c.example\n0.0.0.0 d\n"))
	var indexes []int
	for _, re := range errorsOf(t, err) {
		indexes = append(indexes, re.Index)
	}
	assert.Equal(t, []int{1, 2}, indexes)
}

// TestListReadersShareParsesLimits checks that every reader bounds a line
// as Parse does, goes on after a line too long, and returns the reader's
// error with its line.
func TestListReadersShareParsesLimits(t *testing.T) {
	good := map[string]string{"ParseHosts": "0.0.0.0 ads.example", "ParseDomains": "ads.example", "ParseCIDRs": "192.0.2.0/24"}
	broken := errors.New("disk on fire")
	for name, read := range readers {
		t.Run(name, func(t *testing.T) {
			file := good[name] + "\n# " + strings.Repeat("x", 70<<10) + "\n" + good[name] + "\n"
			table, err := read(iotest.HalfReader(strings.NewReader(file)))
			assert.Nil(t, table)
			bad := errorsOf(t, err)
			require.Len(t, bad, 1)
			assert.Equal(t, 2, bad[0].Line)
			assert.ErrorContains(t, err, `dialx: line 2: pattern "# xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...": line is longer than 65536 bytes`)

			table, err = read(io.MultiReader(strings.NewReader(good[name]+"\n"+good[name]), iotest.ErrReader(broken)))
			assert.Nil(t, table)
			assert.ErrorIs(t, err, broken)
			assert.ErrorContains(t, err, "dialx: line 2: disk on fire")

			table, err = read(strings.NewReader("\uFEFF" + good[name] + "\n\n# only a comment\n"))
			require.NoError(t, err)
			assert.Equal(t, 1, table.Len(), "a byte order mark is not part of the first line")

			table, err = read(strings.NewReader(""))
			require.NoError(t, err)
			assert.Zero(t, table.Len())
		})
	}
}

// checkList checks what a list reader returned for file: a Table or an
// error, never both; every error names a line of the file; every rule has
// no target and a line of the file, in order; and the Table matches address,
// and an address made of each rule's pattern, as its patterns compiled
// alone do.
func checkList(t *testing.T, file, address string, table *rules.Table, err error) {
	lines := checkLineErrors(t, file, table, err)
	if err != nil {
		return
	}
	patterns := make([]string, table.Len())
	addresses := []string{address}
	last := 1
	for i := range table.Len() {
		pattern, target, line := table.Rule(i)
		if line < last || line > lines || target != "" {
			t.Fatalf("file %q: rule %d (%q %q) on line %d, after line %d of %d", file, i, pattern, target, line, last, lines)
		}
		patterns[i], last = pattern, line
		host := strings.TrimPrefix(strings.TrimPrefix(pattern, "*."), ".")
		if block, err := netip.ParsePrefix(host); err == nil {
			host = block.Addr().String()
		}
		addresses = append(addresses, net.JoinHostPort(host, "443"), net.JoinHostPort("x."+host, "80"))
	}
	compiled, err := rules.Compile(patterns...)
	if err != nil {
		t.Fatalf("file %q: the patterns of its Table do not compile: %v", file, err)
	}
	for _, address := range addresses {
		got, gotCanonical, gotErr := table.Match(address)
		want, wantCanonical, wantErr := compiled.Match(address)
		if got != want || gotCanonical != wantCanonical || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("file %q, address %q: Table matches %d %q %v, its patterns compiled %d %q %v",
				file, address, got, gotCanonical, gotErr, want, wantCanonical, wantErr)
		}
	}
}

// checkLineErrors checks what a reader returned for file: a Table or an
// error, never both, and an error that is a joined list naming lines of the
// file. It returns the number of lines of file.
func checkLineErrors(t *testing.T, file string, table *rules.Table, err error) (lines int) {
	lines = strings.Count(file, "\n") + 1
	if err == nil {
		return lines
	}
	if table != nil {
		t.Fatalf("file %q: a Table and an error", file)
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("file %q: error is not a joined list: %v", file, err)
	}
	for _, e := range joined.Unwrap() {
		var re *rules.Error
		if errors.As(e, &re) && (re.Line < 1 || re.Line > lines) {
			t.Fatalf("file %q: error names line %d of %d: %v", file, re.Line, lines, e)
		}
	}
	return lines
}

// FuzzParseHosts reads made-up hosts files: see checkList.
func FuzzParseHosts(f *testing.F) {
	f.Add("127.0.0.1 localhost\n0.0.0.0 0.0.0.0\n0.0.0.0 ads.example tracker.example # c\n", "ads.example:443")
	f.Add("::1 ip6-localhost\nfe80::1%lo0 localhost\nads.example 0.0.0.0\n0.0.0.0 *.x\n", "[::1]:80")
	f.Add("\uFEFF0.0.0.0\tBücher.example.\r\n0.0.0.0 127.1\n", "xn--bcher-kva.example:80")
	f.Fuzz(func(t *testing.T, file, address string) {
		table, err := rules.ParseHosts(strings.NewReader(file))
		checkList(t, file, address, table, err)
	})
}

// FuzzParseDomains reads made-up domain lists: see checkList.
func FuzzParseDomains(f *testing.F) {
	f.Add("# c\ntracker.example\n*.cdn.example\n.intra.example # c\n", "a.tracker.example:443")
	f.Add("||ads.example^\n192.0.2.1\nads.123\nexa mple\n", "ads.example:443")
	f.Add("\uFEFFBücher.example.\r\n*\n", "www.xn--bcher-kva.example:80")
	f.Fuzz(func(t *testing.T, file, address string) {
		table, err := rules.ParseDomains(strings.NewReader(file))
		checkList(t, file, address, table, err)
	})
}

// FuzzParseCIDRs reads made-up CIDR lists: see checkList.
func FuzzParseCIDRs(f *testing.F) {
	f.Add("; Spamhaus DROP\n192.0.2.0/24 ; SBL123\n198.51.100.7\n2001:db8::/32 # c\n", "192.0.2.9:443")
	f.Add("192.0.2.1/24\nexample.com\nfe80::1%eth0\n::ffff:10.0.0.0/104\n", "[::ffff:10.1.2.3]:80")
	f.Fuzz(func(t *testing.T, file, address string) {
		table, err := rules.ParseCIDRs(strings.NewReader(file))
		checkList(t, file, address, table, err)
	})
}
