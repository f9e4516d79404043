package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo is documentation that runs: this test fails as soon as a step
// stops showing what it claims.
func TestRunShowsEveryStep(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out))
	text := out.String()

	tests := []struct {
		step string
		want []string // each must appear in the step's section, in order
	}{
		{step: "1. Repeat over a refused port", want: []string{
			"all 3 tries failed", "connection refused", "errors.Is(err, syscall.ECONNREFUSED) = true"}},
		{step: "2. Timeout on a slow route", want: []string{
			"timed out after 100ms", "Timeout() = true", "errors.Is(err, context.DeadlineExceeded) = true"}},
		{step: "3. Consecutive failover", want: []string{
			"connected to beta"}},
		{step: "4. Random spread", want: []string{
			"60 dials: alpha"}},
		{step: "5. Concurrent race", want: []string{
			"gamma won", "cancelled slow", "context canceled"}},
		{step: "6. Reject", want: []string{
			"ads are blocked", "errors.Is(err, dialx.ErrRejected) = true"}},
		{step: "7. Swappable swap", want: []string{
			"before the swap: alpha; after: beta"}},
		{step: "8. Selective routing", want: []string{
			"db.internal:5432  -> alpha",
			"LOCALHOST:8080    -> beta",
			"ads.example:443   -> dialx: reject",
			"example.com:443   -> no match"}},
		{step: "9. Breaker over a refused port", want: []string{
			"dial 1:", "connection refused", "dial 3:", "circuit open", "errors.Is(err, dialx.ErrOpen) = true", "state open"}},
		{step: "10. Limit on dials in flight", want: []string{
			"two dials wait for the slot", "all three connected to alpha"}},
		{step: "11. Repeat with Backoff and Budget", want: []string{
			"earned 2 retries", "retry budget exhausted", "errors.Is(err, dialx.ErrBudgetExhausted) = true"}},
		{step: "12. Resolve racing the addresses of a name", want: []string{
			"[::1]:", "failed", "127.0.0.1:", "connected", "connected to alpha"}},
		{step: "13. Guard against SSRF", want: []string{
			"127.0.0.1:", "not a public address: 127.0.0.0/8", "with dialx.WithExceptions", "connected to alpha"}},
		{step: "14. Tracing with log/slog", want: []string{
			"dialx: repeat attempt", "dialx: consecutive attempt", "dialx: dial done", "connection refused", "dialx: consecutive attempt", "dialx: dial done", "connected to alpha"}},
	}
	sections := strings.Split(text, "\n\n")
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			section := find(sections, tt.step)
			require.NotEmpty(t, section, "no section starts with %q in:\n%s", tt.step, text)
			rest := section
			for _, want := range tt.want {
				i := strings.Index(rest, want)
				require.GreaterOrEqual(t, i, 0, "%q missing (or out of order) in:\n%s", want, section)
				rest = rest[i+len(want):]
			}
		})
	}
	assert.True(t, strings.HasSuffix(text, "\ndone.\n"), "the demo ran to its end")
}

// Random spreads the dials: each server gets some. With 60 uniform dials
// over three servers, one getting none happens about once in 10^10 runs.
func TestRunRandomReachesEveryServer(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out))
	m := regexp.MustCompile(`(\d+) dials: alpha (\d+), beta (\d+), gamma (\d+)`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	total, sum := atoi(t, m[1]), 0
	for _, count := range m[2:] {
		assert.Positive(t, atoi(t, count))
		sum += atoi(t, count)
	}
	assert.Equal(t, total, sum)
}

func find(sections []string, prefix string) string {
	for _, s := range sections {
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
	return ""
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
