package linkwork

import "context"

// SigningKeyService keeps the keys linkwork signs its own short-lived values with (such as
// the self-referral form's timing token), in the database, so that every instance serving a
// place signs and checks alike and a restart does not void what was signed before it.
type SigningKeyService interface {
	// SigningKey returns the 32-byte key with the name, making it (at random) the first time.
	SigningKey(ctx context.Context, name string) ([]byte, error)
}
