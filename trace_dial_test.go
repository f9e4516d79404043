package dialx_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
)

func TestTraceFramesOnlyTheInnermostDial(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log traceLog
		ctx := dialx.WithTrace(t.Context(), log.trace())
		d := dialx.NewBreaker(dialx.NewBreaker(slowDial(3*time.Second, nil)))
		conn, err := d.DialContext(ctx, "tcp", "a:1")
		require.NoError(t, err)
		conn.Close()
		_, err = d.DialContext(ctx, "udp", "b:2")
		require.NoError(t, err)
		assert.Equal(t, "dial start tcp a:1\ndial done tcp a:1 3s err=<nil>\n"+
			"dial start udp b:2\ndial done udp b:2 3s err=<nil>", log.String())
	})
}

// ownDecorator is a decorator of a user's own: it reports a step of its
// own and passes every dial on to next[0].
type ownDecorator struct {
	next []dialx.Dialer
}

func (p *ownDecorator) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if t := dialx.ContextTrace(ctx); t != nil {
		t(ctx, dialx.Event{Op: "mine", Kind: "pass", Network: network, Address: address, Detail: "via next"})
	}
	return p.next[0].DialContext(ctx, network, address)
}

// ownUnwrapper is an ownDecorator that follows the Unwrap convention.
type ownUnwrapper struct{ ownDecorator }

func (u *ownUnwrapper) Unwrap() []dialx.Dialer { return u.next }

func TestTraceLeavesAUsersDecoratorWithUnwrapToReportForItself(t *testing.T) {
	tests := []struct {
		name  string
		inner dialx.Dialer
		want  []string
	}{
		{
			name:  "with Unwrap",
			inner: &ownUnwrapper{ownDecorator{next: []dialx.Dialer{dialx.NewDelay(dialx.DialerFunc(instantDial), 0)}}},
			want: []string{"attempt repeat 1/1 wait=0s", "{Op:mine Kind:pass Network:tcp Address:a:1 N:0 Of:0 " +
				"Elapsed:0s Detail:via next From:closed To:closed Err:<nil>}",
				"dial start tcp a:1", "dial done tcp a:1 0s err=<nil>"},
		},
		{
			name:  "without Unwrap, framed as an innermost dial",
			inner: &ownDecorator{next: []dialx.Dialer{dialx.NewDelay(dialx.DialerFunc(instantDial), 0)}},
			want: []string{"attempt repeat 1/1 wait=0s", "dial start tcp a:1", "{Op:mine Kind:pass Network:tcp " +
				"Address:a:1 N:0 Of:0 Elapsed:0s Detail:via next From:closed To:closed Err:<nil>}",
				"dial start tcp a:1", "dial done tcp a:1 0s err=<nil>", "dial done tcp a:1 0s err=<nil>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var log traceLog
				_, err := dialx.NewRepeat(tt.inner, 1).DialContext(dialx.WithTrace(t.Context(), log.trace()), "tcp", "a:1")
				require.NoError(t, err)
				assert.Equal(t, tt.want, strings.Split(log.String(), "\n"))
			})
		})
	}
}
