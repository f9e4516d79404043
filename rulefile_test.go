package dialx_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
)

func TestParseRules(t *testing.T) {
	block, direct := dialx.NewReject(nil), &dialtest.Dialer{Label: "direct"}
	file := "\uFEFF# a comment line\n" +
		"\n" +
		".ads.example   block   # trailing comment\n" +
		"\t10.0.0.0/8:1-1024\tblock\r\n" +
		"   \t  \n" +
		"*  direct\n"
	rules, err := dialx.ParseRules(strings.NewReader(file), map[string]dialx.Dialer{"block": block, "direct": direct})
	require.NoError(t, err)
	assert.Equal(t, []dialx.Rule{
		{Pattern: ".ads.example", Dialer: block},
		{Pattern: "10.0.0.0/8:1-1024", Dialer: block},
		{Pattern: "*", Dialer: direct},
	}, rules)
}

func TestParseRulesEmpty(t *testing.T) {
	rules, err := dialx.ParseRules(strings.NewReader("# nothing\n\n"), nil)
	require.NoError(t, err)
	assert.Empty(t, rules)
}

func TestParseRulesReportsEveryBadLine(t *testing.T) {
	file := strings.Join([]string{
		"example.com direct",       // 1: fine
		"example.com:nope direct",  // 2: bad port
		"example.org",              // 3: no dialer
		"example.net direct extra", // 4: too many fields
		"example.edu proxy",        // 5: unknown dialer
		"127.1 nothing",            // 6: bad pattern and nil dialer
		"* direct",                 // 7: fine
	}, "\n")
	rules, err := dialx.ParseRules(strings.NewReader(file), map[string]dialx.Dialer{
		"direct": &dialtest.Dialer{}, "nothing": nil,
	})
	assert.Nil(t, rules, "no partial list")
	require.Error(t, err)
	var lines []int
	for _, re := range ruleErrors(t, err) {
		lines = append(lines, re.Line)
	}
	assert.Equal(t, []int{2, 3, 4, 5, 6, 6}, lines)
	for _, want := range []string{
		`dialx: line 2: pattern "example.com:nope": port "nope" is not a decimal number`,
		`dialx: line 3: pattern "example.org": want PATTERN DIALER-NAME, got 1 fields`,
		`dialx: line 4: pattern "example.net": want PATTERN DIALER-NAME, got 3 fields`,
		`dialx: line 5: pattern "example.edu": no Dialer named "proxy"`,
		`dialx: line 6: pattern "127.1": host "127.1" ends in a number`,
		`dialx: line 6: pattern "127.1": the Dialer named "nothing" is nil`,
	} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestParseRulesReaderError(t *testing.T) {
	broken := errors.New("disk on fire")
	rules, err := dialx.ParseRules(iotest.ErrReader(broken), nil)
	assert.Nil(t, rules)
	assert.ErrorIs(t, err, broken)
	assert.ErrorContains(t, err, "dialx: line 1: disk on fire")
}

// ruleErrors returns the RuleErrors that err joins, failing the test if err
// is not a joined list of them.
func ruleErrors(t *testing.T, err error) []*dialx.RuleError {
	t.Helper()
	var joined interface{ Unwrap() []error }
	require.ErrorAs(t, err, &joined)
	var out []*dialx.RuleError
	for _, e := range joined.Unwrap() {
		var re *dialx.RuleError
		require.ErrorAs(t, e, &re)
		out = append(out, re)
	}
	return out
}

// TestParseRulesLineTooLong checks that an over-long line is one bad line
// among others: a RuleError with its number, and the lines after it are
// still read and checked, whatever the reader's chunk size.
func TestParseRulesLineTooLong(t *testing.T) {
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
			rules, err := dialx.ParseRules(reader(), map[string]dialx.Dialer{"direct": &dialtest.Dialer{}})
			assert.Nil(t, rules)
			var lines []int
			for _, re := range ruleErrors(t, err) {
				lines = append(lines, re.Line)
			}
			assert.Equal(t, []int{2, 3, 4}, lines)
			assert.ErrorContains(t, err, `dialx: line 2: pattern "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...": line is longer than 65536 bytes`)
			assert.ErrorContains(t, err, `dialx: line 3: pattern "example.com:nope"`)
		})
	}
}

