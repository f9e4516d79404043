package rules_test

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/rules"
)

// compile builds a Table of patterns, failing the test if one is refused.
func compile(t testing.TB, patterns ...string) *rules.Table {
	t.Helper()
	table, err := rules.Compile(patterns...)
	require.NoError(t, err)
	return table
}

// route returns the index of the pattern that address takes, -1 for no
// match, -2 for an invalid address.
func route(t *testing.T, table *rules.Table, address string) int {
	t.Helper()
	i, _, err := table.Match(address)
	if errors.Is(err, rules.ErrInvalidAddress) {
		require.Equal(t, -1, i, "an invalid address takes no pattern")
		return -2
	}
	require.NoError(t, err)
	return i
}

// errorsOf returns the *rules.Error values that err joins, failing the test
// if err is not a joined list of them.
func errorsOf(t *testing.T, err error) []*rules.Error {
	t.Helper()
	var joined interface{ Unwrap() []error }
	require.ErrorAs(t, err, &joined)
	var out []*rules.Error
	for _, e := range joined.Unwrap() {
		var re *rules.Error
		require.ErrorAs(t, e, &re)
		out = append(out, re)
	}
	return out
}

func TestMatchTakesTheFirstMatchingPatternInListOrder(t *testing.T) {
	table := compile(t, "*:80", "example.com", ".example.com", "*")
	for address, want := range map[string]int{
		"example.com:80":      0,
		"example.com:443":     1,
		"www.example.com:443": 2,
		"example.org:443":     3,
	} {
		assert.Equal(t, want, route(t, table, address), address)
	}
}

func TestMatchReturnsMinusOneWhenNoPatternMatches(t *testing.T) {
	table := compile(t, "example.com")
	i, canonical, err := table.Match("EXAMPLE.org.:80")
	require.NoError(t, err)
	assert.Equal(t, -1, i)
	assert.Equal(t, "example.org:80", canonical, "the canonical form is given even without a match")
}

func TestMatchRefusesAnInvalidAddressBeforeAnyPattern(t *testing.T) {
	table := compile(t, "*")
	i, canonical, err := table.Match("127.1:80")
	assert.Equal(t, -1, i)
	assert.Empty(t, canonical)
	require.ErrorIs(t, err, rules.ErrInvalidAddress)
	assert.EqualError(t, err, `dialx: invalid address: host "127.1" ends in a number but is not a dotted-quad IPv4 address`)
}

func TestEmptyAndZeroTablesMatchNothing(t *testing.T) {
	for name, table := range map[string]*rules.Table{"Compile()": compile(t), "zero": {}} {
		i, canonical, err := table.Match("example.com:80")
		require.NoError(t, err, name)
		assert.Equal(t, -1, i, name)
		assert.Equal(t, "example.com:80", canonical, name)
		assert.Zero(t, table.Len(), name)
	}
	_, _, err := (&rules.Table{}).Match("example.com")
	assert.ErrorIs(t, err, rules.ErrInvalidAddress, "the zero Table still reads the address")
}

func TestCompileReportsEveryBadPatternWithItsIndex(t *testing.T) {
	table, err := rules.Compile("example.com", "example.com:nope", "ok.example", "127.1", "")
	assert.Nil(t, table)
	bad := errorsOf(t, err)
	require.Len(t, bad, 3)
	for i, want := range []struct {
		index   int
		pattern string
		message string
	}{
		{index: 1, pattern: "example.com:nope", message: `dialx: rule 1 "example.com:nope": port "nope" is not a decimal number`},
		{index: 3, pattern: "127.1", message: `dialx: rule 3 "127.1": host "127.1" ends in a number but is not a dotted-quad IPv4 address`},
		{index: 4, pattern: "", message: `dialx: rule 4 "": empty pattern`},
	} {
		assert.Equal(t, want.index, bad[i].Index)
		assert.Equal(t, want.pattern, bad[i].Pattern)
		assert.Zero(t, bad[i].Line)
		assert.EqualError(t, bad[i], want.message)
		assert.NotNil(t, errors.Unwrap(bad[i]))
	}
}

func TestCompileKeepsItsOwnCopyOfThePatterns(t *testing.T) {
	patterns := []string{"a.example", "b.example"}
	table := compile(t, patterns...)
	patterns[0] = "changed.example"
	pattern, target, line := table.Rule(0)
	assert.Equal(t, "a.example", pattern)
	assert.Empty(t, target, "Compile has no targets")
	assert.Zero(t, line, "Compile has no lines")
	assert.Equal(t, 0, route(t, table, "a.example:1"))
	assert.Equal(t, 2, table.Len())
	assert.Panics(t, func() { table.Rule(2) })
}

