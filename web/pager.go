package web

import (
	"net/http"
	"strconv"

	"linkwork"
)

// Pager links to the pages of a long list.
type Pager struct {
	Total    int
	From, To int
	Prev     string
	Next     string
}

// pageFrom reads ?page= from the request; anything odd means the first page.
func pageFrom(r *http.Request) linkwork.Page {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return linkwork.Page{Number: n, Size: linkwork.DefaultPageSize}.Normal()
}

// newPager describes page p of total items at path, keeping the query q (without page).
func newPager(path, q string, p linkwork.Page, total int) Pager {
	p = p.Normal()
	pg := Pager{Total: total, From: p.Offset() + 1, To: min(p.Offset()+p.Size, total)}
	if total == 0 {
		pg.From = 0
	}
	link := func(n int) string {
		s := path + "?page=" + strconv.Itoa(n)
		if q != "" {
			s += "&" + q
		}
		return s
	}
	if p.Number > 1 {
		pg.Prev = link(p.Number - 1)
	}
	if p.Offset()+p.Size < total {
		pg.Next = link(p.Number + 1)
	}
	return pg
}
