package linkwork

import (
	"context"
	"strings"
	"time"
)

// LinkPurpose is what a one-time link is for.
type LinkPurpose string

// The purposes of one-time links.
const (
	LinkSetup LinkPurpose = "setup" // create the first administrator
	LinkReset LinkPurpose = "reset" // set a new password after an administrator's reset
)

// How long one-time links last.
const (
	SetupLinkLifetime = 24 * time.Hour
	ResetLinkLifetime = 24 * time.Hour
)

// OneTimeLink is a link that works once, before it expires. Only its hash is stored.
type OneTimeLink struct {
	ID        int64
	Purpose   LinkPurpose
	UserID    int64 // the user a reset link is for
	CreatedAt time.Time
	ExpiresAt time.Time
}

// FirstAdmin is what the setup page asks for: the first place, its first organisation and
// the first administrator.
type FirstAdmin struct {
	PlaceName        string
	OrganisationName string
	Sector           Sector
	Name             string
	Email            string
	Password         string
}

// Validate checks every field of the setup form.
func (f *FirstAdmin) Validate() error {
	f.PlaceName = strings.TrimSpace(f.PlaceName)
	f.OrganisationName = strings.TrimSpace(f.OrganisationName)
	var ps Problems
	ps.Add(validateName("place_name", f.PlaceName, 120))
	ps.Add(validateName("organisation_name", f.OrganisationName, 200))
	if !f.Sector.Valid() {
		ps.Add(FieldError("sector", "Choose a sector. Allowed: %s.", SectorIdentifiers()))
	}
	nu := NewUser{Email: f.Email, Name: f.Name, Password: f.Password, OrganisationID: 1, Role: RoleAdmin}
	ps.Add(nu.Validate())
	f.Email, f.Name = nu.Email, nu.Name
	return ps.Err()
}

// LinkService makes and redeems one-time links.
type LinkService interface {
	// CreateSetupLink makes a link to create the first administrator. It fails with
	// ECONFLICT once any user exists.
	CreateSetupLink(ctx context.Context) (string, error)
	// CreateResetLink makes a link for a user to set a new password. Earlier unused reset
	// links for the user stop working.
	CreateResetLink(ctx context.Context, userID int64) (string, error)
	// CheckLink returns the link if it is unused and unexpired, or ENOTFOUND.
	CheckLink(ctx context.Context, purpose LinkPurpose, secret string) (*OneTimeLink, error)
	// CompleteSetup redeems a setup link: in one transaction it creates the place, the
	// organisation and the administrator, and uses up the link.
	CompleteSetup(ctx context.Context, secret string, f FirstAdmin) (*User, error)
	// CompleteReset redeems a reset link and sets the user's new password.
	CompleteReset(ctx context.Context, secret, password string) (*User, error)
}
