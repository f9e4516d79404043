package dialx

import (
	"context"
	"fmt"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dialSerially makes n dials through d, one after another, and fails the
// test on an error.
func dialSerially(t *testing.T, d Dialer, n int, address string) {
	t.Helper()
	for range n {
		conn, err := d.DialContext(t.Context(), "tcp", address)
		require.NoError(t, err)
		conn.Close()
	}
}

// TestBalancerChoosesByMeasuredConnectTime: on the fake clock, a member ten
// times slower than the others is dialed again only when its estimate has
// decayed below theirs, one dial at a time, and a member that fails is left
// alone until its failure is forgotten.
func TestBalancerChoosesByMeasuredConnectTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fast1 := &upstream{name: "fast1", connect: 10 * time.Millisecond}
		fast2 := &upstream{name: "fast2", connect: 10 * time.Millisecond}
		slow := &upstream{name: "slow", connect: 100 * time.Millisecond}
		b := NewBalancer(fast1, fast2, slow)
		b.intN = seededIntN(1)

		dialSerially(t, b, 1000, "a:1") // about 10 s of dials
		assert.LessOrEqual(t, slow.dials.Load(), int64(5), "the slow member gets a dial now and then, to measure it again")
		assert.Equal(t, int64(1000), fast1.dials.Load()+fast2.dials.Load()+slow.dials.Load(), "each dial connects at once")
		assert.InDelta(t, fast1.dials.Load(), fast2.dials.Load(), 300, "the fast members share the dials")

		fast2.broken.Store(true)
		dialSerially(t, b, 100, "a:1")
		failed := fast2.dials.Load()
		dialSerially(t, b, 1000, "a:1")
		assert.Equal(t, failed, fast2.dials.Load(), "a member that failed is avoided for a while")

		time.Sleep(5 * time.Minute) // idle: every estimate decays
		fast2.broken.Store(false)
		dialSerially(t, b, 100, "a:1")
		assert.Greater(t, fast2.dials.Load(), failed+10, "the failure is forgotten: the member has its share again")
	})
}

// TestBalancerWeighsDialsInFlight: of two members measured alike, a dial
// goes to the one with fewer dials in flight, and a member never measured
// gets no second dial before its first answers.
func TestBalancerWeighsDialsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := &upstream{name: "a", connect: time.Second}
		b := &upstream{name: "b", connect: time.Second}
		bal := NewBalancer(a, b)
		for _, round := range []string{"never measured", "measured"} {
			for i := range 4 {
				go bal.DialContext(t.Context(), "tcp", "x:1")
				synctest.Wait()
				if i%2 == 1 {
					assert.Equal(t, a.dials.Load(), b.dials.Load(), "%s: the second dial goes to the idle member", round)
				}
			}
			time.Sleep(2 * time.Second)
		}
	})
}

// TestBalancerTolerance: with a tolerance above the difference of two
// members' connect times, they share the dials; without, the faster takes
// nearly all.
func TestBalancerTolerance(t *testing.T) {
	for _, tt := range []struct {
		tolerance time.Duration
		minSlower int64
		maxSlower int64
	}{
		{tolerance: 0, minSlower: 1, maxSlower: 20},
		{tolerance: 5 * time.Millisecond, minSlower: 350, maxSlower: 650},
	} {
		t.Run(fmt.Sprint(tt.tolerance), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				faster := &upstream{name: "faster", connect: 10 * time.Millisecond}
				slower := &upstream{name: "slower", connect: 12 * time.Millisecond}
				b := NewBalancer(faster, slower).WithOptions(WithTolerance(tt.tolerance))
				b.intN = seededIntN(2)
				dialSerially(t, b, 1000, "a:1")
				assert.GreaterOrEqual(t, slower.dials.Load(), tt.minSlower)
				assert.LessOrEqual(t, slower.dials.Load(), tt.maxSlower)
			})
		})
	}
}

// TestBalancerTriesRefusingMembersLast: a member whose Breaker has the
// destination's circuit open is not dialed while another member can be;
// when every member refuses, the dial still goes to each, and the error
// says why.
func TestBalancerTriesRefusingMembersLast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		down := &upstream{name: "down", connect: time.Millisecond}
		down.broken.Store(true)
		up := &upstream{name: "up", connect: 50 * time.Millisecond}
		guarded := NewBreaker(down, WithConsecutiveFailures(1))
		_, err := guarded.Dial("tcp", "a:1")
		require.Error(t, err)
		require.Equal(t, BreakerOpen, guarded.State("tcp", "a:1"))

		b := NewBalancer(NewTimeout(guarded, time.Second), up)
		dialSerially(t, b, 50, "a:1")
		assert.Equal(t, int64(1), down.dials.Load(), "the open circuit keeps the dials away, though its member looks faster")

		onlyDown := NewBalancer(guarded, NewBreaker(down, WithConsecutiveFailures(1)))
		_, err = onlyDown.Dial("tcp", "b:1") // opens the second Breaker's circuit; the first's is per address
		require.Error(t, err)
		_, err = onlyDown.Dial("tcp", "a:1")
		assert.ErrorIs(t, err, ErrOpen, "every member refused: the error says so")
		assert.ErrorContains(t, err, "balancer tcp a:1: all 2 members failed")
	})
}

