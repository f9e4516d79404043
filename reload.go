package dialx

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Reloading dials through a Dialer built from a file, which it reads again
// when [Reloading.Reload] is called or, with [WithInterval], when the file
// has changed. load turns the file's content into the Dialer: a [Selective]
// of [ParseRules], one of [NewListed] over a list that
// [rules.ParseDomains] read, or any other. The new Dialer is built off the
// dial path and swapped in atomically, through a [Swappable], only when
// load succeeded: a bad file, or one that cannot be read, keeps the last
// good Dialer. Dials in flight finish on the Dialer they started with.
//
// Every reload, the first included, is reported as an [Event] of Op
// "reload" to the Trace of the ctx given to [NewReloading]: Kind "reloaded",
// or "rejected" with the error that [Reloading.Reload] returns, a
// [*DialError] naming the file whose Err is load's error (for a rules file
// or a list, the [*rules.Error] of each bad line, joined).
//
// With WithInterval, the file has changed when its size, its modification
// time or the file itself (another one renamed over it) differs from when
// it was last read, good or bad: a bad file is reported once, and read
// again when it changes. Replace a file by renaming a complete new one over
// it, so that no check reads it half written; a rewrite in place that keeps
// the size within the file system's timestamp resolution is seen only by
// Reload.
//
// Use [NewReloading] to make one; the zero value is not usable. A Reloading
// is safe for concurrent use by multiple goroutines; its reloads run one at
// a time.
type Reloading struct {
	path    string
	load    func(io.Reader) (Dialer, error)
	ctx     context.Context // for its values: its Trace receives the reloads
	trace   Trace
	current *Swappable
	inner   Dialer // current, for Unwrap

	mu   sync.Mutex  // one reload at a time, so that the file read last is kept
	seen os.FileInfo // the file as last read, good or bad; nil if it could not be

	stop, done chan struct{} // of the WithInterval goroutine; nil without one
	closing    sync.Once
}

// NewReloading reads the file at path with load and returns a Reloading
// dialing through the Dialer load made, or load's error, or the file's,
// as a [*DialError]. load runs on the goroutine that reloads, one call at a
// time, and must not keep its reader, which is closed when it returns. ctx carries the [Trace] (see [WithTrace]) that
// receives the Event of each reload; only its values are used, and its end
// stops nothing: [Reloading.Close] does. It takes the [Option]
// [WithInterval]. It panics if ctx or load is nil or path is empty.
func NewReloading(ctx context.Context, path string, load func(io.Reader) (Dialer, error), opts ...Option) (*Reloading, error) {
	switch {
	case ctx == nil:
		panic("dialx: NewReloading: ctx must not be nil, got nil")
	case path == "":
		panic(`dialx: NewReloading: path must not be empty, got ""`)
	case load == nil:
		panic("dialx: NewReloading: load must not be nil, got nil")
	}
	var s settings
	s.apply("NewReloading", takenByReloading, opts)
	r := &Reloading{path: path, load: load, ctx: context.WithoutCancel(ctx), trace: ContextTrace(ctx)}
	if err := r.reload(true); err != nil {
		return nil, err
	}
	if s.interval > 0 {
		r.stop, r.done = make(chan struct{}), make(chan struct{})
		go r.watch(s.interval)
	}
	return r, nil
}

// DialContext dials address through the current Dialer.
func (r *Reloading) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return r.current.DialContext(ctx, network, address)
}

// Dial is DialContext with [context.Background].
func (r *Reloading) Dial(network, address string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, address)
}

// Dialer returns the current Dialer: the one load built from the file as
// last read good.
func (r *Reloading) Dialer() Dialer { return r.current.Dialer() }

// Reload reads the file again, whether or not it has changed, and swaps in
// the Dialer load builds from it. On an error it keeps the current Dialer
// and returns the error, a [*DialError] naming the file.
func (r *Reloading) Reload() error { return r.reload(true) }

// Close stops the goroutine that [WithInterval] started, waiting for a
// reload under way to end, and returns nil. It must be called when a
// Reloading with an interval is no longer used; it does nothing more on a
// second call, or without an interval. Dials and Reload still work after
// it.
func (r *Reloading) Close() error {
	r.closing.Do(func() {
		if r.stop != nil {
			close(r.stop)
			<-r.done
		}
	})
	return nil
}

// Unwrap returns the [Swappable] r dials through, which holds the current
// Dialer: a [Timeout] above checks it on each dial, as it would a
// Swappable of its own, since a reload may swap in a Dialer that does not
// honour ctx.
func (r *Reloading) Unwrap() []Dialer { return one(&r.inner) }

// HonoursContext reports true: r's own code honours ctx, and the Dialer it
// holds is checked through Unwrap.
func (r *Reloading) HonoursContext() bool { return true }

// watch checks the file every interval until Close.
func (r *Reloading) watch(interval time.Duration) {
	defer close(r.done)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-ticker.C:
			// A rejected file is reported to the Trace; nobody waits
			// for the error here.
			_ = r.reload(false)
		}
	}
}

// reload reads the file and swaps in the Dialer load builds from it; with
// always unset, only when the file has changed since it was last read.
func (r *Reloading) reload(always bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	file, err := os.Open(r.path)
	var info os.FileInfo
	if err == nil {
		defer file.Close()
		info, err = file.Stat()
	}
	if !always && sameFile(r.seen, info) {
		return nil
	}
	r.seen = info
	var d Dialer
	if err == nil {
		d, err = r.load(file)
		if err == nil && isNilDialer(d) {
			err = errors.New("load returned a nil Dialer")
		}
	}
	if err != nil {
		err = &DialError{Op: "reload", Addr: r.path, Err: err}
		r.report(Event{Op: "reload", Kind: "rejected", Detail: r.path, Elapsed: time.Since(start), Err: err})
		return err
	}
	if r.current == nil {
		r.current = NewSwappable(d)
		r.inner = r.current
	} else {
		r.current.Swap(d)
	}
	r.report(Event{Op: "reload", Kind: "reloaded", Detail: r.path, Elapsed: time.Since(start)})
	return nil
}

// report hands e to the Trace of the ctx r was made with, if any.
func (r *Reloading) report(e Event) {
	if r.trace != nil {
		r.trace(r.ctx, e)
	}
}

// sameFile reports whether a and b, the file as read at two times, are the
// same file with the same size and modification time; two failures to
// open it are the same too.
func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
