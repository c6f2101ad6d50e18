package sqldb

import (
	"context"
	"sync"

	"linkwork"
)

// routingSchemes keeps each place's connector schemes, with the lists routing reads (terms,
// areas, who may refer), under the directory version they were read at (migration 0006).
// Routing runs with every referral sent; the schemes change rarely, so reading them again
// each time would cost most of a referral's routing for nothing. Any change to the directory
// moves the version on, so a kept list is never used after a change, on any instance.
type routingSchemes struct {
	mu     sync.Mutex
	places map[int64]keptSchemes
}

type keptSchemes struct {
	version int64
	schemes []*linkwork.Service
}

// schemesForRouting returns the place's connector schemes with their lists. The services
// returned are shared between callers and must not be changed.
func (db *DB) schemesForRouting(ctx context.Context, c conn, placeID int64) ([]*linkwork.Service, error) {
	var version int64
	if err := c.queryRow(ctx, "SELECT version FROM directory_version WHERE id = 1", nil, &version); err != nil {
		return nil, err
	}
	db.routing.mu.Lock()
	kept, ok := db.routing.places[placeID]
	db.routing.mu.Unlock()
	if ok && kept.version == version {
		return kept.schemes, nil
	}
	rows, err := c.query(ctx, "SELECT "+serviceColumns+` FROM services s JOIN organisations o ON o.id = s.organisation_id
		WHERE s.place_id = ? AND s.kind = 'connector_scheme' ORDER BY lower(s.name), s.id`, placeID)
	if err != nil {
		return nil, err
	}
	var schemes []*linkwork.Service
	for rows.Next() {
		svc, err := scanService(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, err
		}
		schemes = append(schemes, svc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := db.loadServiceLists(ctx, c, schemes); err != nil {
		return nil, err
	}
	db.routing.mu.Lock()
	if db.routing.places == nil {
		db.routing.places = map[int64]keptSchemes{}
	}
	db.routing.places[placeID] = keptSchemes{version: version, schemes: schemes}
	db.routing.mu.Unlock()
	return schemes, nil
}