// TestBalancerAffinityMovesOnlyTheBadMembersKeys: with WithKey, each key
// stays on one member; when a member fails, only its keys move, spread over
// the others, and they come back once its failure is forgotten.
func TestBalancerAffinityMovesOnlyTheBadMembersKeys(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		us := make([]*upstream, 5)
		for i := range us {
			us[i] = &upstream{name: fmt.Sprint("u", i), connect: 10 * time.Millisecond}
		}
		b := NewBalancer(dialers(us...)...).WithOptions(WithKey(func(_, address string) string { return address }))
		const keys = 1000
		where := func() []int {
			t.Helper()
			at := make([]int, keys)
			for k := range keys {
				address := fmt.Sprintf("host%d.example:443", k)
				conn, err := b.Dial("tcp", address)
				require.NoError(t, err)
				conn.Close()
				for i, u := range us {
					if u.last.Load() == address && !u.broken.Load() {
						at[k] = i
					}
				}
			}
			return at
		}
		before := where()
		again := where()
		require.Equal(t, before, again, "each key stays on its member")
		perMember := make([]int, len(us))
		for _, i := range before {
			perMember[i]++
		}
		for i, n := range perMember {
			assert.InDelta(t, keys/len(us), n, keys/10, "member %d has a fair share of the keys", i)
		}

		us[2].broken.Store(true)
		after := where()
		moved := make([]int, len(us))
		for k := range keys {
			if before[k] == 2 {
				assert.NotEqual(t, 2, after[k], "key %d of the bad member moves", k)
				moved[after[k]]++
			} else {
				assert.Equal(t, before[k], after[k], "key %d of a good member stays", k)
			}
		}
		for i, n := range moved {
			if i != 2 {
				assert.Greater(t, n, perMember[2]/8, "the bad member's keys spread over the others, member %d", i)
			}
		}
		assert.Equal(t, int64(perMember[2]*2+1), us[2].dials.Load(), "after one failed dial, the bad member gets none")

		us[2].broken.Store(false)
		time.Sleep(time.Minute) // the failure is forgotten
		assert.Equal(t, before, where(), "the member is back, and so are its keys")
	})
}

// TestBalancerProbesOnlyWhileUsed: probing starts with a dial, goes on
// while dials come, and stops, leaving no goroutine, an interval after the
// last one; the next dial starts it again.
func TestBalancerProbesOnlyWhileUsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := &upstream{name: "a", connect: time.Millisecond}
		c := &upstream{name: "c", connect: time.Millisecond}
		b := NewBalancer(a, c).WithOptions(WithProbe("tcp", probeAddress, time.Second))
		time.Sleep(time.Hour)
		assert.Zero(t, a.probes.Load()+c.probes.Load(), "an unused Balancer probes nothing")

		for range 10 { // dials for about ten seconds
			dialSerially(t, b, 1, "x:1")
			time.Sleep(time.Second)
		}
		probed := a.probes.Load()
		assert.InDelta(t, 10, probed, 1, "a round of probes per interval while in use")
		assert.Equal(t, probed, c.probes.Load(), "every member is probed")

		time.Sleep(2 * time.Second) // three intervals after the last dial, with the loop's last second
		synctest.Wait()
		assert.False(t, b.probing.Load(), "probing stopped within three intervals of the last dial")
		time.Sleep(time.Hour)
		assert.InDelta(t, probed, a.probes.Load(), 2, "an idle Balancer stops probing")
		idle := a.probes.Load()

		dialSerially(t, b, 1, "x:1")
		time.Sleep(1500 * time.Millisecond)
		assert.Equal(t, idle+1, a.probes.Load(), "the next dial starts probing again")
		time.Sleep(time.Hour)
	})
}

// TestBalancerProbesFindABadMember: a member that fails its probes is
// avoided though no dial went to it since it broke, and one that recovers
// is dialed again soon.
func TestBalancerProbesFindABadMember(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := &upstream{name: "a", connect: 10 * time.Millisecond}
		c := &upstream{name: "c", connect: 10 * time.Millisecond}
		b := NewBalancer(a, c).WithOptions(WithProbe("tcp", probeAddress, time.Second))
		b.intN = seededIntN(3)
		dialSerially(t, b, 10, "x:1")
		c.broken.Store(true)
		time.Sleep(1500 * time.Millisecond) // a round of probes; the Balancer was used within the interval
		dials := c.dials.Load()
		dialSerially(t, b, 100, "x:1")
		assert.Equal(t, dials, c.dials.Load(), "the probe found the member bad before any dial did")
		time.Sleep(time.Hour)
	})
}

