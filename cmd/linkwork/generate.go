package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"linkwork/data"
	"linkwork/gen"
)

// generateScales are the sizes `linkwork generate --scale` makes. They cover the directory
// so far; people, referrals and casework join them as those features are built.
var generateScales = map[string]struct{ services, locations int }{
	"place":    {2_000, 5_000},
	"region":   {20_000, 50_000},
	"national": {100_000, 250_000},
}

// generateFlags are the flags of `linkwork generate`.
type generateFlags struct {
	scale               string
	seed                uint64
	services, locations int
	organisations       int
	postcodes           string
}

func defineGenerate(m *Main, fs *flag.FlagSet) {
	g := &m.gen
	fs.StringVar(&g.scale, "scale", "", "place, region or national: preset sizes (see linkwork generate -h)")
	fs.Uint64Var(&g.seed, "seed", 1, "the same seed and sizes make the same data")
	fs.IntVar(&g.services, "services", 0, "services to make (overrides --scale)")
	fs.IntVar(&g.locations, "locations", 0, "locations, spread over the services (overrides --scale)")
	fs.IntVar(&g.organisations, "organisations", 0, "organisations (default one for every 250 services)")
	fs.StringVar(&g.postcodes, "postcodes", "", "an ONS postcode lookup CSV to put locations on (default: the shipped HX file)")
}

// generate fills the database with a generated place for benchmarks and load tests (package
// gen), showing its progress.
func (m *Main) generate(ctx context.Context) error {
	g := m.gen
	if s, ok := generateScales[g.scale]; ok {
		if g.services == 0 {
			g.services = s.services
		}
		if g.locations == 0 {
			g.locations = s.locations
		}
	} else if g.scale != "" {
		return fmt.Errorf("generate: --scale must be place, region or national, not %q", g.scale)
	}
	if g.services <= 0 || g.locations < 0 {
		return fmt.Errorf("generate: give --scale, or --services (and --locations) of 1 or more")
	}
	var ps []gen.Postcode
	var err error
	if g.postcodes != "" {
		ps, err = gen.ReadPostcodesFile(g.postcodes)
	} else {
		var f io.ReadCloser
		if f, err = data.HalifaxPostcodes(); err == nil {
			ps, err = gen.ReadPostcodes(f)
			f.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	start := time.Now()
	dir, err := gen.Load(ctx, m.db, gen.Options{Seed: g.seed, Services: g.services, Locations: g.locations,
		Organisations: g.organisations, Postcodes: ps}, func(done int) {
		fmt.Fprintf(m.stderr, "\r%d of %d services", done, g.services)
	})
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(m.stderr, "\n")
	fmt.Fprintf(m.stdout, "Made place %d %q: %d organisations, %d services and %d locations on %d postcodes in %v.\n",
		dir.Place.ID, dir.Place.Name, dir.Organisations, dir.Services, dir.Locations, len(ps), time.Since(start).Round(time.Second))
	return nil
}
