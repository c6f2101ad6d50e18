package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"linkwork"
)

// UserService keeps users, memberships and password hashes.
type UserService struct{ db *DB }

// NewUserService returns the users of db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

var _ linkwork.UserService = (*UserService)(nil)

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// errSignIn is the one answer to every failed sign-in.
var errSignIn = &linkwork.Error{Code: linkwork.EUNAUTHORIZED,
	Message: "The email address or password is not right. After several wrong tries an account is locked for 15 minutes."}

// CreateUser adds a user with one membership.
func (s *UserService) CreateUser(ctx context.Context, nu *linkwork.NewUser) (*linkwork.User, error) {
	if err := nu.Validate(); err != nil {
		return nil, err
	}
	hash, err := linkwork.HashPassword(nu.Password)
	if err != nil {
		return nil, err
	}
	var u *linkwork.User
	err = s.db.tx(ctx, func(c conn) error {
		u, err = s.db.createUser(ctx, c, nu, hash)
		return err
	})
	return u, err
}

func (db *DB) createUser(ctx context.Context, c conn, nu *linkwork.NewUser, hash string) (*linkwork.User, error) {
	org, err := db.findOrganisation(ctx, c, nu.OrganisationID)
	if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
		return nil, linkwork.FieldError("organisation_id", "There is no organisation with ID %d.", nu.OrganisationID)
	} else if err != nil {
		return nil, err
	}
	now := db.Now()
	id, err := c.insert(ctx, `INSERT INTO users (email, name, password_hash, must_change_password, password_changed_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, nu.Email, nu.Name, hash, nu.MustChangePassword, now, now, now)
	if linkwork.ErrorCode(err) == linkwork.ECONFLICT {
		return nil, linkwork.FieldError("email", "There is already an account for %s.", nu.Email)
	}
	if err != nil {
		return nil, err
	}
	if _, err := c.exec(ctx, "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES (?, ?, ?, ?)",
		id, org.ID, string(nu.Role), now); err != nil {
		return nil, err
	}
	if err := db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: org.PlaceID, Action: linkwork.AuditUserCreate,
		RecordType: "user", RecordID: idString(id), Detail: nu.Email + " as " + string(nu.Role) + " in " + org.Name}); err != nil {
		return nil, err
	}
	return db.findUser(ctx, c, "id = ?", id)
}

const userColumns = "id, email, name, must_change_password, locked_until, created_at, updated_at"

// findUser returns the user matching a condition, with memberships, or ENOTFOUND.
func (db *DB) findUser(ctx context.Context, c conn, cond string, arg any) (*linkwork.User, error) {
	u := &linkwork.User{}
	var locked sql.NullTime
	err := c.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE "+cond, []any{arg},
		&u.ID, &u.Email, &u.Name, &u.MustChangePassword, &locked, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return nil, notFound(err, "User")
	}
	u.LockedUntil = timePtr(locked)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	ms, err := db.memberships(ctx, c, []int64{u.ID})
	u.Memberships = ms[u.ID]
	return u, err
}

// memberships returns the memberships of some users, by user.
func (db *DB) memberships(ctx context.Context, c conn, userIDs []int64) (map[int64][]linkwork.Membership, error) {
	out := map[int64][]linkwork.Membership{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := c.query(ctx, `SELECT m.user_id, m.organisation_id, o.name, o.place_id, m.role
		FROM memberships m JOIN organisations o ON o.id = m.organisation_id
		WHERE m.user_id IN (?`+strings.Repeat(", ?", len(userIDs)-1)+`) ORDER BY m.user_id, lower(o.name)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var m linkwork.Membership
		var role string
		if err := rows.Scan(&uid, &m.OrganisationID, &m.OrganisationName, &m.PlaceID, &role); err != nil {
			return nil, err
		}
		m.Role = linkwork.Role(role)
		out[uid] = append(out[uid], m)
	}
	return out, rows.Err()
}

// FindUserByID returns a user with their memberships, or ENOTFOUND.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*linkwork.User, error) {
	return s.db.findUser(ctx, s.db.read(), "id = ?", id)
}

// FindUserByEmail returns a user with their memberships, or ENOTFOUND.
func (s *UserService) FindUserByEmail(ctx context.Context, email string) (*linkwork.User, error) {
	return s.db.findUser(ctx, s.db.read(), "email = ?", linkwork.NormalEmail(email))
}

// CountUsers returns how many users there are.
func (s *UserService) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.read().queryRow(ctx, "SELECT COUNT(*) FROM users", nil, &n)
	return n, err
}

