package dialx

import "context"

// wrapper is implemented by the decorators of this package that hand every
// dial to one inner Dialer, so that a check which must not dial can look
// through them to a Refuser inside.
type wrapper interface {
	inner() Dialer
}

func (r *Repeat) inner() Dialer    { return r.dialer }
func (t *Timeout) inner() Dialer   { return t.dialer }
func (d *Delay) inner() Dialer     { return d.dialer }
func (s *Swappable) inner() Dialer { return s.current.Load().dialer }
func (l *Limit) inner() Dialer     { return l.dialer }
func (b *Breaker) inner() Dialer   { return b.dialer }
func (r *Resolve) inner() Dialer   { return r.dialer }

// refusalOf tells whether a dial of address through d would be refused
// without touching the network: d's own answer if it is a [Refuser], else
// that of the Dialer it wraps if it is one of this package's single-inner
// decorators, else nil. The walk is bounded by the depth of the stack,
// which is fixed when it is built (a Swappable is read once per step).
func refusalOf(ctx context.Context, d Dialer, network, address string) error {
	for {
		switch v := d.(type) {
		case Refuser:
			return v.Refusal(ctx, network, address)
		case wrapper:
			d = v.inner()
		default:
			return nil
		}
	}
}
