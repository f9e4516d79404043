package dialx_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/rules"
)

// domains reads a domain list for a test.
func domains(t testing.TB, list string) *rules.Table {
	t.Helper()
	table, err := rules.ParseDomains(strings.NewReader(list))
	require.NoError(t, err)
	return table
}

func TestListedDialsListedAddressesThroughOneDialerAndTheRestThroughAnother(t *testing.T) {
	listed, unlisted := &recorder{}, &recorder{}
	s := dialx.NewListed(domains(t, "ads.example\ntracker.example\n"), listed, unlisted)
	for _, address := range []string{"ADS.example.:443", "x.tracker.example:80", "example.com:443", "[::ffff:192.0.2.1]:80"} {
		conn, err := s.DialContext(context.Background(), "tcp", address)
		require.NoError(t, err, address)
		conn.Close()
	}
	assert.Equal(t, []string{"ads.example:443", "x.tracker.example:80"}, listed.got(), "each gets the canonical address")
	assert.Equal(t, []string{"example.com:443", "192.0.2.1:80"}, unlisted.got())

	_, err := s.DialContext(context.Background(), "tcp", "127.1:80")
	assert.ErrorIs(t, err, rules.ErrInvalidAddress)
	assert.Len(t, append(listed.got(), unlisted.got()...), 4, "an invalid address reaches neither Dialer")
}

func TestListedMatchReportsTheCatchAllAfterTheTablesRules(t *testing.T) {
	listed, unlisted := dialx.NewReject(nil), &dialtest.Dialer{}
	table := domains(t, "ads.example\n*.cdn.example\n")
	s := dialx.NewListed(table, listed, unlisted)

	rule, i, err := s.Match("www.cdn.example:443")
	require.NoError(t, err)
	assert.Equal(t, 1, i)
	assert.Equal(t, "*.cdn.example", rule.Pattern)
	assert.Same(t, listed, rule.Dialer)

	rule, i, err = s.Match("cdn.example:443")
	require.NoError(t, err)
	assert.Equal(t, table.Len(), i)
	assert.Equal(t, "*", rule.Pattern)
	assert.Same(t, unlisted, rule.Dialer)

	assert.Equal(t, []dialx.Dialer{listed, unlisted}, s.Unwrap())

	var events []dialx.Event
	ctx := dialx.WithTrace(context.Background(), func(_ context.Context, e dialx.Event) {
		if e.Op == "selective" {
			events = append(events, e)
		}
	})
	_, _ = s.DialContext(ctx, "tcp", "ads.example:443")
	conn, err := s.DialContext(ctx, "tcp", "example.com:443")
	require.NoError(t, err)
	conn.Close()
	assert.Equal(t, []dialx.Event{
		{Op: "selective", Kind: "match", Network: "tcp", Address: "ads.example:443", N: 0, Detail: ".ads.example"},
		{Op: "selective", Kind: "match", Network: "tcp", Address: "example.com:443", N: 2, Detail: "*"},
	}, events)
}

func TestListedOfAnEmptyTableDialsEverythingUnlisted(t *testing.T) {
	for name, table := range map[string]*rules.Table{"zero Table": {}, "empty list": domains(t, "# nothing yet\n")} {
		t.Run(name, func(t *testing.T) {
			unlisted := &dialtest.Dialer{}
			s := dialx.NewListed(table, dialx.NewReject(nil), unlisted)
			conn, err := s.Dial("tcp", "example.com:443")
			require.NoError(t, err)
			conn.Close()
			rule, i, err := s.Match("example.com:443")
			require.NoError(t, err)
			assert.Equal(t, 0, i)
			assert.Equal(t, "*", rule.Pattern)
		})
	}
}

// TestListedControlContextRefusesListedAddresses checks the hook for
// net.Dialer: a listed address whose Dialer refuses, through a decorator,
// is refused; an unlisted one asks the unlisted Dialer.
func TestListedControlContextRefusesListedAddresses(t *testing.T) {
	table, err := rules.ParseCIDRs(strings.NewReader("10.0.0.0/8 ; intranet\n"))
	require.NoError(t, err)
	denied := errors.New("denied")
	s := dialx.NewListed(table, dialx.NewTimeout(dialx.NewReject(denied), time.Second), &net.Dialer{})
	assert.ErrorIs(t, s.ControlContext(context.Background(), "tcp4", "10.1.2.3:443", nil), denied)
	assert.NoError(t, s.ControlContext(context.Background(), "tcp4", "192.0.2.1:443", nil))

	allowList := dialx.NewListed(table, &net.Dialer{}, dialx.NewReject(denied))
	assert.NoError(t, allowList.ControlContext(context.Background(), "tcp4", "10.1.2.3:443", nil))
	assert.ErrorIs(t, allowList.ControlContext(context.Background(), "tcp4", "192.0.2.1:443", nil), denied)
}

func TestListedDialAllocatesNothing(t *testing.T) {
	instant := dialx.DialerFunc(dialtest.Instant())
	s := dialx.NewListed(domains(t, "ads.example\ntracker.example\n"), instant, instant)
	for _, address := range []string{"ads.example:443", "example.com:443"} {
		assertDialDoesNotAllocate(t, context.Background(), s, address)
	}
}

func TestNewListedPanicsOnNil(t *testing.T) {
	table, d := domains(t, "ads.example\n"), &dialtest.Dialer{}
	assert.PanicsWithValue(t, "dialx: NewListed: table must not be nil, got nil", func() { dialx.NewListed(nil, d, d) })
	assert.PanicsWithValue(t, "dialx: NewListed: listed must not be nil, got nil", func() { dialx.NewListed(table, nil, d) })
	assert.PanicsWithValue(t, "dialx: NewListed: unlisted must not be nil, got nil", func() {
		dialx.NewListed(table, d, (*net.Dialer)(nil))
	})
}
