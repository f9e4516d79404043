package dialx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dialx/dialx"
	"github.com/dialx/dialx/internal/dialtest"
	"github.com/dialx/dialx/rules"
)

// writeFile replaces the file at path with content as a careful writer
// does: a new file renamed over the old one.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	next := path + ".next"
	require.NoError(t, os.WriteFile(next, []byte(content), 0o600))
	require.NoError(t, os.Rename(next, path))
}

// blockList returns a load function reading a domain list whose domains are
// dialed through listed, the rest through unlisted, and counting its calls.
func blockList(listed, unlisted dialx.Dialer, loads *atomic.Int64) func(io.Reader) (dialx.Dialer, error) {
	return func(r io.Reader) (dialx.Dialer, error) {
		if loads != nil {
			loads.Add(1)
		}
		table, err := rules.ParseDomains(r)
		if err != nil {
			return nil, err
		}
		return dialx.NewListed(table, listed, unlisted), nil
	}
}

// events collects the Events of a Trace.
type events struct {
	mu   sync.Mutex
	list []dialx.Event
}

func (e *events) trace(_ context.Context, event dialx.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, event)
}

// kinds returns the Kind of each Event so far, and forgets them.
func (e *events) kinds() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, event := range e.list {
		out = append(out, event.Kind)
	}
	e.list = nil
	return out
}

// routeOf dials address through d and returns the Label of the fake that
// made the connection, or the error.
func routeOf(t *testing.T, d dialx.Dialer, address string) string {
	t.Helper()
	conn, err := d.DialContext(context.Background(), "tcp", address)
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	return conn.(*dialtest.Conn).Label
}

func TestReloadingSwapsInTheDialerOfTheFileReadAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blocklist.txt")
	writeFile(t, path, "ads.example\n")
	listed, unlisted := &dialtest.Dialer{Label: "listed"}, &dialtest.Dialer{Label: "unlisted"}
	var seen events
	ctx := dialx.WithTrace(context.Background(), seen.trace)
	r, err := dialx.NewReloading(ctx, path, blockList(listed, unlisted, nil))
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, "listed", routeOf(t, r, "www.ads.example:443"))
	assert.Equal(t, "unlisted", routeOf(t, r, "tracker.example:443"))

	writeFile(t, path, "tracker.example\n")
	require.NoError(t, r.Reload())
	assert.Equal(t, "unlisted", routeOf(t, r, "www.ads.example:443"))
	assert.Equal(t, "listed", routeOf(t, r, "tracker.example:443"))

	require.Len(t, seen.list, 2, "the first load is reported too")
	for _, e := range seen.list {
		assert.Equal(t, "reload", e.Op)
		assert.Equal(t, "reloaded", e.Kind)
		assert.Equal(t, path, e.Detail)
		assert.Positive(t, e.Elapsed)
		assert.NoError(t, e.Err)
	}
}

func TestReloadingKeepsTheLastGoodDialerWhenTheFileIsBad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blocklist.txt")
	writeFile(t, path, "ads.example\n")
	var seen events
	ctx := dialx.WithTrace(context.Background(), seen.trace)
	r, err := dialx.NewReloading(ctx, path, blockList(&dialtest.Dialer{Label: "listed"}, &dialtest.Dialer{Label: "unlisted"}, nil))
	require.NoError(t, err)
	good := r.Dialer()
	seen.kinds()

	writeFile(t, path, "tracker.example\n||metrics.example^\nexa mple.example\n")
	err = r.Reload()
	assert.EqualError(t, err, "dialx: reload "+path+": line 2: pattern \"||metrics.example^\": "+
		"want one domain a line, got adblock filter syntax (write \"example.com\" for \"||example.com^\")\n"+
		"dialx: line 3: pattern \"exa\": want one domain a line, got 2 fields")
	var bad *rules.Error
	require.ErrorAs(t, err, &bad)
	assert.Equal(t, 2, bad.Line)
	var dialErr *dialx.DialError
	require.ErrorAs(t, err, &dialErr)
	assert.Equal(t, path, dialErr.Addr)
	assert.Same(t, good, r.Dialer(), "the last good Dialer is kept")
	assert.Equal(t, "listed", routeOf(t, r, "ads.example:443"))
	assert.Equal(t, "unlisted", routeOf(t, r, "tracker.example:443"))
	require.Len(t, seen.list, 1)
	assert.Equal(t, "rejected", seen.list[0].Kind)
	assert.Equal(t, path, seen.list[0].Detail)
	assert.Same(t, err, seen.list[0].Err, "the trace gets the error Reload returns")
	seen.kinds()

	require.NoError(t, os.Remove(path))
	err = r.Reload()
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Same(t, good, r.Dialer())
	assert.Equal(t, []string{"rejected"}, seen.kinds())

	writeFile(t, path, "tracker.example\n")
	require.NoError(t, r.Reload())
	assert.Equal(t, "listed", routeOf(t, r, "tracker.example:443"))
	assert.Equal(t, []string{"reloaded"}, seen.kinds())
}

