package main

import (
	"context"
	"fmt"

	"linkwork"
	"linkwork/data"
	"linkwork/demo"
	"linkwork/geoimport"
)

// demo loads the demonstration place (package demo) with a user for every role, all with
// one new random password, printed once. It refuses to load twice. First it loads the
// postcodes and deprivation that linkwork ships into empty tables, so that the place has a
// real map; the venues are put on the shipped postcodes that are still in use.
func (m *Main) demo(ctx context.Context) error {
	if err := m.loadShippedGeography(ctx); err != nil {
		return err
	}
	postcodes, err := shippedPostcodes()
	if err != nil {
		return err
	}
	password := "demo-" + linkwork.NewSecret()[:12]
	// The clock lets the demonstration date its referrals' histories over past months.
	res, err := demo.Load(ctx, m.db.Services(), postcodes, password, demo.WithClock(&m.db.Now))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(m.stdout, "Loaded %q: %d organisations, %d connector schemes, %d link workers in the directory, %d community offers and %d referrals.\n",
		demo.PlaceName, res.Organisations, res.Schemes, res.Practitioners, res.Offers, res.Referrals)
	fmt.Fprintf(m.stdout, "The community side: %d budget pots with %d spends, %d forum meetings, %d learning posts and %d requests from groups.\n\n",
		res.Pots, res.Spends, res.Meetings, res.Posts, res.Requests)
	fmt.Fprintln(m.stdout, "Sign in as any of these, with the password below:")
	for _, l := range res.Logins {
		fmt.Fprintf(m.stdout, "  %-26s %s at %s\n", l.Email, l.Role, l.Organisation)
	}
	fmt.Fprintf(m.stdout, "\nPassword: %s\n", password)
	return nil
}

// shippedPostcodes lists the shipped Halifax postcodes that are still in use, in the file's
// order, so that the demonstration place is the same every time.
func shippedPostcodes() ([]string, error) {
	f, err := data.HalifaxPostcodes()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, rows, err := geoimport.ReadPostcodes(f, linkwork.ImportOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for p, err := range rows {
		if err != nil {
			continue // a row the import skipped; it has no place in the demonstration either
		}
		if p.Terminated == nil {
			out = append(out, p.Postcode)
		}
	}
	return out, nil
}
