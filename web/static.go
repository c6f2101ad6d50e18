package web

import (
	"embed"
	"io/fs"
	"net/http"
)

// static holds linkwork's own stylesheet and script and, once `make assets` has run, the
// NHS.UK frontend built from npm into static/nhsuk (not committed).
//
//go:embed static
var static embed.FS

// staticHandler serves /static/ from the embedded files. The files change only with the
// binary, so browsers may keep them for a day.
func staticHandler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
