package runs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAtReturnsWhatWasAdded(t *testing.T) {
	for _, values := range [][]int32{
		{},
		{7},
		{1, 1, 1, 1},
		{1, 2, 3, 4},
		{5, 5, 2, 2, 2, 5, -1, -1},
	} {
		var r Runs
		for _, v := range values {
			r.Add(v)
		}
		r.Trim()
		require.Equal(t, len(values), r.Len())
		for i, v := range values {
			assert.Equal(t, v, r.At(i), "values %v, position %d", values, i)
		}
		assert.Panics(t, func() { r.At(len(values)) })
		assert.Panics(t, func() { r.At(-1) })
	}
}

func TestEqualNeighboursShareOneRun(t *testing.T) {
	var r Runs
	for i := range 1000 {
		r.Add(int32(i / 400))
	}
	assert.Equal(t, []int32{0, 1, 2}, r.Values())
}

func TestAddNAddsARunAtOnce(t *testing.T) {
	var r Runs
	r.AddN(3, 1000)
	r.AddN(4, 0)
	r.Add(5)
	r.AddN(5, 2)
	require.Equal(t, 1003, r.Len())
	assert.Equal(t, int32(3), r.At(0))
	assert.Equal(t, int32(3), r.At(999))
	assert.Equal(t, int32(5), r.At(1000))
	assert.Equal(t, int32(5), r.At(1002))
	assert.Equal(t, []int32{3, 5}, r.Values())
}
