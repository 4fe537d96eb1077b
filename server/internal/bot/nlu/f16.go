package nlu

import "math"

// f32ToF16 rounds f to the nearest IEEE 754 half-precision value (ties to even).
func f32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	e32 := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if e32 == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	exp := e32 - 127 + 15
	if exp >= 31 {
		return sign | 0x7c00
	}
	if exp <= 0 {
		if exp < -10 {
			return sign
		}
		m := mant | 0x800000
		shift := uint(14 - exp)
		h := m >> shift
		rem, half := m&(1<<shift-1), uint32(1)<<(shift-1)
		if rem > half || rem == half && h&1 == 1 {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(sign) | uint32(exp)<<10 | mant>>13
	if rem := mant & 0x1fff; rem > 0x1000 || rem == 0x1000 && h&1 == 1 {
		h++ // a carry into the exponent is still the right value (or infinity)
	}
	return uint16(h)
}

// f16ToF32 is the exact float32 value of a half-precision number.
func f16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	e := uint32(h>>10) & 0x1f
	m := uint32(h & 0x3ff)
	switch {
	case e == 0:
		v := float32(m) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	case e == 31:
		return math.Float32frombits(sign | 0x7f800000 | m<<13)
	}
	return math.Float32frombits(sign | (e-15+127)<<23 | m<<13)
}

func roundF16(v []float32) {
	for i, x := range v {
		v[i] = f16ToF32(f32ToF16(x))
	}
}

// isF16 reports whether every value of v is exactly a half-precision number.
func isF16(v []float32) bool {
	for _, x := range v {
		if f16ToF32(f32ToF16(x)) != x && !(x != x) {
			return false
		}
	}
	return true
}
