package sqldb

import (
	"context"

	"linkwork"
)

// alreadyDone is the answer to a money-moving request whose idempotency key was used before
// in the place: the first request did the work, so this one changes nothing.
const alreadyDone = "This was already done: the form or request was sent twice, so nothing more was changed."

// claimIdempotencyKey records a money-moving request's key in the caller's transaction, or
// refuses it with ECONFLICT when the place has seen the key before. A request sent twice at
// once waits here on PostgreSQL until the first one commits or rolls back (the insert meets
// the first one's row in the key's unique index), so exactly one of them does the work.
// recordID is the record the request acts on, 0 when it makes one (see setIdempotencyRecord).
func (db *DB) claimIdempotencyKey(ctx context.Context, c conn, placeID int64, key, action string, recordID int64) error {
	res, err := c.exec(ctx, `INSERT INTO idempotency_keys (place_id, key, action, record_id, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (place_id, key) DO NOTHING`, placeID, key, action, recordID, db.Now())
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return linkwork.Errorf(linkwork.ECONFLICT, alreadyDone)
	}
	return nil
}

// setIdempotencyRecord notes the record a request made, once it has an ID.
func setIdempotencyRecord(ctx context.Context, c conn, placeID int64, key string, recordID int64) error {
	_, err := c.exec(ctx, "UPDATE idempotency_keys SET record_id = ? WHERE place_id = ? AND key = ?", recordID, placeID, key)
	return err
}