// TestBalancerAffinityRetriesABadMemberOneDialAtATime: once a bad member's
// failure has decayed below the bar, its keys go back to it one dial at a
// time, as without affinity: while that dial hangs, the member still counts
// as bad, and the other dials for its keys go to the members ranked next.
func TestBalancerAffinityRetriesABadMemberOneDialAtATime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		us := make([]*upstream, 3)
		for i := range us {
			us[i] = &upstream{name: fmt.Sprint("u", i), connect: 10 * time.Millisecond}
		}
		b := NewBalancer(dialers(us...)...).WithOptions(WithKey(func(_, address string) string { return address }))
		var keysOfFirst []string
		for k := 0; len(keysOfFirst) < 20; k++ {
			address := fmt.Sprintf("host%d.example:443", k)
			dialSerially(t, b, 1, address)
			if us[0].last.Load() == address {
				keysOfFirst = append(keysOfFirst, address)
			}
		}

		us[0].broken.Store(true)
		dialSerially(t, b, 1, keysOfFirst[0]) // fails over; the member is bad
		us[0].broken.Store(false)
		us[0].connect = 5 * time.Second // and now hangs: a black hole behind a timeout
		time.Sleep(time.Minute)         // its failure has decayed below the bar
		before := us[0].dials.Load()
		for _, address := range keysOfFirst {
			go dialSerially(t, b, 1, address)
			synctest.Wait()
		}
		assert.Equal(t, before+1, us[0].dials.Load(), "one dial tries the member again; the others do not wait for it")
		time.Sleep(10 * time.Second)
	})
}

// TestBalancerDialsInFlightNeverLeak: whether a member's dial connects,
// fails, is cut short by its ctx or panics, it leaves no dial counted in
// flight, which would make the member look loaded for good.
func TestBalancerDialsInFlightNeverLeak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hanging := &upstream{name: "hanging", connect: time.Hour}
		failing := &upstream{name: "failing", connect: time.Millisecond}
		failing.broken.Store(true)
		working := &upstream{name: "working", connect: time.Millisecond}
		panicking := DialerFunc(func(context.Context, string, string) (net.Conn, error) { panic("member") })
		cut, failover, panicked := NewBalancer(hanging), NewBalancer(failing, working), NewBalancer(panicking)

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err := cut.DialContext(ctx, "tcp", "a:1")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		dialSerially(t, failover, 10, "a:1")
		assert.PanicsWithValue(t, "member", func() { panicked.Dial("tcp", "a:1") })

		for _, b := range []*Balancer{cut, failover, panicked} {
			for _, m := range b.members {
				assert.Zero(t, m.inFlight.Load(), "member %d of %v", m.index, b.dialers)
			}
		}
	})
}

// TestMemberEstimateIsAPeakEWMA: the estimate jumps to a slower sample,
// decays towards zero while the member rests, and a faster sample pulls the
// estimate as it stands towards it: never above where it was, never below
// the sample.
func TestMemberEstimateIsAPeakEWMA(t *testing.T) {
	const ms = int64(time.Millisecond)
	type sample struct{ at, took int64 }
	for _, tt := range []struct {
		name     string
		samples  []sample
		at       int64
		min, max time.Duration
	}{
		{name: "a slower sample is taken at once",
			samples: []sample{{0, 10 * ms}, {1000 * ms, 100 * ms}}, at: 1000 * ms,
			min: 100 * time.Millisecond, max: 100 * time.Millisecond},
		{name: "a rest decays it by e every 10 s",
			samples: []sample{{0, 100 * ms}}, at: 10000 * ms,
			min: 36 * time.Millisecond, max: 37 * time.Millisecond},
		{name: "a failure is forgotten in about 70 s",
			samples: []sample{{0, int64(failureCost)}}, at: 70000 * ms,
			min: 9 * time.Millisecond, max: 10 * time.Millisecond},
		{name: "after a rest, a faster sample lowers it",
			// decayed to 24.8 ms by the rest; the 10 ms sample must not
			// add the failure's remains to itself (34.8 ms)
			samples: []sample{{0, int64(failureCost)}, {60000 * ms, 10 * ms}}, at: 60000 * ms,
			min: 10 * time.Millisecond, max: 25 * time.Millisecond},
		{name: "a sample slower than the decayed estimate is taken at once",
			samples: []sample{{0, int64(failureCost)}, {20000 * ms, 5000 * ms}}, at: 20000 * ms,
			min: 5 * time.Second, max: 5 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var m member
			for _, s := range tt.samples {
				m.observe(s.at, s.took, false)
			}
			got := m.health(tt.at)
			assert.GreaterOrEqual(t, got, tt.min)
			assert.LessOrEqual(t, got, tt.max)
		})
	}

	t.Run("faster samples bring it down over about 10 s", func(t *testing.T) {
		var m member
		m.observe(0, 100*ms, false)
		for at := ms; at <= 10000*ms; at += ms {
			m.observe(at, 10*ms, false)
		}
		got := m.health(10000 * ms)
		assert.Greater(t, got, 10*time.Millisecond)
		assert.Less(t, got, 20*time.Millisecond, "most of the way down: the gap decays and is blended away")
	})
}
