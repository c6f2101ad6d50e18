package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"linkwork"
)

func (m *Main) placeAdd(ctx context.Context) error {
	p := &linkwork.Place{Name: m.name}
	if err := m.db.Services().Places.CreatePlace(ctx, p); err != nil {
		return cliError("--name", err)
	}
	fmt.Fprintf(m.stdout, "Added place %q (id %d).\n", p.Name, p.ID)
	return nil
}

func (m *Main) orgAdd(ctx context.Context) error {
	svc := m.db.Services()
	if m.place == "" {
		return errors.New("org add: --place is required: the name of the place the organisation is in")
	}
	p, err := svc.Places.FindPlaceByName(ctx, m.place)
	if err != nil {
		return fmt.Errorf("org add: no place called %q: add it with linkwork place add --name %q", m.place, m.place)
	}
	o := &linkwork.Organisation{PlaceID: p.ID, Name: m.name, Sector: linkwork.Sector(m.sector)}
	if err := svc.Organisations.CreateOrganisation(ctx, o); err != nil {
		return cliError("", err)
	}
	fmt.Fprintf(m.stdout, "Added organisation %q (id %d) to %s.\n", o.Name, o.ID, p.Name)
	return nil
}

// findOrganisation finds an organisation by name, in the named place or, with no place
// given, in whichever place has one by that name (refusing if several do).
func (m *Main) findOrganisation(ctx context.Context) (*linkwork.Organisation, error) {
	svc := m.db.Services()
	if m.org == "" {
		return nil, errors.New("--org is required: the name of the user's organisation")
	}
	places, err := svc.Places.ListPlaces(ctx)
	if err != nil {
		return nil, err
	}
	var found []*linkwork.Organisation
	for _, p := range places {
		if m.place != "" && !strings.EqualFold(p.Name, m.place) {
			continue
		}
		o, err := svc.Organisations.FindOrganisationByName(ctx, p.ID, m.org)
		if linkwork.ErrorCode(err) == linkwork.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		found = append(found, o)
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no organisation called %q: add it with linkwork org add", m.org)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("there are organisations called %q in %d places: say which with --place", m.org, len(found))
}

// readPassword reads one line from standard input.
func (m *Main) readPassword() (string, error) {
	if !m.passwordStdin {
		return "", errors.New("--password-stdin is required: pipe the password in, for example: printf '%s' \"$PW\" | linkwork user add …")
	}
	line, err := bufio.NewReader(m.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func (m *Main) userAdd(ctx context.Context) error {
	if !linkwork.Role(m.role).Valid() {
		return fmt.Errorf("user add: --role must be one of: %s", linkwork.RoleIdentifiers())
	}
	o, err := m.findOrganisation(ctx)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	pw, err := m.readPassword()
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	name := m.name
	if name == "" {
		name, _, _ = strings.Cut(m.email, "@")
	}
	u, err := m.db.Services().Users.CreateUser(ctx, &linkwork.NewUser{Email: m.email, Name: name, Password: pw,
		OrganisationID: o.ID, Role: linkwork.Role(m.role)})
	if err != nil {
		return cliError("", err)
	}
	fmt.Fprintf(m.stdout, "Added user %s (id %d) as %s at %s.\n", u.Email, u.ID, m.role, o.Name)
	return nil
}

func (m *Main) userPassword(ctx context.Context) error {
	svc := m.db.Services()
	u, err := svc.Users.FindUserByEmail(ctx, m.email)
	if err != nil {
		return fmt.Errorf("user password: no user with the email address %q", m.email)
	}
	pw, err := m.readPassword()
	if err != nil {
		return fmt.Errorf("user password: %w", err)
	}
	if err := svc.Users.SetPassword(ctx, u.ID, pw, false); err != nil {
		return cliError("", err)
	}
	if err := svc.Sessions.DeleteUserSessions(ctx, u.ID, 0); err != nil {
		return err
	}
	fmt.Fprintf(m.stdout, "Set a new password for %s and signed them out everywhere.\n", u.Email)
	return nil
}

func (m *Main) tokenCreate(ctx context.Context) error {
	svc := m.db.Services()
	u, err := svc.Users.FindUserByEmail(ctx, m.email)
	if err != nil {
		return fmt.Errorf("token create: no user with the email address %q", m.email)
	}
	if len(u.Memberships) == 0 {
		return fmt.Errorf("token create: %s is not in any organisation", u.Email)
	}
	placeID := u.Memberships[0].PlaceID
	if m.place != "" {
		p, err := svc.Places.FindPlaceByName(ctx, m.place)
		if err != nil {
			return fmt.Errorf("token create: no place called %q", m.place)
		}
		placeID = 0
		for _, ms := range u.Memberships {
			if ms.PlaceID == p.ID {
				placeID = p.ID
			}
		}
		if placeID == 0 {
			return fmt.Errorf("token create: %s has no organisation in %s", u.Email, p.Name)
		}
	}
	secret, _, err := svc.Tokens.CreateToken(ctx, u.ID, placeID, m.name)
	if err != nil {
		return cliError("--name", err)
	}
	fmt.Fprintln(m.stdout, secret)
	return nil
}

// cliError turns a domain error into a one-line message naming the flag it concerns.
func cliError(flagName string, err error) error {
	var e *linkwork.Error
	if !errors.As(err, &e) {
		return err
	}
	f := flagName
	switch e.Field {
	case "name", "place_id":
		if f == "" {
			f = "--name"
		}
	case "email", "role", "sector", "password":
		f = "--" + e.Field
	case "organisation_id":
		f = "--org"
	}
	if f == "" {
		return errors.New(e.Message)
	}
	return fmt.Errorf("%s: %s", f, e.Message)
}