// TestTableIsSafeForConcurrentUse matches from many goroutines at once; the
// race detector checks that a Table is only read.
func TestTableIsSafeForConcurrentUse(t *testing.T) {
	table := compile(t, ".example.com", "10.0.0.0/8", "cdn-*.example.net", "*")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				address := []string{"www.example.com:443", "10.1.2.3:80", "cdn-1.example.net:443", "EXAMPLE.org.:80"}[(g+i)%4]
				want := []int{0, 1, 2, 3}[(g+i)%4]
				if got, _, err := table.Match(address); err != nil || got != want {
					t.Errorf("%s: got %d, %v, want %d", address, got, err, want)
				}
			}
		})
	}
	wg.Wait()
}

// TestMatchOfACanonicalAddressDoesNotAllocate guards the zero of the hot
// path: an address already in canonical form comes back as it is.
func TestMatchOfACanonicalAddressDoesNotAllocate(t *testing.T) {
	table := compile(t, "ads.example.com", "*.tracker.example:80-443", "10.0.0.0/8", "cdn-*.example.net", "2001:db8::/32", "*")
	for _, address := range []string{"www.example.com:443", "203.0.113.5:80", "a.b.tracker.example:8080", "[2001:db8::1]:443", "[fe80::1%eth0]:22"} {
		var canonical string
		allocs := testing.AllocsPerRun(1000, func() {
			var err error
			if _, canonical, err = table.Match(address); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, address)
		assert.Equal(t, address, canonical)
	}
	// Another spelling costs the one string of its canonical form.
	for _, address := range []string{"WWW.Example.COM.:443", "[::ffff:192.0.2.1]:443", "[2001:DB8::1]:443"} {
		allocs := testing.AllocsPerRun(1000, func() {
			if _, _, err := table.Match(address); err != nil {
				t.Fatal(err)
			}
		})
		assert.Equal(t, 1.0, allocs, address)
	}
}

func BenchmarkTableMatch(b *testing.B) {
	table := compile(b, ".ads.example", "*.tracker.example:80-443", "10.0.0.0/8", "cdn-*.example.net", "2001:db8::/32", "*")
	for _, address := range []string{"www.example.com:443", "WWW.Example.COM.:443", "10.1.2.3:80", "[2001:db8::1]:443"} {
		b.Run(address, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := table.Match(address); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzCompile compiles made-up pattern lists, one pattern a line: it never
// panics and decides the same way twice; a list is refused exactly when one
// of its patterns is, and the errors name exactly those; and the pattern
// Match picks for an address matches it on its own while no pattern before
// it does.
func FuzzCompile(f *testing.F) {
	f.Add("*.example.com\n.example.org:443\nexample.net\n10.0.0.0/8:1-1024\n[fd00::/8]:443\nex*le.*\n*", "www.example.com:443")
	f.Add("127.0.0.1:80\n::ffff:0:0/96\n::1", "[::ffff:127.0.0.1]:80")
	f.Add("*.a:80\n.a:81\na*:82\n", "b.a:81")
	f.Add("example.com:nope\n*", "example.com:80")
	f.Fuzz(func(t *testing.T, list, address string) {
		patterns := strings.Split(list, "\n")
		table, err := rules.Compile(patterns...)
		if _, again := rules.Compile(patterns...); (err == nil) != (again == nil) {
			t.Fatalf("patterns %q: accepted once and refused once", patterns)
		}
		var refused []int
		for i, p := range patterns {
			if _, alone := rules.Compile(p); alone != nil {
				refused = append(refused, i)
			}
		}
		if err != nil {
			var named []int
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				re := e.(*rules.Error)
				if re.Pattern != patterns[re.Index] {
					t.Fatalf("patterns %q: error names %q as pattern %d", patterns, re.Pattern, re.Index)
				}
				named = append(named, re.Index)
			}
			if !slices.Equal(named, refused) {
				t.Fatalf("patterns %q: errors name %v, refused alone are %v", patterns, named, refused)
			}
			return
		}
		if refused != nil {
			t.Fatalf("patterns %q accepted, but %v alone refused", patterns, refused)
		}
		i, _, matchErr := table.Match(address)
		if j, _, again := table.Match(address); j != i || (matchErr == nil) != (again == nil) {
			t.Fatalf("patterns %q, address %q: matched %d, then %d", patterns, address, i, j)
		}
		if matchErr != nil || i < 0 {
			return
		}
		if j, _, _ := compile(t, patterns[:i]...).Match(address); j != -1 {
			t.Fatalf("patterns %q, address %q: pattern %d taken, but pattern %d before it matches", patterns, address, i, j)
		}
		if j, _, _ := compile(t, patterns[i]).Match(address); j != 0 {
			t.Fatalf("patterns %q, address %q: pattern %d taken, but does not match alone", patterns, address, i)
		}
	})
}

// FuzzTableMatch matches made-up addresses against every kind of pattern:
// Match never panics, fails only with ErrInvalidAddress and exactly when
// Canonical does, decides the same way twice, and takes the same pattern
// for the canonical form it returns, for the address upper-cased and for
// its host name with a trailing dot.
func FuzzTableMatch(f *testing.F) {
	for _, seed := range []string{
		"example.com:80", "EXAMPLE.com.:443", "[::1]:80", "[::ffff:127.0.0.1]:80", "[fe80::1%eth0]:22",
		"127.1:80", "2130706433:80", "bücher.example:443", "ｅｘａｍｐｌｅ.com:80", "example.com:080",
		"example.com:http", "10.1.2.3:443", "[fd00::1]:443", "a.b.ads.example:8080", ":80", "", "example.com",
	} {
		f.Add(seed)
	}
	table := compile(f, ".ads.example", "*.example.com:443", "example.com", "10.0.0.0/8:1-1024",
		"[fd00::/8]:443", "127.0.0.1", "fe80::/10", "cdn-*.example.net", "*:80")
	f.Fuzz(func(t *testing.T, address string) {
		i, canonical, err := table.Match(address)
		alone, canonicalErr := rules.Canonical(address)
		if (err == nil) != (canonicalErr == nil) || alone != canonical {
			t.Fatalf("address %q: Match gives %q, %v; Canonical %q, %v", address, canonical, err, alone, canonicalErr)
		}
		if err != nil {
			if !errors.Is(err, rules.ErrInvalidAddress) || i != -1 || canonical != "" {
				t.Fatalf("address %q: unexpected %d, %q, %v", address, i, canonical, err)
			}
			return
		}
		if j, again, _ := table.Match(address); j != i || again != canonical {
			t.Fatalf("address %q: matched %d as %q, then %d as %q", address, i, canonical, j, again)
		}
		if j, again, err := table.Match(canonical); err != nil || j != i || again != canonical {
			t.Fatalf("address %q takes pattern %d; its canonical form %q takes %d as %q: %v", address, i, canonical, j, again, err)
		}
		if j, _, err := table.Match(upperASCII(address)); err != nil || j != i {
			t.Fatalf("address %q takes pattern %d, upper-cased %d: %v", address, i, j, err)
		}
		host, port, _ := net.SplitHostPort(address)
		if strings.Contains(host, ":") || strings.HasSuffix(host, ".") || !isASCII(host) || len(host) >= 253 {
			return
		}
		if j, _, err := table.Match(host + ".:" + port); err != nil || j != i {
			t.Fatalf("address %q takes pattern %d, with a trailing dot %d: %v", address, i, j, err)
		}
	})
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestRuleReturnsEachPatternAsWritten covers every way a Table keeps a
// pattern: blocks kept only in the IPv4 index (written as a block or as an
// address, and their repeats, which the index leaves out), blocks spelled
// otherwise, names whose canonical form differs from what was written, and
// the rest.
func TestRuleReturnsEachPatternAsWritten(t *testing.T) {
	patterns := []string{
		"10.0.0.0/8", "10.0.0.1", "10.0.0.1/32", "10.0.0.0/8", "10.0.0.1",
		"::ffff:10.0.0.0/104", "[::ffff:10.1.0.0/112]:443", "10.2.0.0/16:80-81",
		"*.Example.COM", ".example.com.", "EXAMPLE.com", "example.com", "bücher.example",
		"ex*le.*", "10.*", "[fd00::/8]:443", "fd00::1", "*",
	}
	table := compile(t, patterns...)
	require.Equal(t, len(patterns), table.Len())
	for i, want := range patterns {
		got, target, line := table.Rule(i)
		assert.Equal(t, want, got, "rule %d", i)
		assert.Empty(t, target)
		assert.Zero(t, line)
	}
	for address, want := range map[string]int{
		"10.9.9.9:1":              0,
		"10.0.0.1:1":              0,
		"10.1.0.5:443":            0,
		"www.example.com:443":     8,
		"example.com:443":         9,
		"xn--bcher-kva.example:1": 12,
		"exable.org:1":            13,
		"[fd00::1]:443":           15,
		"[fd00::1]:80":            16,
		"11.0.0.1:1":              17,
	} {
		assert.Equal(t, want, route(t, table, address), address)
	}
}

// TestParseKeepsTargetsAndLinesOfEveryRule reads a file whose targets and
// line gaps change often, which the Table keeps as runs.
func TestParseKeepsTargetsAndLinesOfEveryRule(t *testing.T) {
	var file strings.Builder
	type rule struct {
		pattern, target string
		line            int
	}
	var want []rule
	line := 0
	for i := range 300 {
		for range i % 3 { // blank and comment lines between some rules
			file.WriteString("# note\n")
			line++
		}
		r := rule{pattern: fmt.Sprintf(".n%d.example", i), target: []string{"a", "a", "b", "c"}[i%4], line: line + 1}
		fmt.Fprintf(&file, "%s %s\n", r.pattern, r.target)
		line++
		want = append(want, r)
	}
	table, err := rules.Parse(strings.NewReader(file.String()))
	require.NoError(t, err)
	require.Equal(t, len(want), table.Len())
	for i, w := range want {
		pattern, target, line := table.Rule(i)
		assert.Equal(t, w, rule{pattern, target, line}, "rule %d", i)
	}
}
