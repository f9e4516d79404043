package rules_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx/rules"
)

// rulesOf lists a Table's rules as "pattern target line".
func rulesOf(table *rules.Table) []string {
	var out []string
	for i := range table.Len() {
		pattern, target, line := table.Rule(i)
		out = append(out, fmt.Sprintf("%s %s %d", pattern, target, line))
	}
	return out
}

func TestParseReadsPatternsTargetsAndLines(t *testing.T) {
	file := "\uFEFF# a comment line\n" +
		"\n" +
		".ads.example   block   # trailing comment\n" +
		"\t10.0.0.0/8:1-1024\tblock\r\n" +
		"   \t  \n" +
		"*  direct\n"
	table, err := rules.Parse(strings.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, []string{".ads.example block 3", "10.0.0.0/8:1-1024 block 4", "* direct 6"}, rulesOf(table))
	for address, want := range map[string]int{"x.ads.example:443": 0, "10.1.2.3:80": 1, "10.1.2.3:8080": 2} {
		i, _, err := table.Match(address)
		require.NoError(t, err)
		assert.Equal(t, want, i, address)
	}
}

// TestParseKeepsEveryRuleOfALargeFile reads more rules than fit in the
// chunks Parse gathers them in before it knows their number, so that a
// chunk size computed wrongly for a late chunk shows.
func TestParseKeepsEveryRuleOfALargeFile(t *testing.T) {
	const count = 100000
	var file strings.Builder
	for i := range count {
		fmt.Fprintf(&file, ".zone%d.example route%d\n", i, i)
	}
	table, err := rules.Parse(strings.NewReader(file.String()))
	require.NoError(t, err)
	require.Equal(t, count, table.Len())
	for _, i := range []int{0, 15, 16, 1007, 1008, 50000, count - 1} {
		pattern, target, line := table.Rule(i)
		assert.Equal(t, fmt.Sprintf(".zone%d.example route%d %d", i, i, i+1), fmt.Sprintf("%s %s %d", pattern, target, line))
		j, _, err := table.Match(fmt.Sprintf("www.zone%d.example:443", i))
		require.NoError(t, err)
		assert.Equal(t, i, j)
	}
}

func TestParseOfAFileWithoutPatternsIsEmpty(t *testing.T) {
	for _, file := range []string{"", "# nothing\n\n", "\uFEFF"} {
		table, err := rules.Parse(strings.NewReader(file))
		require.NoError(t, err)
		assert.Zero(t, table.Len())
		i, _, err := table.Match("example.com:80")
		require.NoError(t, err)
		assert.Equal(t, -1, i)
	}
}

func TestParseReportsEveryBadLine(t *testing.T) {
	file := strings.Join([]string{
		"example.com direct",       // 1: fine
		"example.com:nope direct",  // 2: bad port
		"example.org",              // 3: no target
		"example.net direct extra", // 4: too many fields
		"example.edu proxy",        // 5: fine
		"127.1 nothing",            // 6: bad pattern
		"* direct",                 // 7: fine
	}, "\n")
	table, err := rules.Parse(strings.NewReader(file))
	assert.Nil(t, table, "no partial table")
	var where [][2]int
	for _, re := range errorsOf(t, err) {
		where = append(where, [2]int{re.Line, re.Index})
	}
	assert.Equal(t, [][2]int{{2, 1}, {3, 1}, {4, 1}, {6, 2}}, where, "line and the index the pattern would have had")
	for _, want := range []string{
		`dialx: line 2: pattern "example.com:nope": port "nope" is not a decimal number`,
		`dialx: line 3: pattern "example.org": want PATTERN TARGET, got 1 fields`,
		`dialx: line 4: pattern "example.net": want PATTERN TARGET, got 3 fields`,
		`dialx: line 6: pattern "127.1": host "127.1" ends in a number`,
	} {
		assert.ErrorContains(t, err, want)
	}
}

func TestParseReturnsTheReadersErrorWithItsLine(t *testing.T) {
	broken := errors.New("disk on fire")
	table, err := rules.Parse(iotest.ErrReader(broken))
	assert.Nil(t, table)
	assert.ErrorIs(t, err, broken)
	assert.ErrorContains(t, err, "dialx: line 1: disk on fire")

	table, err = rules.Parse(io.MultiReader(strings.NewReader("* direct\nexample.com"), iotest.ErrReader(broken)))
	assert.Nil(t, table)
	assert.ErrorContains(t, err, "dialx: line 2: disk on fire", "a line cut short by the error is not read as a rule")
}

