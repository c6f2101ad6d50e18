package linkwork

import "context"

// Actor is who is acting in a request or a command, as the audit trail records it.
type Actor struct {
	UserID    int64
	Label     string // the user's email, or "cli" and the like for the system
	PlaceID   int64
	IP        string
	RequestID string
}

type actorKey struct{}
type principalKey struct{}

// NewContextWithActor returns a copy of ctx that carries the actor.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, or an anonymous one.
func ActorFromContext(ctx context.Context) Actor {
	a, ok := ctx.Value(actorKey{}).(Actor)
	if !ok {
		return Actor{Label: "anonymous"}
	}
	return a
}

// NewContextWithPrincipal returns a copy of ctx that carries the signed-in principal.
func NewContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the signed-in principal in ctx, or nil.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