// ListUsers returns a page of the users with a membership in the place (or in one of its
// organisations), by name, and their number.
func (s *UserService) ListUsers(ctx context.Context, f linkwork.UserFilter) ([]*linkwork.User, int, error) {
	cond := "EXISTS (SELECT 1 FROM memberships m JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = users.id AND o.place_id = ?"
	args := []any{f.PlaceID}
	if len(f.OrganisationIDs) > 0 {
		cond += " AND o.id IN (?" + strings.Repeat(", ?", len(f.OrganisationIDs)-1) + ")"
		for _, id := range f.OrganisationIDs {
			args = append(args, id)
		}
	}
	cond += ")"
	c := s.db.read()
	var total int
	if err := c.queryRow(ctx, "SELECT COUNT(*) FROM users WHERE "+cond, args, &total); err != nil {
		return nil, 0, err
	}
	p := f.Page.Normal()
	rows, err := c.query(ctx, "SELECT "+userColumns+" FROM users WHERE "+cond+" ORDER BY lower(name), id LIMIT ? OFFSET ?",
		append(args, p.Size, p.Offset())...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var users []*linkwork.User
	var ids []int64
	for rows.Next() {
		u := &linkwork.User{}
		var locked sql.NullTime
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.MustChangePassword, &locked, &u.CreatedAt, &u.UpdatedAt); err != nil {
			return nil, 0, err
		}
		u.LockedUntil = timePtr(locked)
		u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
		users, ids = append(users, u), append(ids, u.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	ms, err := s.db.memberships(ctx, c, ids)
	if err != nil {
		return nil, 0, err
	}
	for _, u := range users {
		// Show only the memberships in the listed place.
		for _, m := range ms[u.ID] {
			if m.PlaceID == f.PlaceID {
				u.Memberships = append(u.Memberships, m)
			}
		}
	}
	return users, total, nil
}

// AddMembership gives a user a role in an organisation, or changes their role there.
func (s *UserService) AddMembership(ctx context.Context, userID, organisationID int64, role linkwork.Role) error {
	if !role.Valid() {
		return linkwork.FieldError("role", "Choose a role. Allowed: %s.", linkwork.RoleIdentifiers())
	}
	return s.db.tx(ctx, func(c conn) error {
		org, err := s.db.findOrganisation(ctx, c, organisationID)
		if err != nil {
			return err
		}
		if _, err := s.db.findUser(ctx, c, "id = ?", userID); err != nil {
			return err
		}
		res, err := c.exec(ctx, "UPDATE memberships SET role = ? WHERE user_id = ? AND organisation_id = ?", string(role), userID, organisationID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := c.exec(ctx, "INSERT INTO memberships (user_id, organisation_id, role, created_at) VALUES (?, ?, ?, ?)",
				userID, organisationID, string(role), s.db.Now()); err != nil {
				return err
			}
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: org.PlaceID, Action: linkwork.AuditMembershipAdd,
			RecordType: "user", RecordID: idString(userID), Detail: string(role) + " in " + org.Name})
	})
}

// RemoveMembership takes a user out of an organisation. A user keeps at least one membership.
func (s *UserService) RemoveMembership(ctx context.Context, userID, organisationID int64) error {
	return s.db.tx(ctx, func(c conn) error {
		// Lock the user's row first, so that two removals at once cannot both see two
		// memberships and leave none.
		res, err := c.exec(ctx, "UPDATE users SET updated_at = updated_at WHERE id = ?", userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return linkwork.Errorf(linkwork.ENOTFOUND, "User not found.")
		}
		org, err := s.db.findOrganisation(ctx, c, organisationID)
		if err != nil {
			return err
		}
		var member, n int
		if err := c.queryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN organisation_id = ? THEN 1 ELSE 0 END), 0) FROM memberships WHERE user_id = ?",
			[]any{organisationID, userID}, &n, &member); err != nil {
			return err
		}
		if member == 0 {
			return linkwork.Errorf(linkwork.ENOTFOUND, "The user is not a member of %s.", org.Name)
		}
		if n <= 1 {
			return linkwork.Errorf(linkwork.ECONFLICT, "A user must belong to at least one organisation. Add them to another organisation first.")
		}
		if _, err := c.exec(ctx, "DELETE FROM memberships WHERE user_id = ? AND organisation_id = ?", userID, organisationID); err != nil {
			return err
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: org.PlaceID, Action: linkwork.AuditMembershipRemove,
			RecordType: "user", RecordID: idString(userID), Detail: org.Name})
	})
}

// userPlace returns the place of a user's first membership, for the audit trail.
func (db *DB) userPlace(ctx context.Context, c conn, userID int64) int64 {
	var placeID int64
	_ = c.queryRow(ctx, `SELECT o.place_id FROM memberships m JOIN organisations o ON o.id = m.organisation_id
		WHERE m.user_id = ? ORDER BY m.created_at, o.id LIMIT 1`, []any{userID}, &placeID)
	return placeID
}