// TestParseReportsALineTooLongAndGoesOn checks that an over-long line is
// one bad line among others: an *Error with its number, and the lines after
// it are still read and checked, whatever the reader's chunk size.
func TestParseReportsALineTooLongAndGoesOn(t *testing.T) {
	file := "* direct\n" +
		strings.Repeat("a", 70<<10) + " direct\n" +
		"example.com:nope direct\n" +
		"# a long comment " + strings.Repeat("#", 1<<20) + "\n" +
		"example.org direct" // no end of line
	readers := map[string]func() io.Reader{
		"whole":         func() io.Reader { return strings.NewReader(file) },
		"one byte each": func() io.Reader { return iotest.OneByteReader(strings.NewReader(file)) },
		"half reads":    func() io.Reader { return iotest.HalfReader(strings.NewReader(file)) },
	}
	for name, reader := range readers {
		t.Run(name, func(t *testing.T) {
			table, err := rules.Parse(reader())
			assert.Nil(t, table)
			var lines []int
			for _, re := range errorsOf(t, err) {
				lines = append(lines, re.Line)
			}
			assert.Equal(t, []int{2, 3, 4}, lines)
			assert.ErrorContains(t, err, `dialx: line 2: pattern "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...": line is longer than 65536 bytes`)
			assert.ErrorContains(t, err, `dialx: line 3: pattern "example.com:nope"`)
		})
	}
}

// TestParseLimitsALineTo64KiB checks the limit to the byte, whatever ends
// the line, and that a reader of the caller's with a larger buffer does not
// lift it.
func TestParseLimitsALineTo64KiB(t *testing.T) {
	const limit = 64 << 10
	comment := func(n int) string { return "#" + strings.Repeat("x", n-1) }
	for _, end := range []string{"\n", "\r\n", ""} {
		for _, size := range []int{limit, limit + 1} {
			t.Run(fmt.Sprintf("%d bytes, end %q", size, end), func(t *testing.T) {
				file := "* direct\n" + comment(size) + end
				if end != "" {
					file += "example.org direct\n"
				}
				table, err := rules.Parse(strings.NewReader(file))
				if size <= limit {
					require.NoError(t, err)
					assert.Equal(t, 1+min(1, len(end)), table.Len())
					return
				}
				bad := errorsOf(t, err)
				require.Len(t, bad, 1)
				assert.Equal(t, 2, bad[0].Line)
				assert.ErrorContains(t, err, "line is longer than 65536 bytes")
			})
		}
	}
	big := bufio.NewReaderSize(strings.NewReader(comment(200000)+"\n* direct\n"), 1<<20)
	_, err := rules.Parse(big)
	assert.ErrorContains(t, err, "dialx: line 1:", "a large bufio.Reader does not lift the limit")
}

// FuzzParse reads made-up rules files: it never panics, returns a Table or
// an error but never both, every error names a line of the file, and every
// rule of a Table is on a line of the file, in order, and compiles alone.
func FuzzParse(f *testing.F) {
	f.Add("# comment\n.ads.example block\n10.0.0.0/8:1-1024 vpn\n* direct\n")
	f.Add("example.com:nope direct\nexample.org\n\n127.1 nothing # bad\n")
	f.Add("\uFEFF[fd00::/8]:443\tvpn\r\n")
	f.Fuzz(func(t *testing.T, file string) {
		table, err := rules.Parse(strings.NewReader(file))
		lines := checkLineErrors(t, file, table, err)
		if err != nil {
			return
		}
		last := 0
		for i := range table.Len() {
			pattern, target, line := table.Rule(i)
			if line <= last || line > lines || target == "" {
				t.Fatalf("file %q: rule %d (%q %q) on line %d, after line %d of %d", file, i, pattern, target, line, last, lines)
			}
			if _, err := rules.Compile(pattern); err != nil {
				t.Fatalf("file %q: rule %d does not compile alone: %v", file, i, err)
			}
			last = line
		}
	})
}

// A Table from Parse builds its index on its first Match. Many first Matches
// at once must all see the whole index and agree with the same patterns
// compiled, and once it is built a Match of a canonical address allocates
// nothing, as for a Table from Compile.
func TestParsedTableMatchesLikeCompiledFromItsFirstMatch(t *testing.T) {
	patterns := []string{"ads.example.com", "*.tracker.example:80-443", "10.0.0.0/8", "cdn-*.example.net", "2001:db8::/32", "*"}
	var file strings.Builder
	for _, p := range patterns {
		fmt.Fprintf(&file, "%s target\n", p)
	}
	parsed, err := rules.Parse(strings.NewReader(file.String()))
	require.NoError(t, err)
	compiled, err := rules.Compile(patterns...)
	require.NoError(t, err)
	addresses := []string{"ads.example.com:443", "a.tracker.example:80", "10.1.2.3:22", "cdn-7.example.net:443", "[2001:db8::1]:443", "example.org:80"}

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, address := range addresses {
				got, _, err := parsed.Match(address)
				want, _, _ := compiled.Match(address)
				assert.NoError(t, err)
				assert.Equal(t, want, got, address)
			}
		})
	}
	wg.Wait()
	allocs := testing.AllocsPerRun(1000, func() {
		if _, _, err := parsed.Match("a.tracker.example:80"); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
