package gen

import "fmt"

// Identifiers for generated people and referrals that are unique by construction and the
// same for the same seed: referral references, and NHS numbers from the range set aside for
// test data.

// referenceAlphabet is the store's: Crockford's base32.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// reference returns the k-th referral reference of a seed, such as "R-7K3M9Q": k passed
// through a permutation of 30 bits keyed by the seed, so that references differ for every
// k below 2³⁰ and do not count up.
func reference(seed uint64, k int) string {
	const mask = 1<<30 - 1
	x := uint32(k) & mask
	key := uint32(seed*0x9E3779B97F4A7C15>>34) | 1
	for _, m := range [...]uint32{0x2545F491, 0x1B873593, 0x0CC9E2D5} {
		x = (x*m + key) & mask // odd multiplier and an addition: both invertible mod 2³⁰
		x ^= x >> 15           // and so is a shift right folded in
	}
	var b [6]byte
	for i := range b {
		b[5-i] = referenceAlphabet[x&31]
		x >>= 5
	}
	return "R-" + string(b[:])
}

// nhsNumbers hands out NHS numbers of the form 999 nnn nnnn, which the NHS keeps for test
// data and never gives to a person: each valid one once, in an order set by the seed, and
// "" when all of them (about 909,000) have been used.
type nhsNumbers struct {
	mul, add, next int
}

func newNHSNumbers(seed uint64) *nhsNumbers {
	// A multiplier prime to 10⁶ makes k → mul·k + add a permutation of 0 … 999,999.
	mul := int(seed%400000)*2 + 100001
	for mul%5 == 0 {
		mul += 2
	}
	return &nhsNumbers{mul: mul, add: int(seed>>20) % 1000000}
}

// take returns the next unused number.
func (n *nhsNumbers) take() string {
	for n.next < 1000000 {
		j := (n.mul*n.next + n.add) % 1000000
		n.next++
		digits := fmt.Sprintf("999%06d", j)
		sum := 0
		for i := range 9 {
			sum += int(digits[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check == 10 {
			continue // no valid number with these nine digits
		}
		return digits + string(rune('0'+check))
	}
	return ""
}
