package linkwork

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role is what a user does in an organisation. It decides, with the organisation, what the
// user may see and do (see policy.go).
type Role string

// The roles, with their identifiers in the CLI and the API.
const (
	RoleAdmin        Role = "admin"
	RoleCommissioner Role = "commissioner"
	RoleManager      Role = "manager"
	RoleLinkWorker   Role = "link_worker"
	RoleReferrer     Role = "referrer"
	RoleCommunity    Role = "community"
)

// Roles lists every role in the order forms show them.
var Roles = []Role{RoleAdmin, RoleCommissioner, RoleManager, RoleLinkWorker, RoleReferrer, RoleCommunity}

var roleLabels = map[Role]string{
	RoleAdmin:        "Administrator",
	RoleCommissioner: "Commissioner",
	RoleManager:      "Team lead or manager",
	RoleLinkWorker:   "Link worker or connector",
	RoleReferrer:     "Referrer",
	RoleCommunity:    "Community organisation",
}

// Label is the role's plain-English name.
func (r Role) Label() string { return roleLabels[r] }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// RoleIdentifiers is the list of valid identifiers, for error messages.
func RoleIdentifiers() string {
	ids := make([]string, len(Roles))
	for i, r := range Roles {
		ids[i] = string(r)
	}
	return strings.Join(ids, ", ")
}

// User is a person who signs in to linkwork. Password hashes never leave the store.
type User struct {
	ID                 int64        `json:"id"`
	Email              string       `json:"email"`
	Name               string       `json:"name"`
	MustChangePassword bool         `json:"must_change_password"`
	LockedUntil        *time.Time   `json:"locked_until,omitempty"`
	CreatedAt          time.Time    `json:"created_at"`
	UpdatedAt          time.Time    `json:"updated_at"`
	Memberships        []Membership `json:"memberships"`
}

// Membership says that a user works in an organisation with a role.
type Membership struct {
	OrganisationID   int64  `json:"organisation_id"`
	OrganisationName string `json:"organisation_name"`
	PlaceID          int64  `json:"place_id"`
	Role             Role   `json:"role"`
}

// NewUser is what it takes to create a user.
type NewUser struct {
	Email              string
	Name               string
	Password           string
	OrganisationID     int64
	Role               Role
	MustChangePassword bool
}

// After MaxFailedSignIns wrong passwords in a row an account is locked for SignInLockout.
const (
	MaxFailedSignIns = 5
	SignInLockout    = 15 * time.Minute
)

// NormalEmail lower-cases and trims an email address so that one person has one account.
func NormalEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Validate normalises and checks the new user's fields, including the password rules.
func (u *NewUser) Validate() error {
	u.Email = NormalEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	var ps Problems
	ps.Add(validateName("name", u.Name, 120))
	ps.Add(ValidateEmail(u.Email))
	if u.OrganisationID <= 0 {
		ps.Add(FieldError("organisation_id", "Choose the organisation the user works in."))
	}
	if !u.Role.Valid() {
		ps.Add(FieldError("role", "Choose a role. Allowed: %s.", RoleIdentifiers()))
	}
	ps.Add(ValidatePassword(u.Password))
	return ps.Err()
}

// ValidateEmail checks that email is a plain address such as name@example.org.
func ValidateEmail(email string) error {
	if email == "" {
		return FieldError("email", "Enter an email address.")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") || len(email) > 254 {
		return FieldError("email", "Enter an email address in the form name@example.org.")
	}
	return nil
}

// UserFilter selects users in a place, optionally only those in some of its organisations.
type UserFilter struct {
	PlaceID         int64
	OrganisationIDs []int64 // optional: users in any of these
	Page            Page
}

// UserService reads and writes users, their memberships and their passwords.
type UserService interface {
	CreateUser(ctx context.Context, nu *NewUser) (*User, error)
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	AddMembership(ctx context.Context, userID, organisationID int64, role Role) error
	RemoveMembership(ctx context.Context, userID, organisationID int64) error
	CountUsers(ctx context.Context) (int, error)

	// Authenticate checks an email and password. Every failure is the same EUNAUTHORIZED
	// error, so that nobody learns whether an account exists or is locked.
	Authenticate(ctx context.Context, email, password string) (*User, error)
	// ChangePassword checks the current password and sets a new one.
	ChangePassword(ctx context.Context, userID int64, current, next string) error
	// SetPassword sets a password without the current one (admin reset, one-time link).
	SetPassword(ctx context.Context, userID int64, password string, mustChange bool) error
	// UnlockUser clears failed sign-in attempts and any lock.
	UnlockUser(ctx context.Context, userID int64) error
}
