package linkwork

import (
	"context"
	"strings"
	"time"
)

// APITokenPrefix starts every API token, so that a leaked one is easy to recognise.
const APITokenPrefix = "lw_"

// APIToken lets a script act as a user through the JSON API. Only its hash is stored; the
// secret is shown once, when it is created.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	PlaceID    int64      `json:"place_id"`
	Name       string     `json:"name"`
	Hint       string     `json:"hint"` // the first characters of the secret, to tell tokens apart
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// ValidateTokenName trims and checks a token's name.
func ValidateTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	return name, validateName("name", name, 80)
}

// TokenService keeps API tokens.
type TokenService interface {
	// CreateToken makes a token and returns its secret, which is never shown again.
	CreateToken(ctx context.Context, userID, placeID int64, name string) (string, *APIToken, error)
	// FindTokenBySecret returns the live (unrevoked) token for a secret, or ENOTFOUND.
	FindTokenBySecret(ctx context.Context, secret string) (*APIToken, error)
	ListTokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// RevokeToken revokes one of the user's tokens; ENOTFOUND if it is not theirs.
	RevokeToken(ctx context.Context, userID, tokenID int64) error
}
