package slack_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dialx/dialx/internal/slack"
)

func TestAllowIsTheFloorPlusAMultipleOfTheLateness(t *testing.T) {
	tests := []struct {
		name string
		late time.Duration
		want time.Duration
	}{
		{name: "punctual controls", late: 0, want: slack.Floor},
		{name: "late controls", late: 300 * time.Millisecond, want: slack.Floor + slack.Multiple*300*time.Millisecond},
		{name: "a clock read a hair early", late: -time.Microsecond, want: slack.Floor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, slack.Allow(tt.late))
		})
	}
}

func TestMeasureIsZeroWhenEveryControlIsOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// On the fake clock every control fires exactly on time, so the
		// lateness is what the caller's own work added before asking.
		late := slack.Measure(100 * time.Millisecond)
		assert.Equal(t, time.Duration(0), late())
		assert.Equal(t, time.Duration(0), late(), "a second call gives the same answer")
	})
}

func TestMeasureRunsNextToTheOperation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The controls run while the caller works: asking after they fired
		// does not wait again, and what they report does not grow with the
		// time the caller took.
		start := time.Now()
		late := slack.Measure(100 * time.Millisecond)
		time.Sleep(time.Second)
		assert.Equal(t, time.Duration(0), late())
		assert.Equal(t, time.Second, time.Since(start))
	})
}

func TestNowIsTheFloorOnAQuietClockAndTakesItsDuration(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		assert.Equal(t, slack.Floor, slack.Now(50*time.Millisecond))
		assert.Equal(t, 50*time.Millisecond, time.Since(start), "Now takes the duration it measures")
	})
}
