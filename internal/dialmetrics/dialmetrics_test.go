package dialmetrics_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialmetrics"
)

func TestOutcome(t *testing.T) {
	reject := dialx.NewReject(nil)
	_, rejected := reject.Dial("tcp", "a:1")
	timeout := &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{context.DeadlineExceeded, "timeout"},
		{fmt.Errorf("dialing: %w", timeout), "timeout"},
		{context.Canceled, "canceled"},
		{rejected, "refused"},
		{&dialx.DialError{Op: "breaker", Err: dialx.ErrOpen}, "refused"},
		{&dialx.DialError{Op: "selective", Err: dialx.ErrNoMatch}, "refused"},
		{errors.New("connection refused"), "error"},
	} {
		assert.Equal(t, tc.want, dialmetrics.Outcome(tc.err), "%v", tc.err)
	}
}

func TestOp(t *testing.T) {
	assert.Equal(t, "repeat", dialmetrics.Op(dialx.NewRepeat(&net.Dialer{}, 2)))
	assert.Equal(t, "dialer", dialmetrics.Op(&net.Dialer{}))
	assert.Equal(t, "dialerfunc", dialmetrics.Op(dialx.DialerFunc(nil)))
	assert.Equal(t, "dialer", dialmetrics.Op(&struct{ net.Dialer }{}), "a type without a name")
}

// recorded is a Recorder that lists what it is given.
type recorded []string

func (r *recorded) Dial(_ context.Context, op, outcome string, _ time.Duration) {
	*r = append(*r, "dial "+op+" "+outcome)
}

func (r *recorded) Event(_ context.Context, op, kind string) { *r = append(*r, "event "+op+" "+kind) }

func TestRecordAndDial(t *testing.T) {
	var r recorded
	failing := dialx.DialerFunc(func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("connection refused")
	})
	d := dialx.NewRepeat(failing, 2, dialx.WithBackoff(dialx.ConstantBackoff(0)))
	trace := func(ctx context.Context, e dialx.Event) { dialmetrics.Record(ctx, &r, e) }
	_, err := dialmetrics.Dial(t.Context(), &r, trace, "repeat", d, "tcp", "a:1")
	assert.Error(t, err)
	assert.Equal(t, recorded{
		"event repeat attempt", "dial dial error",
		"event repeat attempt", "dial dial error",
		"dial repeat error",
	}, r)
}
