package dialx

import (
	"context"
	"log/slog"
)

// NewSlogTrace returns a [Trace] that logs every event through logger at
// level: one record per event, its message naming the event ("dialx: dial
// done", "dialx: breaker refused", ...) and its attributes holding the
// event's fields (network, address, and for example duration and error).
// Attach it to a dial with [WithTrace].
// It panics if logger is nil.
func NewSlogTrace(logger *slog.Logger, level slog.Level) *Trace {
	if logger == nil {
		panic("dialx: NewSlogTrace: logger must not be nil, got nil")
	}
	log := func(msg, network, address string, attrs ...slog.Attr) {
		ctx := context.Background()
		if !logger.Enabled(ctx, level) {
			return
		}
		all := make([]slog.Attr, 0, 2+len(attrs))
		all = append(all, slog.String("network", network), slog.String("address", address))
		logger.LogAttrs(ctx, level, "dialx: "+msg, append(all, attrs...)...)
	}
	withErr := func(attrs []slog.Attr, err error) []slog.Attr {
		if err != nil {
			attrs = append(attrs, slog.Any("error", err))
		}
		return attrs
	}
	return &Trace{
		DialStart: func(i DialStartInfo) { log("dial start", i.Network, i.Address) },
		DialDone: func(i DialDoneInfo) {
			log("dial done", i.Network, i.Address, withErr([]slog.Attr{slog.Duration("duration", i.Duration)}, i.Err)...)
		},
		Attempt: func(i AttemptInfo) {
			log("attempt", i.Network, i.Address, slog.String("op", i.Op), slog.Int("attempt", i.Attempt),
				slog.Int("of", i.Of), slog.Duration("wait", i.Wait))
		},
		SelectiveMatch: func(i SelectiveMatchInfo) {
			log("selective match", i.Network, i.Address, slog.Int("rule", i.Index), slog.String("pattern", i.Pattern))
		},
		ConcurrentStart: func(i ConcurrentStartInfo) {
			log("concurrent start", i.Network, i.Address, slog.Int("racer", i.Racer), slog.Duration("after", i.After))
		},
		ConcurrentWon: func(i ConcurrentWonInfo) {
			log("concurrent won", i.Network, i.Address, slog.Int("racer", i.Racer), slog.Duration("after", i.After))
		},
		ConcurrentCancelled: func(i ConcurrentCancelledInfo) {
			log("concurrent cancelled", i.Network, i.Address, slog.Int("racer", i.Racer))
		},
		BreakerRefused: func(i BreakerRefusedInfo) {
			log("breaker refused", i.Network, i.Address, slog.String("key", i.Key), slog.String("state", i.State.String()))
		},
		BreakerStateChange: func(i BreakerStateChangeInfo) {
			log("breaker state", i.Network, i.Address, slog.String("key", i.Key),
				slog.String("from", i.From.String()), slog.String("to", i.To.String()))
		},
		LimitWaitStart: func(i LimitWaitStartInfo) { log("limit wait start", i.Network, i.Address) },
		LimitWaitDone: func(i LimitWaitDoneInfo) {
			log("limit wait done", i.Network, i.Address, withErr([]slog.Attr{slog.Duration("waited", i.Waited)}, i.Err)...)
		},
		DelayWait: func(i DelayWaitInfo) {
			log("delay wait", i.Network, i.Address, slog.Duration("wait", i.Wait))
		},
		TimeoutFired: func(i TimeoutFiredInfo) {
			log("timeout fired", i.Network, i.Address, slog.Duration("after", i.After))
		},
	}
}
