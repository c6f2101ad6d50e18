package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"linkwork"
)

// TokenService keeps API tokens.
type TokenService struct{ db *DB }

// NewTokenService returns the API tokens of db.
func NewTokenService(db *DB) *TokenService { return &TokenService{db: db} }

var _ linkwork.TokenService = (*TokenService)(nil)

// CreateToken makes a token and returns its secret.
func (s *TokenService) CreateToken(ctx context.Context, userID, placeID int64, name string) (string, *linkwork.APIToken, error) {
	name, err := linkwork.ValidateTokenName(name)
	if err != nil {
		return "", nil, err
	}
	secret := linkwork.APITokenPrefix + linkwork.NewSecret()
	t := &linkwork.APIToken{UserID: userID, PlaceID: placeID, Name: name,
		Hint: secret[:len(linkwork.APITokenPrefix)+6], CreatedAt: s.db.Now()}
	err = s.db.tx(ctx, func(c conn) error {
		id, err := c.insert(ctx, `INSERT INTO api_tokens (secret_hash, user_id, place_id, name, hint, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, linkwork.SecretHash(secret), userID, placeID, name, t.Hint, t.CreatedAt)
		if err != nil {
			return err
		}
		t.ID = id
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditTokenCreate,
			RecordType: "api_token", RecordID: idString(id), Detail: name + " for user " + idString(userID)})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

const tokenColumns = "id, user_id, place_id, name, hint, created_at, last_used_at, revoked_at"

func scanToken(scan func(...any) error) (*linkwork.APIToken, error) {
	t := &linkwork.APIToken{}
	var used, revoked sql.NullTime
	if err := scan(&t.ID, &t.UserID, &t.PlaceID, &t.Name, &t.Hint, &t.CreatedAt, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	t.LastUsedAt, t.RevokedAt = timePtr(used), timePtr(revoked)
	return t, nil
}

// FindTokenBySecret returns the unrevoked token for a secret and notes its use.
func (s *TokenService) FindTokenBySecret(ctx context.Context, secret string) (*linkwork.APIToken, error) {
	if !strings.HasPrefix(secret, linkwork.APITokenPrefix) {
		return nil, linkwork.Errorf(linkwork.ENOTFOUND, "API token not found.")
	}
	c := s.db.read()
	t, err := scanToken(func(dest ...any) error {
		return c.queryRow(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE secret_hash = ? AND revoked_at IS NULL",
			[]any{linkwork.SecretHash(secret)}, dest...)
	})
	if err != nil {
		return nil, notFound(err, "API token")
	}
	now := s.db.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if _, err := c.exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", now, t.ID); err != nil {
			return nil, err
		}
		t.LastUsedAt = &now
	}
	return t, nil
}

// ListTokens returns a user's tokens, newest first, revoked ones included.
func (s *TokenService) ListTokens(ctx context.Context, userID int64) ([]*linkwork.APIToken, error) {
	rows, err := s.db.read().query(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE user_id = ? ORDER BY id DESC", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*linkwork.APIToken
	for rows.Next() {
		t, err := scanToken(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of a user's live tokens.
func (s *TokenService) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	return s.db.tx(ctx, func(c conn) error {
		var placeID int64
		err := c.queryRow(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL RETURNING place_id",
			[]any{s.db.Now(), tokenID, userID}, &placeID)
		if err != nil {
			return notFound(err, "API token")
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: placeID, Action: linkwork.AuditTokenRevoke,
			RecordType: "api_token", RecordID: idString(tokenID)})
	})
}
