package gen

// IdentifiersForTest returns the first n referral references of a seed, and all the NHS
// numbers it hands out, in order.
func IdentifiersForTest(seed uint64, n int) (refs, nhs []string) {
	for k := range n {
		refs = append(refs, reference(seed, k))
	}
	src := newNHSNumbers(seed)
	for s := src.take(); s != ""; s = src.take() {
		nhs = append(nhs, s)
	}
	return refs, nhs
}
