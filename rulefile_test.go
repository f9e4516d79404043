package dialx_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/rules"
)

func TestParseRulesGivesEachPatternTheDialerItNames(t *testing.T) {
	block, direct := dialx.NewReject(nil), &dialtest.Dialer{Label: "direct"}
	file := "\uFEFF# a comment line\n" +
		"\n" +
		".ads.example   block   # trailing comment\n" +
		"\t10.0.0.0/8:1-1024\tblock\r\n" +
		"   \t  \n" +
		"*  direct\n"
	list, err := dialx.ParseRules(strings.NewReader(file), map[string]dialx.Dialer{"block": block, "direct": direct})
	require.NoError(t, err)
	assert.Equal(t, []dialx.Rule{
		{Pattern: ".ads.example", Dialer: block},
		{Pattern: "10.0.0.0/8:1-1024", Dialer: block},
		{Pattern: "*", Dialer: direct},
	}, list)
}

func TestParseRulesOfAFileWithoutRulesIsEmpty(t *testing.T) {
	list, err := dialx.ParseRules(strings.NewReader("# nothing\n\n"), nil)
	require.NoError(t, err)
	assert.Empty(t, list)
}

// TestParseRulesReportsEveryBadLineAndThenEveryBadName checks both stages:
// the lines rules.Parse refuses, and, in a file that parses, every name
// that is missing or nil, each with its line.
func TestParseRulesReportsEveryBadLineAndThenEveryBadName(t *testing.T) {
	dialers := map[string]dialx.Dialer{"direct": &dialtest.Dialer{}, "nothing": nil}
	file := strings.Join([]string{
		"example.com direct",       // 1: fine
		"example.com:nope direct",  // 2: bad port
		"example.org",              // 3: no dialer
		"example.net direct extra", // 4: too many fields
		"example.edu proxy",        // 5: unknown dialer, reported once the file parses
		"127.1 nothing",            // 6: bad pattern
		"* direct",                 // 7: fine
	}, "\n")
	list, err := dialx.ParseRules(strings.NewReader(file), dialers)
	assert.Nil(t, list, "no partial list")
	assert.Equal(t, []int{2, 3, 4, 6}, linesOf(t, err))
	assert.ErrorContains(t, err, `dialx: line 2: pattern "example.com:nope": port "nope" is not a decimal number`)

	file = "example.com direct\nexample.edu proxy\n127.0.0.1 nothing\n* direct\n"
	list, err = dialx.ParseRules(strings.NewReader(file), dialers)
	assert.Nil(t, list, "no partial list")
	assert.Equal(t, []int{2, 3}, linesOf(t, err))
	bad := ruleErrors(t, err)
	assert.Equal(t, 1, bad[0].Index)
	assert.EqualError(t, bad[0], `dialx: line 2: pattern "example.edu": no Dialer named "proxy"`)
	assert.EqualError(t, bad[1], `dialx: line 3: pattern "127.0.0.1": the Dialer named "nothing" is nil`)
}

func TestParseRulesReturnsTheReadersError(t *testing.T) {
	broken := errors.New("disk on fire")
	list, err := dialx.ParseRules(iotest.ErrReader(broken), nil)
	assert.Nil(t, list)
	assert.ErrorIs(t, err, broken)
	assert.ErrorContains(t, err, "dialx: line 1: disk on fire")
}

// ruleErrors returns the *rules.Error values that err joins, failing the
// test if err is not a joined list of them.
func ruleErrors(t *testing.T, err error) []*rules.Error {
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

// linesOf returns the lines that the *rules.Error values err joins name.
func linesOf(t *testing.T, err error) []int {
	t.Helper()
	var lines []int
	for _, re := range ruleErrors(t, err) {
		lines = append(lines, re.Line)
	}
	return lines
}

// TestSelectiveFromANewFileSwapsInWhileOldDialsFinish rebuilds a Selective
// from a new rules file and swaps it in while a dial through the old one is
// in flight: the old dial finishes on the old route, new dials take the new
// one.
func TestSelectiveFromANewFileSwapsInWhileOldDialsFinish(t *testing.T) {
	oldRoute := &dialtest.Dialer{Label: "old", Block: true, IgnoreCtx: true, Release: make(chan struct{}), Started: make(chan string, 1)}
	newRoute := &dialtest.Dialer{Label: "new"}
	dialers := map[string]dialx.Dialer{"old": oldRoute, "new": newRoute}
	build := func(file string) *dialx.Selective {
		t.Helper()
		list, err := dialx.ParseRules(strings.NewReader(file), dialers)
		require.NoError(t, err)
		s, err := dialx.NewSelective(list...)
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
