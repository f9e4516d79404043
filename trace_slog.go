package dialx

import (
	"context"
	"log/slog"
)

// NewSlogTrace returns a [Trace] that logs each [Event] through logger at level,
// with the dial's ctx, as "dialx: " then the Op and Kind ("dialx: dial done")
// with attributes network, address, error and the fields the kind uses (for an
// Op of your own, those not zero), named in lower case. It panics if logger is
// nil.
func NewSlogTrace(logger *slog.Logger, level slog.Level) Trace {
	if logger == nil {
		panic("dialx: NewSlogTrace: logger must not be nil, got nil")
	}
	return func(ctx context.Context, e Event) {
		if !logger.Enabled(ctx, level) {
			return
		}
		var buf [9]slog.Attr
		attrs := append(buf[:0], slog.String("network", e.Network), slog.String("address", e.Address))
		used := eventFields(e)
		if used&fieldN != 0 {
			attrs = append(attrs, slog.Int("n", e.N))
		}
		if used&fieldOf != 0 {
			attrs = append(attrs, slog.Int("of", e.Of))
		}
		if used&fieldElapsed != 0 {
			attrs = append(attrs, slog.Duration("elapsed", e.Elapsed))
		}
		if used&fieldDetail != 0 {
			attrs = append(attrs, slog.String("detail", e.Detail))
		}
		if used&fieldFrom != 0 {
			attrs = append(attrs, slog.String("from", e.From.String()))
		}
		if used&fieldTo != 0 {
			attrs = append(attrs, slog.String("to", e.To.String()))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.Any("error", e.Err))
		}
		logger.LogAttrs(ctx, level, "dialx: "+e.Op+" "+e.Kind, attrs...)
	}
}

// The fields of an Event besides Op, Kind, Network, Address and Err, as
// bits, for eventFields.
const (
	fieldN = 1 << iota
	fieldOf
	fieldElapsed
	fieldDetail
	fieldFrom
	fieldTo
)

// eventFields returns the fields the kind of e uses, as listed in Event's
// doc, so that a zero that means something (racer 0, a wait of 0s) is
// logged; for an Event the package does not report, the fields that are not
// zero.
func eventFields(e Event) int {
	switch e.Op + " " + e.Kind {
	case "dial start", "limit wait":
		return 0
	case "dial done", "limit waited", "delay wait", "timeout fired":
		return fieldElapsed
	case "repeat attempt", "consecutive attempt", "random attempt":
		return fieldN | fieldOf | fieldElapsed
	case "balancer attempt":
		return fieldN | fieldOf
	case "balancer chose":
		return fieldN | fieldElapsed
	case "resolve miss":
		return fieldN | fieldElapsed | fieldDetail
	case "httpproxy tunnel", "tls handshake", "resolve hit", "resolve stale":
		return fieldDetail | fieldElapsed
	case "endpoint dial":
		return fieldDetail
	case "selective match", "guard match":
		return fieldN | fieldDetail
	case "concurrent start", "concurrent won":
		return fieldN | fieldElapsed
	case "concurrent cancelled":
		return fieldN
	case "breaker refused":
		return fieldDetail | fieldTo
	case "breaker state":
		return fieldDetail | fieldFrom | fieldTo
	}
	used := 0
	for bit, zero := range [...]bool{e.N == 0, e.Of == 0, e.Elapsed == 0, e.Detail == "", e.From == 0, e.To == 0} {
		if !zero {
			used |= 1 << bit
		}
	}
	return used
}
