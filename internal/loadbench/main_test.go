package main

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRunPrintsARowForEachStack(t *testing.T) {
	var out strings.Builder
	if err := run(config{dials: 20, inFlight: 4, rounds: 2, timeout: 5 * time.Second}, &out); err != nil {
		t.Fatal(err)
	}
	c := config{inFlight: 4, timeout: time.Second}
	ss, err := stacks(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if !strings.Contains(out.String(), "| "+s.name+" | ") {
			t.Errorf("no row for %s in\n%s", s.name, out.String())
		}
	}
	if !strings.Contains(out.String(), "| "+baseline+" | ") || !strings.Contains(out.String(), "| 1.00× | 1.00× |") {
		t.Errorf("the baseline's row does not read 1.00×:\n%s", out.String())
	}
}

func TestRunRefusesAnEmptyConfiguration(t *testing.T) {
	if err := run(config{dials: 0, inFlight: 1, rounds: 1, timeout: time.Second}, &strings.Builder{}); err == nil {
		t.Error("no error for zero dials")
	}
}
