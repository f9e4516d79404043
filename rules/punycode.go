package rules

// Punycode (RFC 3492) parameters for IDNA.
const (
	punyBase        = 36
	punyTMin        = 1
	punyTMax        = 26
	punySkew        = 38
	punyDamp        = 700
	punyInitialBias = 72
	punyInitialN    = 128
)

// appendPunycode appends the ASCII form of one label, already mapped by
// IDNA, to dst: the label itself if it is ASCII, else "xn--" and its
// Punycode. It gives up, returning ok false, as soon as the label would be
// longer than limit bytes, so a label that cannot fit a host name costs no
// more than one that can.
//
// golang.org/x/net/idna encodes too, but it decodes the label's UTF-8 again
// for every distinct code point, which makes a long label cost tens of
// microseconds before its length can be checked; this encoder works on
// runes with an early exit, so every host check stays within a bound.
func appendPunycode(dst []byte, label []rune, limit int) (out []byte, ok bool) {
	start := len(dst)
	basic := 0
	for _, r := range label {
		if r < 0x80 {
			basic++
		}
	}
	if basic == len(label) {
		if len(label) > limit {
			return dst, false
		}
		for _, r := range label {
			dst = append(dst, byte(r))
		}
		return dst, true
	}
	// Every code point adds at least one byte, after "xn--" and the
	// delimiter: a label that long cannot fit.
	if 4+len(label)+1 > limit {
		return dst, false
	}
	dst = append(dst, "xn--"...)
	for _, r := range label {
		if r < 0x80 {
			dst = append(dst, byte(r))
		}
	}
	if basic > 0 {
		dst = append(dst, '-')
	}
	n, delta, bias := rune(punyInitialN), 0, punyInitialBias
	for handled := basic; handled < len(label); {
		m := rune(0x7fffffff)
		for _, r := range label {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (handled + 1) // at most 0x10FFFF × 64: no overflow
		n = m
		for _, r := range label {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := punyBase; ; k += punyBase {
				t := k - bias
				t = max(punyTMin, min(punyTMax, t))
				if q < t {
					break
				}
				dst = append(dst, punyDigit(t+(q-t)%(punyBase-t)))
				q = (q - t) / (punyBase - t)
			}
			dst = append(dst, punyDigit(q))
			if len(dst)-start > limit {
				return dst[:start], false
			}
			bias = punyAdapt(delta, handled+1, handled == basic)
			delta = 0
			handled++
		}
		delta++
		n++
	}
	return dst, true
}

func punyDigit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

func punyAdapt(delta, points int, first bool) int {
	if first {
		delta /= punyDamp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > (punyBase-punyTMin)*punyTMax/2 {
		delta /= punyBase - punyTMin
		k += punyBase
	}
	return k + (punyBase-punyTMin+1)*delta/(delta+punySkew)
}