func TestNewReloadingReturnsTheErrorOfTheFirstLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "blocklist.txt")
	writeFile(t, path, "ads.example\n192.0.2.1\n")
	load := blockList(&dialtest.Dialer{}, &dialtest.Dialer{}, nil)
	var seen events
	ctx := dialx.WithTrace(context.Background(), seen.trace)
	r, err := dialx.NewReloading(ctx, path, load, dialx.WithInterval(time.Hour))
	assert.Nil(t, r)
	assert.EqualError(t, err, "dialx: reload "+path+`: line 2: pattern "192.0.2.1": want a domain, got an IP address`)
	assert.Equal(t, []string{"rejected"}, seen.kinds())

	r, err = dialx.NewReloading(ctx, filepath.Join(dir, "missing.txt"), load)
	assert.Nil(t, r)
	assert.ErrorIs(t, err, fs.ErrNotExist)

	nothing := func(io.Reader) (dialx.Dialer, error) { return (*net.Dialer)(nil), nil }
	r, err = dialx.NewReloading(ctx, path, nothing)
	assert.Nil(t, r)
	assert.EqualError(t, err, "dialx: reload "+path+": load returned a nil Dialer")
}

func TestNewReloadingPanicsOnProgrammerErrors(t *testing.T) {
	load := blockList(&dialtest.Dialer{}, &dialtest.Dialer{}, nil)
	ctx := context.Background()
	//lint:ignore SA1012 a nil ctx is what is tested
	assert.PanicsWithValue(t, "dialx: NewReloading: ctx must not be nil, got nil", func() { _, _ = dialx.NewReloading(nil, "x", load) })
	assert.PanicsWithValue(t, `dialx: NewReloading: path must not be empty, got ""`, func() { _, _ = dialx.NewReloading(ctx, "", load) })
	assert.PanicsWithValue(t, "dialx: NewReloading: load must not be nil, got nil", func() { _, _ = dialx.NewReloading(ctx, "x", nil) })
	assert.PanicsWithValue(t, "dialx: WithInterval: interval must be > 0, got 0s", func() { dialx.WithInterval(0) })
}

