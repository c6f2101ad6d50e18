package gen

import "errors"

// allocate shares total out among items in proportion to their weights, each getting at
// least its minimum, so that the shares add up to total exactly: the running total of the
// weights is rounded at each item and each item gets the difference. It is the same for the
// same weights, and needs total to cover the minimums.
func allocate(total int, weights []float64, mins []int) ([]int, error) {
	out := make([]int, len(weights))
	rest := total
	var sum float64
	for i, w := range weights {
		rest -= mins[i]
		sum += w
	}
	if rest < 0 {
		return nil, errors.New("too few to go round")
	}
	if rest > 0 && sum <= 0 {
		return nil, errors.New("nothing to share them among")
	}
	var acc float64
	prev := 0
	for i, w := range weights {
		acc += w
		cur := rest
		if i < len(weights)-1 && sum > 0 {
			cur = min(rest, int(acc/sum*float64(rest)+0.5))
		}
		if cur < prev {
			cur = prev
		}
		out[i] = mins[i] + cur - prev
		prev = cur
	}
	return out, nil
}
