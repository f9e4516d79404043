package dialx_test

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/dialx/dialx"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// assertDialDoesNotAllocate fails the test if a successful dial to address
// through d makes any heap allocation: the guard behind every zero in
// BENCHMARKS.md.
func assertDialDoesNotAllocate(t *testing.T, ctx context.Context, d dialx.Dialer, address string) {
	t.Helper()
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := d.DialContext(ctx, "tcp", address); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a dial to %s through %T allocates %v times, want 0", address, d, allocs)
	}
}