// TestReloadingWithIntervalReadsTheFileWhenItChanged runs the interval on
// a fake clock: an unchanged file is not read again, a changed one is, a
// bad or missing file is reported once, and after Close nothing is read.
func TestReloadingWithIntervalReadsTheFileWhenItChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blocklist.txt")
	writeFile(t, path, "ads.example\n")
	synctest.Test(t, func(t *testing.T) {
		var loads atomic.Int64
		var seen events
		ctx := dialx.WithTrace(context.Background(), seen.trace)
		r, err := dialx.NewReloading(ctx, path, blockList(&dialtest.Dialer{Label: "listed"}, &dialtest.Dialer{Label: "unlisted"}, &loads),
			dialx.WithInterval(time.Minute))
		require.NoError(t, err)
		assert.Equal(t, []string{"reloaded"}, seen.kinds())
		tick := func() {
			time.Sleep(time.Minute)
			synctest.Wait()
		}

		tick()
		tick()
		assert.Equal(t, int64(1), loads.Load(), "an unchanged file is not read again")
		assert.Empty(t, seen.kinds())

		writeFile(t, path, "tracker.example\n")
		tick()
		assert.Equal(t, []string{"reloaded"}, seen.kinds(), "a new size")
		assert.Equal(t, "listed", routeOf(t, r, "tracker.example:443"))

		writeFile(t, path, "metrics.example\n")
		tick()
		assert.Equal(t, []string{"reloaded"}, seen.kinds(), "the same size, another file renamed over it")
		assert.Equal(t, "listed", routeOf(t, r, "metrics.example:443"))

		writeFile(t, path, "tracker.example\n||bad.example^\n")
		tick()
		tick()
		assert.Equal(t, []string{"rejected"}, seen.kinds(), "a bad file is reported once")
		assert.Equal(t, "listed", routeOf(t, r, "metrics.example:443"), "and the last good Dialer kept")

		require.NoError(t, os.Remove(path))
		tick()
		tick()
		assert.Equal(t, []string{"rejected"}, seen.kinds(), "a missing file is reported once")

		writeFile(t, path, "tracker.example\n")
		tick()
		assert.Equal(t, []string{"reloaded"}, seen.kinds())
		assert.Equal(t, "listed", routeOf(t, r, "tracker.example:443"))

		loaded := loads.Load()
		require.NoError(t, r.Close())
		require.NoError(t, r.Close(), "a second Close does nothing")
		writeFile(t, path, "ads.example\nmetrics.example\n")
		tick()
		assert.Equal(t, loaded, loads.Load(), "nothing is read after Close")
		assert.Empty(t, seen.kinds())
		require.NoError(t, r.Reload(), "Reload still works after Close")
		assert.Equal(t, "listed", routeOf(t, r, "metrics.example:443"))
		// The bubble ends only when every goroutine it started has: a
		// Close that left the interval's goroutine running fails here.
	})
}

// TestReloadingUnderATimeoutBoundsADialerSwappedIn checks that a Timeout
// over a Reloading whose first Dialer honours ctx still bounds a dial
// through one swapped in later that does not.
func TestReloadingUnderATimeoutBoundsADialerSwappedIn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dialer.txt")
	writeFile(t, path, "good")
	synctest.Test(t, func(t *testing.T) {
		// Made in the bubble, so that a dial blocked on it lets the
		// fake clock run.
		release := make(chan struct{})
		stuck := &dialtest.Dialer{Block: true, IgnoreCtx: true, Release: release}
		load := func(r io.Reader) (dialx.Dialer, error) {
			content, err := io.ReadAll(r)
			if string(content) == "good" {
				return dialx.NewReject(nil), err
			}
			return stuck, err
		}
		r, err := dialx.NewReloading(context.Background(), path, load)
		require.NoError(t, err)
		timeout := dialx.NewTimeout(r, time.Second)
		writeFile(t, path, "stuck")
		require.NoError(t, r.Reload())

		start := time.Now()
		_, err = timeout.Dial("tcp", "example.com:443")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Second, time.Since(start))
		close(release)
		synctest.Wait()
	})
}

func TestReloadingPassesRefusalsOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blocklist.txt")
	writeFile(t, path, "ads.example\n")
	denied := errors.New("denied")
	r, err := dialx.NewReloading(context.Background(), path, blockList(dialx.NewReject(denied), &net.Dialer{}, nil))
	require.NoError(t, err)
	s, err := dialx.NewSelective(dialx.Rule{Pattern: "*", Dialer: r})
	require.NoError(t, err)
	assert.ErrorIs(t, s.ControlContext(context.Background(), "tcp", "ads.example:443", nil), denied)
	assert.NoError(t, s.ControlContext(context.Background(), "tcp", "example.com:443", nil))
}

