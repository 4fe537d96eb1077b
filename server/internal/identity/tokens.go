package identity

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/crypt"
)

const (
	tokenIssuer   = "kefu"
	tokenAudience = "kefu-api"
	// A real access token is ~450 bytes; refusing anything far larger before parsing
	// keeps hostile headers from costing allocations (CVE-2025-30204 class).
	maxTokenBytes = 4096
	clockLeeway   = 30 * time.Second
)

// accessClaims are kefu's access-token claims. Tokens are user-scoped, not
// tenant-scoped: one console serves every tenant a user belongs to, and the tenant is
// taken from the path and checked against the user's memberships on every request.
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// Signer issues and verifies EdDSA access tokens with a key derived from the server
// secret, so every node that shares the secret verifies every other node's tokens.
type Signer struct {
	priv   ed25519.PrivateKey
	pub    ed25519.PublicKey
	kid    string
	ttl    time.Duration
	parser *jwt.Parser
	now    func() time.Time
}

// NewSigner derives the signing key from secret.
func NewSigner(secret []byte, ttl time.Duration, now func() time.Time) *Signer {
	seed := crypt.DeriveKey(secret, "kefu/jwt/ed25519/v1", ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	if now == nil {
		now = time.Now
	}
	return &Signer{
		priv: priv, pub: pub, kid: hex.EncodeToString(sum[:6]), ttl: ttl, now: now,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithIssuer(tokenIssuer),
			jwt.WithAudience(tokenAudience),
			jwt.WithLeeway(clockLeeway),
			jwt.WithTimeFunc(func() time.Time { return now() }),
		),
	}
}

// TTL is the access-token lifetime.
func (s *Signer) TTL() time.Duration { return s.ttl }

// Issue signs an access token for a user's session.
func (s *Signer) Issue(userID, sessionID uuid.UUID) (string, error) {
	now := s.now()
	jti, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	c := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: tokenIssuer, Subject: userID.String(), Audience: jwt.ClaimStrings{tokenAudience},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.ttl)), ID: jti.String(),
		},
		SessionID: sessionID.String(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = s.kid
	return t.SignedString(s.priv)
}

// Verify checks an access token and returns its user and session.
func (s *Signer) Verify(raw string) (userID, sessionID uuid.UUID, err error) {
	if raw == "" || len(raw) > maxTokenBytes {
		return uuid.Nil, uuid.Nil, ErrInvalidToken
	}
	var c accessClaims
	_, err = s.parser.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodEd25519); !ok {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		if kid, _ := t.Header["kid"].(string); kid != s.kid {
			return nil, errors.New("unknown key id")
		}
		return s.pub, nil
	})
	if err != nil {
		return uuid.Nil, uuid.Nil, ErrInvalidToken.Wrap(err)
	}
	if userID, err = uuid.Parse(c.Subject); err != nil {
		return uuid.Nil, uuid.Nil, ErrInvalidToken.Wrap(err)
	}
	if sessionID, err = uuid.Parse(c.SessionID); err != nil {
		return uuid.Nil, uuid.Nil, ErrInvalidToken.Wrap(err)
	}
	return userID, sessionID, nil
}