// Authenticate checks an email and password, counting failures and locking the account
// after linkwork.MaxFailedSignIns of them in a row.
func (s *UserService) Authenticate(ctx context.Context, email, password string) (*linkwork.User, error) {
	email = linkwork.NormalEmail(email)
	var id int64
	var hash string
	var locked sql.NullTime
	err := s.db.read().queryRow(ctx, "SELECT id, password_hash, locked_until FROM users WHERE email = ?", []any{email},
		&id, &hash, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		linkwork.CheckPassword(linkwork.DummyPasswordHash, password) // take as long as a real check
		_ = s.db.tx(ctx, func(c conn) error {
			return s.db.audit(ctx, c, &linkwork.AuditEvent{Action: linkwork.AuditSignInFailed, RecordType: "user",
				ActorLabel: "anonymous", Detail: "no account with that email"})
		})
		return nil, errSignIn
	} else if err != nil {
		return nil, err
	}
	ok := linkwork.CheckPassword(hash, password)
	now := s.db.Now()
	if locked.Valid && locked.Time.After(now) {
		_ = s.db.tx(ctx, func(c conn) error {
			return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: s.db.userPlace(ctx, c, id), Action: linkwork.AuditSignInFailed,
				RecordType: "user", RecordID: idString(id), ActorLabel: "anonymous", Detail: "account locked"})
		})
		return nil, errSignIn
	}
	if !ok {
		err := s.db.tx(ctx, func(c conn) error {
			var failures int
			if err := c.queryRow(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins",
				[]any{id}, &failures); err != nil {
				return err
			}
			place := s.db.userPlace(ctx, c, id)
			if err := s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: place, Action: linkwork.AuditSignInFailed,
				RecordType: "user", RecordID: idString(id), ActorLabel: "anonymous", Detail: "wrong password"}); err != nil {
				return err
			}
			if failures >= linkwork.MaxFailedSignIns {
				if _, err := c.exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?",
					now.Add(linkwork.SignInLockout), id); err != nil {
					return err
				}
				return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: place, Action: linkwork.AuditUserLocked,
					RecordType: "user", RecordID: idString(id), ActorLabel: "system",
					Detail: strconv.Itoa(failures) + " wrong passwords in a row"})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return nil, errSignIn
	}
	if _, err := s.db.read().exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ? AND (failed_logins <> 0 OR locked_until IS NOT NULL)", id); err != nil {
		return nil, err
	}
	return s.FindUserByID(ctx, id)
}

// ChangePassword checks the current password and sets a new one. Other sessions of the user
// are not ended here; the caller ends them, keeping the one making the change.
func (s *UserService) ChangePassword(ctx context.Context, userID int64, current, next string) error {
	var hash string
	if err := s.db.read().queryRow(ctx, "SELECT password_hash FROM users WHERE id = ?", []any{userID}, &hash); err != nil {
		return notFound(err, "User")
	}
	if !linkwork.CheckPassword(hash, current) {
		return linkwork.FieldError("current_password", "Your current password is not right.")
	}
	if current == next {
		return linkwork.FieldError("password", "The new password must be different from the current one.")
	}
	return s.setPassword(ctx, userID, next, false, linkwork.AuditPasswordChange)
}

// SetPassword sets a password without checking the current one.
func (s *UserService) SetPassword(ctx context.Context, userID int64, password string, mustChange bool) error {
	return s.setPassword(ctx, userID, password, mustChange, linkwork.AuditPasswordReset)
}

func (s *UserService) setPassword(ctx context.Context, userID int64, password string, mustChange bool, action string) error {
	if err := linkwork.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := linkwork.HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.tx(ctx, func(c conn) error { return s.db.setPassword(ctx, c, userID, hash, mustChange, action) })
}

func (db *DB) setPassword(ctx context.Context, c conn, userID int64, hash string, mustChange bool, action string) error {
	now := db.Now()
	res, err := c.exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?,
		failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?`, hash, mustChange, now, now, userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return linkwork.Errorf(linkwork.ENOTFOUND, "User not found.")
	}
	return db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: db.userPlace(ctx, c, userID), Action: action,
		RecordType: "user", RecordID: idString(userID)})
}

// UnlockUser clears failed sign-ins and any lock.
func (s *UserService) UnlockUser(ctx context.Context, userID int64) error {
	return s.db.tx(ctx, func(c conn) error {
		res, err := c.exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return linkwork.Errorf(linkwork.ENOTFOUND, "User not found.")
		}
		return s.db.audit(ctx, c, &linkwork.AuditEvent{PlaceID: s.db.userPlace(ctx, c, userID), Action: linkwork.AuditUserUnlock,
			RecordType: "user", RecordID: idString(userID)})
	})
}