// TestParseRulesLineAtTheLimit checks the limit to the byte, whatever ends
// the line, and that a reader of the caller's with a larger buffer does not
// lift it.
func TestParseRulesLineAtTheLimit(t *testing.T) {
	const limit = 64 << 10
	comment := func(n int) string { return "#" + strings.Repeat("x", n-1) }
	dialers := map[string]dialx.Dialer{"direct": &dialtest.Dialer{}}
	for _, end := range []string{"\n", "\r\n", ""} {
		for _, size := range []int{limit, limit + 1} {
			t.Run(fmt.Sprintf("%d bytes, end %q", size, end), func(t *testing.T) {
				file := "* direct\n" + comment(size) + end
				if end != "" {
					file += "example.org direct\n"
				}
				rules, err := dialx.ParseRules(strings.NewReader(file), dialers)
				if size <= limit {
					require.NoError(t, err)
					assert.Len(t, rules, 1+min(1, len(end)))
					return
				}
				bad := ruleErrors(t, err)
				require.Len(t, bad, 1)
				assert.Equal(t, 2, bad[0].Line)
				assert.ErrorContains(t, err, "line is longer than 65536 bytes")
			})
		}
	}
	big := bufio.NewReaderSize(strings.NewReader(comment(200000)+"\n* direct\n"), 1<<20)
	_, err := dialx.ParseRules(big, dialers)
	assert.ErrorContains(t, err, "dialx: line 1:", "a large bufio.Reader does not lift the limit")
}

// TestSelectiveHotSwap rebuilds a Selective from a new rules file and swaps
// it in while a dial through the old one is in flight: the old dial finishes
// on the old route, new dials take the new one.
func TestSelectiveHotSwap(t *testing.T) {
	oldRoute := &dialtest.Dialer{Label: "old", Block: true, IgnoreCtx: true, Release: make(chan struct{}), Started: make(chan string, 1)}
	newRoute := &dialtest.Dialer{Label: "new"}
	dialers := map[string]dialx.Dialer{"old": oldRoute, "new": newRoute}
	build := func(file string) *dialx.Selective {
		t.Helper()
		rules, err := dialx.ParseRules(strings.NewReader(file), dialers)
		require.NoError(t, err)
		s, err := dialx.NewSelective(rules...)
		require.NoError(t, err)
		return s
	}
	swappable := dialx.NewSwappable(build("* old\n"))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := swappable.DialContext(context.Background(), "tcp", "example.com:80")
		if assert.NoError(t, err) {
			assert.Equal(t, "old", conn.(*dialtest.Conn).Label)
			conn.Close()
		}
	}()
	<-oldRoute.Started

	swappable.Swap(build("*.example.com new\nexample.com new\n"))
	conn, err := swappable.DialContext(context.Background(), "tcp", "example.com:80")
	require.NoError(t, err)
	assert.Equal(t, "new", conn.(*dialtest.Conn).Label)
	conn.Close()
	_, err = swappable.DialContext(context.Background(), "tcp", "example.org:80")
	assert.ErrorIs(t, err, dialx.ErrNoMatch, "the new rules are the only rules")

	close(oldRoute.Release)
	wg.Wait()
	assert.Equal(t, 1, oldRoute.Calls())
}

// FuzzParseRules reads made-up rules files: it never panics, returns rules
// or an error but never both, the rules it returns build a Selective, and
// every error names a line of the file.
func FuzzParseRules(f *testing.F) {
	f.Add("# comment\n.ads.example block\n10.0.0.0/8:1-1024 vpn\n* direct\n")
	f.Add("example.com:nope direct\nexample.org\n\n127.1 nothing # bad\n")
	f.Add("\uFEFF[fd00::/8]:443\tvpn\r\n")
	dialers := map[string]dialx.Dialer{"block": dialx.NewReject(nil), "vpn": &dialtest.Dialer{}, "direct": &dialtest.Dialer{}, "nothing": nil}
	f.Fuzz(func(t *testing.T, file string) {
		rules, err := dialx.ParseRules(strings.NewReader(file), dialers)
		if err != nil {
			if rules != nil {
				t.Fatalf("file %q: rules and an error", file)
			}
			var joined interface{ Unwrap() []error }
			if !errors.As(err, &joined) {
				t.Fatalf("file %q: error is not a joined list: %v", file, err)
			}
			lines := strings.Count(file, "\n") + 1
			for _, e := range joined.Unwrap() {
				var re *dialx.RuleError
				if errors.As(e, &re) && (re.Line < 1 || re.Line > lines) {
					t.Fatalf("file %q: error names line %d of %d: %v", file, re.Line, lines, e)
				}
			}
			return
		}
		if _, err := dialx.NewSelective(rules...); err != nil {
			t.Fatalf("file %q: parsed, but NewSelective refuses the rules: %v", file, err)
		}
	})
}
