package sqldb

import (
	"context"
	"crypto/rand"

	"linkwork"
)

// SigningKeyService keeps signing keys in the database.
type SigningKeyService struct{ db *DB }

// NewSigningKeyService returns the signing keys of db.
func NewSigningKeyService(db *DB) *SigningKeyService { return &SigningKeyService{db: db} }

var _ linkwork.SigningKeyService = (*SigningKeyService)(nil)

// SigningKey returns the named key, making it the first time. Two instances starting at once
// both offer a key; the first to commit wins and both return its key.
func (s *SigningKeyService) SigningKey(ctx context.Context, name string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	var out []byte
	err := s.db.tx(ctx, func(c conn) error {
		if _, err := c.exec(ctx, "INSERT INTO signing_keys (name, signing_key, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
			name, key, s.db.Now()); err != nil {
			return err
		}
		return c.queryRow(ctx, "SELECT signing_key FROM signing_keys WHERE name = ?", []any{name}, &out)
	})
	return out, err
}
