package linkwork

// Page is one page of a list. Number counts from 1.
type Page struct {
	Number int
	Size   int
}

// Page size limits for every list in linkwork.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Normal returns the page with defaults filled in and the size capped.
func (p Page) Normal() Page {
	if p.Number < 1 {
		p.Number = 1
	}
	if p.Size < 1 {
		p.Size = DefaultPageSize
	}
	if p.Size > MaxPageSize {
		p.Size = MaxPageSize
	}
	return p
}

// Offset is the number of rows before the page.
func (p Page) Offset() int {
	p = p.Normal()
	return (p.Number - 1) * p.Size
}