// TestReloadingUnderLoad reloads a list again and again, good and bad
// files in turn, while 8 goroutines dial two loopback listeners through it
// without pause: no dial fails, and every dial that ran entirely after a
// reload ended and before the next began routes by the list of the last
// good file.
func TestReloadingUnderLoad(t *testing.T) {
	const goroutines, reloads, dialsBetween = 8, 24, 40
	listed, unlisted := serveLabel(t, 'L'), serveLabel(t, 'U')
	to := func(address string) dialx.Dialer {
		var d net.Dialer
		return dialx.DialerFunc(func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, address)
		})
	}
	// Lists long enough that a reload takes a while among the dials.
	var filler strings.Builder
	for i := range 2000 {
		filler.WriteString("filler" + string(rune('a'+i%26)) + ".example\n")
	}
	files := map[string]string{"a": "a.example\n" + filler.String(), "b": "b.example\n" + filler.String(),
		"bad": "b.example\n" + filler.String() + "||bad.example^\n"}
	// active[k]: the list dials route by once reload k has ended.
	plan, active := make([]string, reloads+1), make([]string, reloads+1)
	active[0] = "a"
	for k := 1; k <= reloads; k++ {
		plan[k] = [...]string{"b", "bad", "a", "bad", "bad", "b", "a"}[k%7]
		active[k] = active[k-1]
		if plan[k] != "bad" {
			active[k] = plan[k]
		}
	}

	path := filepath.Join(t.TempDir(), "list.txt")
	writeFile(t, path, files["a"])
	r, err := dialx.NewReloading(context.Background(), path, blockList(to(listed), to(unlisted), nil))
	require.NoError(t, err)

	var started, ended, dials, checked, failed atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var dialers sync.WaitGroup
	for g := range goroutines {
		dialers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := [...]string{"a", "b"}[(g+i)%2]
				before := ended.Load()
				route, err := dialLabel(r, name+".example:443")
				if err != nil {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
					continue
				}
				dials.Add(1)
				if started.Load() != before {
					continue // a reload ran during the dial: either list may route it
				}
				want := byte('U')
				if name == active[before] {
					want = 'L'
				}
				if route != want {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("%s routed %c after reload %d, of list %s", name, route, before, active[before]))
				}
				checked.Add(1)
			}
		})
	}
	for k := 1; k <= reloads; k++ {
		for mark := dials.Load(); dials.Load()-mark < dialsBetween && failed.Load() == 0; {
			time.Sleep(time.Millisecond) // let dials run on the current list
		}
		started.Store(int64(k))
		writeFile(t, path, files[plan[k]])
		err := r.Reload()
		if plan[k] == "bad" {
			assert.Error(t, err, "reload %d", k)
		} else {
			assert.NoError(t, err, "reload %d", k)
		}
		ended.Store(int64(k))
	}
	close(stop)
	dialers.Wait()
	assert.Zero(t, failed.Load(), "first failure: %v", firstFailure.Load())
	assert.Greater(t, checked.Load(), int64(reloads*dialsBetween/2), "dials checked against their list")
	t.Logf("%d dials, %d checked against their list", dials.Load(), checked.Load())
}

// serveLabel starts a loopback listener that writes label to each
// connection and closes it.
func serveLabel(t *testing.T, label byte) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var served sync.WaitGroup
	t.Cleanup(func() {
		listener.Close()
		served.Wait()
	})
	served.Go(func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			conn.Write([]byte{label})
			conn.Close()
		}
	})
	return listener.Addr().String()
}

// dialLabel dials address through d and reads the label of the listener
// that answered.
func dialLabel(d dialx.Dialer, address string) (byte, error) {
	conn, err := d.DialContext(context.Background(), "tcp", address)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var label [1]byte
	_, err = io.ReadFull(conn, label[:])
	return label[0], err
}

func TestReloadingDialAllocatesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "blocklist.txt")
	writeFile(t, path, "ads.example\n")
	instant := dialx.DialerFunc(dialtest.Instant())
	r, err := dialx.NewReloading(context.Background(), path, blockList(instant, instant, nil))
	require.NoError(t, err)
	for _, address := range []string{"ads.example:443", "example.com:443"} {
		assertDialDoesNotAllocate(t, context.Background(), r, address)
	}
}
