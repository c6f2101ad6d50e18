package sqldb

import (
	"context"
	"database/sql"

	"linkwork"
)

// LinkService makes and redeems one-time links.
type LinkService struct{ db *DB }

// NewLinkService returns the one-time links of db.
func NewLinkService(db *DB) *LinkService { return &LinkService{db: db} }

var _ linkwork.LinkService = (*LinkService)(nil)

// CreateSetupLink makes a link to create the first administrator.
func (s *LinkService) CreateSetupLink(ctx context.Context) (string, error) {
	secret := linkwork.NewSecret()
	err := s.db.tx(ctx, func(c conn) error {
		if err := s.db.dialect.lock(ctx, c, setupLockKey); err != nil {
			return err
		}
		var users int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users", nil, &users); err != nil {
			return err
		}
		if users > 0 {
			return linkwork.Errorf(linkwork.ECONFLICT, "linkwork is already set up: sign in, or ask an administrator for an account.")
		}
		now := s.db.Now()
		if _, err := c.insert(ctx, "INSERT INTO one_time_links (purpose, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
			string(linkwork.LinkSetup), linkwork.SecretHash(secret), now, now.Add(linkwork.SetupLinkLifetime)); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{Action: linkwork.AuditSetupLinkCreate, RecordType: "setup"})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// CreateResetLink makes a link for a user to choose a new password.
func (s *LinkService) CreateResetLink(ctx context.Context, userID int64) (string, error) {
	secret := linkwork.NewSecret()
	err := s.db.tx(ctx, func(c conn) error {
		if _, err := s.db.findUser(ctx, c, "id = ?", userID); err != nil {
			return err
		}
		now := s.db.Now()
		if _, err := c.exec(ctx, "UPDATE one_time_links SET used_at = ? WHERE purpose = ? AND user_id = ? AND used_at IS NULL",
			now, string(linkwork.LinkReset), userID); err != nil {
			return err
		}
		if _, err := c.insert(ctx, "INSERT INTO one_time_links (purpose, secret_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			string(linkwork.LinkReset), linkwork.SecretHash(secret), userID, now, now.Add(linkwork.ResetLinkLifetime)); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: s.db.userPlace(ctx, c, userID), Action: linkwork.AuditResetLinkCreate,
			RecordType: "user", RecordID: idString(userID)})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

var errLinkGone = &linkwork.Error{Code: linkwork.ENOTFOUND,
	Message: "This link has expired or has already been used. Ask an administrator for a new one."}

func (db *DB) checkLink(ctx context.Context, c conn, purpose linkwork.LinkPurpose, secret string) (*linkwork.OneTimeLink, error) {
	l := &linkwork.OneTimeLink{Purpose: purpose}
	var userID sql.NullInt64
	err := c.queryRow(ctx, `SELECT id, user_id, created_at, expires_at FROM one_time_links
		WHERE purpose = ? AND secret_hash = ? AND used_at IS NULL AND expires_at > ?`,
		[]any{string(purpose), linkwork.SecretHash(secret), db.Now()}, &l.ID, &userID, &l.CreatedAt, &l.ExpiresAt)
	if err == sql.ErrNoRows {
		return nil, errLinkGone
	} else if err != nil {
		return nil, err
	}
	l.UserID = userID.Int64
	l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
	if purpose == linkwork.LinkSetup {
		var users int
		if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users", nil, &users); err != nil {
			return nil, err
		}
		if users > 0 {
			return nil, errLinkGone
		}
	}
	return l, nil
}

// CheckLink returns the link if it can still be used.
func (s *LinkService) CheckLink(ctx context.Context, purpose linkwork.LinkPurpose, secret string) (*linkwork.OneTimeLink, error) {
	return s.db.checkLink(ctx, s.db.read(), purpose, secret)
}

func (db *DB) useLink(ctx context.Context, c conn, purpose linkwork.LinkPurpose, secret string) (*linkwork.OneTimeLink, error) {
	l, err := db.checkLink(ctx, c, purpose, secret)
	if err != nil {
		return nil, err
	}
	res, err := c.exec(ctx, "UPDATE one_time_links SET used_at = ? WHERE id = ? AND used_at IS NULL", db.Now(), l.ID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errLinkGone
	}
	return l, nil
}

// CompleteSetup creates the first place, organisation and administrator from a setup link.
func (s *LinkService) CompleteSetup(ctx context.Context, secret string, f linkwork.FirstAdmin) (*linkwork.User, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	hash, err := linkwork.HashPassword(f.Password)
	if err != nil {
		return nil, err
	}
	var u *linkwork.User
	err = s.db.tx(ctx, func(c conn) error {
		// Two setup links redeemed at once must not make two first administrators.
		if err := s.db.dialect.lock(ctx, c, setupLockKey); err != nil {
			return err
		}
		if _, err := s.db.useLink(ctx, c, linkwork.LinkSetup, secret); err != nil {
			return err
		}
		p := &linkwork.Place{Name: f.PlaceName}
		if err := s.db.createPlace(ctx, c, p); err != nil {
			if linkwork.ErrorField(err) == "name" {
				err = linkwork.FieldError("place_name", "%s", linkwork.ErrorMessage(err))
			}
			return err
		}
		o := &linkwork.Organisation{PlaceID: p.ID, Name: f.OrganisationName, Sector: f.Sector}
		if err := s.db.createOrganisation(ctx, c, o); err != nil {
			return err
		}
		u, err = s.db.createUser(ctx, c, &linkwork.NewUser{Email: f.Email, Name: f.Name, OrganisationID: o.ID,
			Role: linkwork.RoleAdmin}, hash)
		if err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: p.ID, ActorUserID: u.ID, ActorLabel: u.Email,
			Action: linkwork.AuditSetupComplete, RecordType: "user", RecordID: idString(u.ID)})
	})
	return u, err
}

// CompleteReset sets a new password from a reset link.
func (s *LinkService) CompleteReset(ctx context.Context, secret, password string) (*linkwork.User, error) {
	if err := linkwork.ValidatePassword(password); err != nil {
		return nil, err
	}
	hash, err := linkwork.HashPassword(password)
	if err != nil {
		return nil, err
	}
	var u *linkwork.User
	err = s.db.tx(ctx, func(c conn) error {
		l, err := s.db.useLink(ctx, c, linkwork.LinkReset, secret)
		if err != nil {
			return err
		}
		if err := s.db.setPassword(ctx, c, l.UserID, hash, false, linkwork.AuditPasswordReset); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", l.UserID); err != nil {
			return err
		}
		u, err = s.db.findUser(ctx, c, "id = ?", l.UserID)
		return err
	})
	return u, err
}
