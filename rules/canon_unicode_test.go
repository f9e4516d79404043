package rules

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIDNAIgnoredNamesExactlyTheCodePointsIDNADrops walks every code point through the IDNA mapping in
// use and checks that idnaIgnored names exactly those it deletes, so the
// table cannot fall behind a new version of golang.org/x/net/idna.
func TestIDNAIgnoredNamesExactlyTheCodePointsIDNADrops(t *testing.T) {
	var missing, extra []rune
	for r := rune(0x80); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		out, err := idnaLookup.ToUnicode("a" + string(r) + "b")
		dropped := err == nil && out == "ab"
		switch {
		case dropped && !idnaIgnored(r):
			missing = append(missing, r)
		case !dropped && idnaIgnored(r):
			extra = append(extra, r)
		}
	}
	assert.Empty(t, missing, "code points IDNA drops that idnaIgnored lets through")
	assert.Empty(t, extra, "code points idnaIgnored refuses that IDNA keeps")
}

// TestCanonHostAgreesWithIDNA compares the host names canonHost makes with
// the ASCII form golang.org/x/net/idna gives for the same input, on random
// names drawn from several scripts, so that the package's own Punycode
// encoder is held to the library's answer.
func TestCanonHostAgreesWithIDNA(t *testing.T) {
	alphabets := [][]rune{
		[]rune("abcxyz019-"),
		[]rune("äöüßéèçñ"),
		[]rune("абвгдежзийклмнопрстуфхцчшщъыьэюя"),
		[]rune("αβγδεζηθικλμνξοπρστυφχψω"),
		[]rune("中文网络测试域名例子"),
		[]rune("ＡＢＣａｂｃ１２３"),
		[]rune("한국어도메인"),
		[]rune("日本語ドメインテスト"),
	}
	r := rand.New(rand.NewPCG(7, 8))
	agreed, refused := 0, 0
	for range 20000 {
		labels := make([]string, 1+r.IntN(3))
		for i := range labels {
			var b strings.Builder
			alphabet := alphabets[r.IntN(len(alphabets))]
			mixed := alphabets[r.IntN(len(alphabets))]
			for range 1 + r.IntN(40) {
				if r.IntN(4) == 0 {
					b.WriteRune(mixed[r.IntN(len(mixed))])
				} else {
					b.WriteRune(alphabet[r.IntN(len(alphabet))])
				}
			}
			labels[i] = b.String()
		}
		host := strings.Join(labels, ".") + ".example"
		if isASCII(host) {
			continue
		}
		var buf [maxHostLen + 1]byte
		_, _, name, err := canonHost(buf[:0], host, false)
		want, wantErr := idnaLookup.ToASCII(host)
		if wantErr == nil && len(want) <= maxHostLen && !labelTooLong(want) && !endsInNumber([]byte(strings.ToLower(want))) {
			require.NoError(t, err, "host %q: idna gives %q", host, want)
			require.Equal(t, strings.ToLower(want), string(name), "host %q", host)
			agreed++
			continue
		}
		require.Error(t, err, "host %q: idna refuses it (%v) or it is too long: %q", host, wantErr, want)
		refused++
	}
	require.Greater(t, agreed, 5000)
	require.Greater(t, refused, 500)
}

func labelTooLong(name string) bool {
	for label := range strings.SplitSeq(name, ".") {
		if len(label) > 63 {
			return true
		}
	}
	return false
}
