package api_test

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/identity"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/internal/platform/ratelimit"
	"github.com/kefu-io/kefu/server/kefutest"
)

// ---- helpers -----------------------------------------------------------------------

// serverJWTKey derives the server's access-token key exactly as identity.NewSigner
// does, so tests can mint validly signed tokens whose claims the server must still
// refuse: that, not a bad signature, is what exercises the claim checks.
func serverJWTKey(t *testing.T, e *kefutest.Env) (priv ed25519.PrivateKey, kid string, secret []byte) {
	t.Helper()
	secret, err := e.Main.Config.Secret()
	if err != nil {
		t.Fatal(err)
	}
	priv = ed25519.NewKeyFromSeed(crypt.DeriveKey(secret, "kefu/jwt/ed25519/v1", ed25519.SeedSize))
	sum := sha256.Sum256(priv.Public().(ed25519.PublicKey))
	return priv, hex.EncodeToString(sum[:6]), secret
}

// signJWT signs claims with method and key, setting kid when not empty.
func signJWT(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign %s: %v", method.Alg(), err)
	}
	return s
}

// unverifiedClaims reads a token's claims without checking it.
func unverifiedClaims(t *testing.T, token string) jwt.MapClaims {
	t.Helper()
	c := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, c); err != nil {
		t.Fatalf("parse %q: %v", token, err)
	}
	return c
}

// rawResponse is a response read off a raw connection.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// rawRoundTrip sends a hand-written request on a fresh connection and reads the
// response. The request is written concurrently with reading: a server that refuses
// a request early answers and closes without reading the rest, and the answer is what
// the test wants. net/http cannot send some of these requests, or would report the
// failed write instead of the response.
func rawRoundTrip(t *testing.T, e *kefutest.Env, request []byte) rawResponse {
	t.Helper()
	conn, err := net.DialTimeout("tcp", e.Main.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = conn.Write(request) }() // fails once the server closes; conn.Close ends it
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	return rawResponse{Status: res.StatusCode, Header: res.Header, Body: b}
}

// postJSON is a raw HTTP/1.1 POST with a JSON body.
func postJSON(path string, body string) []byte {
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: kefu.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", path, len(body))
	return append([]byte(head), body...)
}

// otherTOTPCode returns a well-formed code that is valid at none of the steps
// around now, so a test's "wrong code" cannot be right by chance.
func otherTOTPCode(t *testing.T, secret string) string {
	t.Helper()
	near := map[string]bool{}
	for s := -3; s <= 3; s++ {
		c, err := crypt.TOTPCode(secret, time.Now().Add(time.Duration(s)*30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		near[c] = true
	}
	// A code from two minutes ago: the "±2 steps of skew is rejected" case.
	for back := 4; ; back++ {
		c, err := crypt.TOTPCode(secret, time.Now().Add(-time.Duration(back)*30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if !near[c] {
			return c
		}
	}
}

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := crypt.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enableTOTP enrols and confirms 2FA for the token's user and returns the secret and
// recovery codes. The code for the current step is used up by the confirmation.
func enableTOTP(t *testing.T, e *kefutest.Env, token string) (secret string, recovery []string) {
	t.Helper()
	secret = e.Call("POST", "/api/v1/me/2fa/enroll", token, map[string]string{"password": kefutest.Password}).
		Must(t, http.StatusOK).Str("secret")
	if secret == "" {
		t.Fatal("enroll returned no secret")
	}
	r := e.Call("POST", "/api/v1/me/2fa/confirm", token, map[string]string{"code": totpCode(t, secret, time.Now())}).
		Must(t, http.StatusOK)
	var out struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || len(out.RecoveryCodes) == 0 {
		t.Fatalf("confirm returned no recovery codes: %s", r.Body)
	}
	return secret, out.RecoveryCodes
}

func login(e *kefutest.Env, email, pw, totp string, headers map[string]string) *kefutest.Resp {
	body := map[string]string{"email": email, "password": pw}
	if totp != "" {
		body["totp"] = totp
	}
	return e.Do(kefutest.Request{Method: "POST", Path: "/api/v1/auth/login", Body: body, Headers: headers})
}

// ---- access tokens -----------------------------------------------------------------

func TestAccessTokenValidation(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Token Co", "owner@token.test")
		b := e.Signup("Other Co", "owner@other.test")
		priv, kid, secret := serverJWTKey(t, e)
		_, stranger, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		strangerSum := sha256.Sum256(stranger.Public().(ed25519.PublicKey))
		sid, _ := unverifiedClaims(t, a.AccessToken)["sid"].(string)
		if sid == "" {
			t.Fatalf("access token has no sid: %v", unverifiedClaims(t, a.AccessToken))
		}
		now := time.Now()
		claims := func(change func(c jwt.MapClaims)) jwt.MapClaims {
			c := jwt.MapClaims{"iss": "kefu", "aud": []string{"kefu-api"}, "sub": a.UserID, "sid": sid,
				"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": uuid.NewString()}
			if change != nil {
				change(c)
			}
			return c
		}
		good := func(change func(c jwt.MapClaims)) string {
			return signJWT(t, jwt.SigningMethodEdDSA, priv, kid, claims(change))
		}
		// A real token with its payload swapped for another user's: the signature breaks.
		parts := strings.Split(a.AccessToken, ".")
		payload, _ := json.Marshal(claims(func(c jwt.MapClaims) { c["sub"] = b.UserID }))
		tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]

		cases := []struct {
			name  string
			token string
			ok    bool
		}{
			// Controls: the forging itself is right, so the refusals below are about claims.
			{name: "control: server key, good claims", token: good(nil), ok: true},
			{name: "control: expired within the 30 s leeway", token: good(func(c jwt.MapClaims) { c["exp"] = now.Add(-5 * time.Second).Unix() }), ok: true},

			{name: "no Authorization header", token: ""},
			{name: "alg none", token: signJWT(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, claims(nil))},
			{name: "alg none without signature or kid", token: signJWT(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", claims(nil))},
			{name: "HS256 keyed with the public key", token: signJWT(t, jwt.SigningMethodHS256, []byte(priv.Public().(ed25519.PublicKey)), kid, claims(nil))},
			{name: "HS256 keyed with the server secret", token: signJWT(t, jwt.SigningMethodHS256, secret, kid, claims(nil))},
			{name: "EdDSA by another key with the server kid", token: signJWT(t, jwt.SigningMethodEdDSA, stranger, kid, claims(nil))},
			{name: "EdDSA by another key with its own kid", token: signJWT(t, jwt.SigningMethodEdDSA, stranger, hex.EncodeToString(strangerSum[:6]), claims(nil))},
			{name: "server key without kid", token: signJWT(t, jwt.SigningMethodEdDSA, priv, "", claims(nil))},
			{name: "server key with another kid", token: signJWT(t, jwt.SigningMethodEdDSA, priv, "000000000000", claims(nil))},
			{name: "tampered payload", token: tampered},
			{name: "expired beyond the leeway", token: good(func(c jwt.MapClaims) {
				c["iat"], c["nbf"], c["exp"] = now.Add(-20*time.Minute).Unix(), now.Add(-20*time.Minute).Unix(), now.Add(-2*time.Minute).Unix()
			})},
			{name: "no exp", token: good(func(c jwt.MapClaims) { delete(c, "exp") })},
			{name: "nbf in the future", token: good(func(c jwt.MapClaims) { c["nbf"] = now.Add(5 * time.Minute).Unix() })},
			{name: "iat in the future", token: good(func(c jwt.MapClaims) { c["iat"] = now.Add(5 * time.Minute).Unix() })},
			{name: "wrong audience", token: good(func(c jwt.MapClaims) { c["aud"] = []string{"kefu-widget"} })},
			{name: "no audience", token: good(func(c jwt.MapClaims) { delete(c, "aud") })},
			{name: "wrong issuer", token: good(func(c jwt.MapClaims) { c["iss"] = "evil" })},
			{name: "no issuer", token: good(func(c jwt.MapClaims) { delete(c, "iss") })},
			{name: "no sub", token: good(func(c jwt.MapClaims) { delete(c, "sub") })},
			{name: "sub not a uuid", token: good(func(c jwt.MapClaims) { c["sub"] = "admin" })},
			{name: "another user's sub with this session", token: good(func(c jwt.MapClaims) { c["sub"] = b.UserID })},
			{name: "no sid", token: good(func(c jwt.MapClaims) { delete(c, "sid") })},
			{name: "session that does not exist", token: good(func(c jwt.MapClaims) { c["sid"] = uuid.NewString() })},
			{name: "garbage", token: "not-a-token"},
			{name: "three garbage segments", token: "a.b.c"},
			{name: "a header of dots", token: strings.Repeat(".", 4000)},
			{name: "real token with trailing junk", token: a.AccessToken + "x"},
			{name: "refresh token as access token", token: a.RefreshToken},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, path := range []string{"/api/v1/me", "/api/v1/tenants/" + a.TenantID} {
					r := e.Call("GET", path, c.token, nil)
					if c.ok {
						r.Must(t, http.StatusOK)
						continue
					}
					wantProblem(t, r, http.StatusUnauthorized, "auth.invalid-token")
					if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
						t.Errorf("%s: WWW-Authenticate = %q, want a Bearer challenge", path, got)
					}
				}
			})
		}

		t.Run("tenant A owner on tenant B", func(t *testing.T) {
			for _, c := range []struct{ method, path string }{
				{"GET", "/api/v1/tenants/" + b.TenantID},
				{"GET", "/api/v1/tenants/" + b.TenantID + "/members"},
				{"GET", "/api/v1/tenants/" + b.TenantID + "/settings"},
				{"GET", "/api/v1/tenants/" + b.TenantID + "/audit-log"},
				{"GET", "/api/v1/tenants/" + uuid.NewString()}, // no such tenant: the same answer
				{"GET", "/api/v1/tenants/not-a-uuid/members"},
			} {
				wantProblem(t, e.Call(c.method, c.path, a.AccessToken, nil), http.StatusNotFound, "tenant.not-found")
			}
			r := e.Call("PATCH", "/api/v1/tenants/"+b.TenantID+"/settings", a.AccessToken, map[string]any{"name": "Taken Over"})
			wantProblem(t, r, http.StatusNotFound, "tenant.not-found")
			if got := e.Call("GET", "/api/v1/tenants/"+b.TenantID+"/settings", b.AccessToken, nil).Must(t, http.StatusOK).Str("name"); got != "Other Co" {
				t.Errorf("tenant B's name = %q after A's attempt, want %q", got, "Other Co")
			}
		})

		t.Run("10 KB bearer", func(t *testing.T) {
			wantProblem(t, e.Call("GET", "/api/v1/me", strings.Repeat("a", 10<<10), nil), http.StatusUnauthorized, "auth.invalid-token")
		})

		t.Run("1 MB bearer", func(t *testing.T) {
			req := "GET /api/v1/me HTTP/1.1\r\nHost: kefu.test\r\nAuthorization: Bearer " + strings.Repeat("a", 1<<20) + "\r\n\r\n"
			r := rawRoundTrip(t, e, []byte(req))
			if got, want := r.Status, http.StatusRequestHeaderFieldsTooLarge; got != want {
				t.Errorf("status = %d, want %d: %s", got, want, r.Body)
			}
			if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/problem+json") {
				t.Errorf("Content-Type = %q, want application/problem+json", got)
			}
			e.Call("GET", "/healthz", "", nil).Must(t, http.StatusOK)
			e.Call("GET", "/api/v1/me", a.AccessToken, nil).Must(t, http.StatusOK)
		})
	})
}

// ---- refresh, logout -----------------------------------------------------------------

func TestRefreshRotation(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Rotate Co", "owner@rotate.test")
		// Another session of the same user: a reuse revokes only the reused family.
		other := e.Login(a.Email, a.Password)

		r1 := e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}).Must(t, http.StatusOK)
		access1, refresh1 := tokensOf(t, r1)
		if refresh1 == a.RefreshToken {
			t.Fatal("refresh returned the same refresh token")
		}
		if got, want := r1.Str("token_type"), "Bearer"; got != want {
			t.Errorf("token_type = %q, want %q", got, want)
		}
		if got := r1.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", got)
		}
		e.Call("GET", "/api/v1/me", access1, nil).Must(t, http.StatusOK)
		e.Call("GET", "/api/v1/me", a.AccessToken, nil).Must(t, http.StatusOK) // same session, still live

		// Reusing the rotated token: the thief or the victim, the family dies.
		wantProblem(t, e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}),
			http.StatusUnauthorized, "auth.refresh-token-reused")
		wantProblem(t, e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh1}),
			http.StatusUnauthorized, "auth.session-revoked")
		for _, tok := range []string{access1, a.AccessToken} {
			wantProblem(t, e.Call("GET", "/api/v1/me", tok, nil), http.StatusUnauthorized, "auth.session-revoked")
		}
		e.Call("GET", "/api/v1/me", other, nil).Must(t, http.StatusOK)

		for _, c := range []struct {
			name  string
			body  any
			code  string
			field string
		}{
			{"unknown", map[string]string{"refresh_token": "kfr_" + strings.Repeat("x", 43)}, "auth.invalid-refresh-token", ""},
			{"too long", map[string]string{"refresh_token": strings.Repeat("x", 500)}, "auth.invalid-refresh-token", ""},
			{"access token", map[string]string{"refresh_token": other}, "auth.invalid-refresh-token", ""},
		} {
			wantProblem(t, e.Call("POST", "/api/v1/auth/refresh", "", c.body), http.StatusUnauthorized, c.code)
		}
		r := e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{})
		wantProblem(t, r, http.StatusBadRequest, "request.invalid")
		wantField(t, r, "refresh_token")
	})
}

func TestLogout(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Logout Co", "owner@logout.test")
		keep := e.Login(a.Email, a.Password)
		lr := login(e, a.Email, a.Password, "", nil).Must(t, http.StatusOK)
		access, refresh := tokensOf(t, lr)
		e.Call("GET", "/api/v1/me", access, nil).Must(t, http.StatusOK)

		wantProblem(t, e.Call("POST", "/api/v1/auth/logout", "", nil), http.StatusUnauthorized, "auth.invalid-token")
		e.Call("POST", "/api/v1/auth/logout", access, nil).Must(t, http.StatusNoContent)

		wantProblem(t, e.Call("GET", "/api/v1/me", access, nil), http.StatusUnauthorized, "auth.session-revoked")
		wantProblem(t, e.Call("GET", "/api/v1/tenants/"+a.TenantID, access, nil), http.StatusUnauthorized, "auth.session-revoked")
		wantProblem(t, e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}),
			http.StatusUnauthorized, "auth.session-revoked")
		wantProblem(t, e.Call("POST", "/api/v1/auth/logout", access, nil), http.StatusUnauthorized, "auth.session-revoked")
		// Only that session ended.
		e.Call("GET", "/api/v1/me", keep, nil).Must(t, http.StatusOK)
		e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}).Must(t, http.StatusOK)
	})
}

// ---- password change ---------------------------------------------------------------

func TestChangePassword(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Password Co", "owner@password.test")
		other := e.Login(a.Email, a.Password)
		const newPW = "a much better passphrase 42"

		r := e.Call("POST", "/api/v1/me/password", a.AccessToken, map[string]string{"current_password": "not my password", "new_password": newPW})
		wantProblem(t, r, http.StatusForbidden, "auth.wrong-password")
		wantField(t, r, "current_password")
		e.Call("GET", "/api/v1/me", a.AccessToken, nil).Must(t, http.StatusOK)

		for _, c := range []struct{ name, pw, code string }{
			{"too short", "short", "password.too-short"},
			{"too long", strings.Repeat("long ", 30), "password.too-long"},
			{"too common", "password1234", "password.too-common"},
			{"contains the email", "owner-password-xyz", "password.contains-user-info"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.Call("POST", "/api/v1/me/password", a.AccessToken, map[string]string{"current_password": a.Password, "new_password": c.pw})
				wantProblem(t, r, http.StatusUnprocessableEntity, c.code)
				wantField(t, r, "new_password")
			})
		}
		r = e.Call("POST", "/api/v1/me/password", a.AccessToken, map[string]string{"current_password": a.Password})
		wantProblem(t, r, http.StatusBadRequest, "request.invalid")
		wantField(t, r, "new_password")
		// Nothing changed yet: the old password and both sessions still work.
		e.Call("GET", "/api/v1/me", other, nil).Must(t, http.StatusOK)
		e.Call("GET", "/api/v1/me", a.AccessToken, nil).Must(t, http.StatusOK)

		ok := e.Call("POST", "/api/v1/me/password", a.AccessToken, map[string]string{"current_password": a.Password, "new_password": newPW}).
			Must(t, http.StatusOK)
		access, refresh := tokensOf(t, ok)
		for _, tok := range []string{a.AccessToken, other} {
			wantProblem(t, e.Call("GET", "/api/v1/me", tok, nil), http.StatusUnauthorized, "auth.session-revoked")
		}
		wantProblem(t, e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}),
			http.StatusUnauthorized, "auth.session-revoked")
		e.Call("GET", "/api/v1/me", access, nil).Must(t, http.StatusOK)
		e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}).Must(t, http.StatusOK)

		wantProblem(t, login(e, a.Email, a.Password, "", nil), http.StatusUnauthorized, "auth.invalid-credentials")
		login(e, a.Email, newPW, "", nil).Must(t, http.StatusOK)
	})
}

// ---- TOTP ------------------------------------------------------------------------------

func TestTOTP(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Totp Co", "owner@totp.test")
		other := e.Login(a.Email, a.Password)

		r := e.Call("POST", "/api/v1/me/2fa/enroll", a.AccessToken, map[string]string{})
		wantProblem(t, r, http.StatusBadRequest, "request.invalid")
		wantField(t, r, "password")
		r = e.Call("POST", "/api/v1/me/2fa/enroll", a.AccessToken, map[string]string{"password": "wrong password"})
		wantProblem(t, r, http.StatusForbidden, "auth.wrong-password")
		wantField(t, r, "password")
		wantProblem(t, e.Call("POST", "/api/v1/me/2fa/confirm", a.AccessToken, map[string]string{"code": "123456"}),
			http.StatusConflict, "totp.not-enrolled")
		wantProblem(t, e.Call("POST", "/api/v1/me/2fa/disable", a.AccessToken, map[string]string{"password": a.Password, "code": "123456"}),
			http.StatusConflict, "totp.not-enabled")

		secret, recovery := enableTOTP(t, e, a.AccessToken)
		if got, want := len(recovery), 10; got != want {
			t.Errorf("%d recovery codes, want %d", got, want)
		}
		if !e.Call("GET", "/api/v1/me", a.AccessToken, nil).Must(t, http.StatusOK).JSON()["user"].(map[string]any)["totp_enabled"].(bool) {
			t.Error("me.user.totp_enabled is false after confirming")
		}
		// Enabling 2FA ends the user's other sessions, not this one.
		wantProblem(t, e.Call("GET", "/api/v1/me", other, nil), http.StatusUnauthorized, "auth.session-revoked")
		wantProblem(t, e.Call("POST", "/api/v1/me/2fa/enroll", a.AccessToken, map[string]string{"password": a.Password}),
			http.StatusConflict, "totp.already-enabled")

		wantProblem(t, login(e, a.Email, a.Password, "", nil), http.StatusUnauthorized, "auth.totp-required")
		// A code four steps old: wrong, and outside the ±1 step of skew.
		wantProblem(t, login(e, a.Email, a.Password, otherTOTPCode(t, secret), nil), http.StatusUnauthorized, "auth.invalid-totp")
		// The current step was used by the confirmation; the next one is within the skew.
		next := totpCode(t, secret, time.Now().Add(30*time.Second))
		login(e, a.Email, a.Password, next, nil).Must(t, http.StatusOK)
		wantProblem(t, login(e, a.Email, a.Password, next, nil), http.StatusUnauthorized, "auth.invalid-totp")
		// A wrong password with a good code is still a wrong password.
		wantProblem(t, login(e, a.Email, "wrong password", recovery[0], nil), http.StatusUnauthorized, "auth.invalid-credentials")

		// Recovery codes work once, typed in any case and with or without the dash.
		login(e, a.Email, a.Password, strings.ToUpper(strings.ReplaceAll(recovery[0], "-", "")), nil).Must(t, http.StatusOK)
		wantProblem(t, login(e, a.Email, a.Password, recovery[0], nil), http.StatusUnauthorized, "auth.invalid-totp")

		// Disabling needs the password and a second factor.
		for _, c := range []struct {
			name        string
			body        map[string]string
			status      int
			code, field string
		}{
			{"no code", map[string]string{"password": a.Password}, http.StatusBadRequest, "request.invalid", "code"},
			{"no password", map[string]string{"code": recovery[1]}, http.StatusBadRequest, "request.invalid", "password"},
			{"wrong password", map[string]string{"password": "wrong password", "code": recovery[1]}, http.StatusForbidden, "auth.wrong-password", "password"},
			{"wrong code", map[string]string{"password": a.Password, "code": otherTOTPCode(t, secret)}, http.StatusUnauthorized, "auth.invalid-totp", ""},
		} {
			r := e.Call("POST", "/api/v1/me/2fa/disable", a.AccessToken, c.body)
			wantProblem(t, r, c.status, c.code)
			wantField(t, r, c.field)
		}
		wantProblem(t, login(e, a.Email, a.Password, "", nil), http.StatusUnauthorized, "auth.totp-required")
		elsewhere, _ := tokensOf(t, login(e, a.Email, a.Password, recovery[2], nil).Must(t, http.StatusOK))
		e.Call("POST", "/api/v1/me/2fa/disable", a.AccessToken, map[string]string{"password": a.Password, "code": recovery[1]}).
			Must(t, http.StatusNoContent)
		login(e, a.Email, a.Password, "", nil).Must(t, http.StatusOK)
		// Disabling ends the user's other sessions, and the recovery codes go with it.
		wantProblem(t, e.Call("GET", "/api/v1/me", elsewhere, nil), http.StatusUnauthorized, "auth.session-revoked")
		e.Call("GET", "/api/v1/me", a.AccessToken, nil).Must(t, http.StatusOK)
		wantProblem(t, e.Call("POST", "/api/v1/me/2fa/recovery-codes", a.AccessToken, map[string]string{"code": recovery[3]}),
			http.StatusConflict, "totp.not-enabled")
	})
}

func TestTenantRequires2FA(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Strict Co", "owner@strict.test")
		m := addMember(t, e, a.TenantID, "agent@strict.test", "viewer")
		key := e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/api-keys", a.AccessToken, map[string]string{"name": "bot", "role": "viewer"}).
			Must(t, http.StatusCreated).Str("key")

		// Requiring 2FA before having it would lock the owner out: refused.
		r := e.Call("PATCH", "/api/v1/tenants/"+a.TenantID+"/settings", a.AccessToken, map[string]any{"require_2fa": true})
		wantProblem(t, r, http.StatusUnprocessableEntity, "settings.enable-2fa-first")
		wantField(t, r, "require_2fa")
		enableTOTP(t, e, a.AccessToken)
		e.Call("PATCH", "/api/v1/tenants/"+a.TenantID+"/settings", a.AccessToken, map[string]any{"require_2fa": true}).Must(t, http.StatusOK)

		tenant := "/api/v1/tenants/" + a.TenantID
		for _, p := range []string{tenant, tenant + "/members", tenant + "/settings"} {
			wantProblem(t, e.Call("GET", p, m.Token, nil), http.StatusForbidden, "tenant.2fa-required")
			e.Call("GET", p, a.AccessToken, nil).Must(t, http.StatusOK)
			e.Call("GET", p, key, nil).Must(t, http.StatusOK) // keys have no second factor to have
		}
		// The member can still log in, see the tenant and fix it.
		tok := e.Login(m.Email, kefutest.Password)
		me := e.Call("GET", "/api/v1/me", tok, nil).Must(t, http.StatusOK)
		ms, _ := me.JSON()["memberships"].([]any)
		if len(ms) != 1 || ms[0].(map[string]any)["tenant_id"] != a.TenantID {
			t.Fatalf("memberships = %v, want the tenant", ms)
		}
		enableTOTP(t, e, tok)
		e.Call("GET", tenant+"/members", tok, nil).Must(t, http.StatusOK)
	})
}

// ---- throttling ------------------------------------------------------------------------

func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		victim := e.Signup("Victim Co", "victim@throttle.test")
		bystander := e.Signup("Bystander Co", "bystander@throttle.test")
		from := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

		t.Run("unknown account and wrong password look alike", func(t *testing.T) {
			unknown := login(e, "nobody@throttle.test", kefutest.Password, "", from("10.1.0.1"))
			wrong := login(e, bystander.Email, "wrong password", "", from("10.1.0.2"))
			malformed := login(e, "not an email", kefutest.Password, "", from("10.1.0.3"))
			for _, r := range []*kefutest.Resp{unknown, wrong, malformed} {
				wantProblem(t, r, http.StatusUnauthorized, "auth.invalid-credentials")
			}
			for _, f := range []string{"status", "code", "detail", "title", "type", "field"} {
				if u, w, m := fmt.Sprint(unknown.JSON()[f]), fmt.Sprint(wrong.JSON()[f]), fmt.Sprint(malformed.JSON()[f]); u != w || w != m {
					t.Errorf("%s differs: unknown %q, wrong password %q, malformed %q", f, u, w, m)
				}
			}
		})

		t.Run("per account, across IPs", func(t *testing.T) {
			for i := 1; i <= 10; i++ {
				wantProblem(t, login(e, victim.Email, "wrong password", "", from(fmt.Sprintf("10.2.0.%d", i))),
					http.StatusUnauthorized, "auth.invalid-credentials")
			}
			r := login(e, victim.Email, victim.Password, "", from("10.2.0.11"))
			wantProblem(t, r, http.StatusTooManyRequests, "auth.throttled")
			if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 1 || n > 15*60 {
				t.Errorf("Retry-After = %q, want 1 to 900 seconds", r.Header.Get("Retry-After"))
			}
			// Case variants of the address hit the same account key.
			wantProblem(t, login(e, strings.ToUpper(victim.Email), victim.Password, "", from("10.2.0.12")), http.StatusTooManyRequests, "auth.throttled")
			// The lock is the account's, not the IP's and not everyone's.
			login(e, bystander.Email, kefutest.Password, "", from("10.2.0.11")).Must(t, http.StatusOK)
			// Existing sessions are not affected.
			e.Call("GET", "/api/v1/me", victim.AccessToken, nil).Must(t, http.StatusOK)
		})

		t.Run("per IP, across accounts", func(t *testing.T) {
			for i := 1; i <= 5; i++ {
				wantProblem(t, login(e, fmt.Sprintf("guess%d@throttle.test", i), "wrong password", "", from("10.3.0.1")),
					http.StatusUnauthorized, "auth.invalid-credentials")
			}
			wantProblem(t, login(e, bystander.Email, kefutest.Password, "", from("10.3.0.1")), http.StatusTooManyRequests, "auth.throttled")
			login(e, bystander.Email, kefutest.Password, "", from("10.3.0.2")).Must(t, http.StatusOK)
		})

		t.Run("a client cannot choose its address", func(t *testing.T) {
			// The proxy appends the address it saw; whatever the client wrote to the
			// left of it is the client's invention and must not open a fresh bucket.
			for i := 1; i <= 5; i++ {
				wantProblem(t, login(e, fmt.Sprintf("spoof%d@throttle.test", i), "wrong password", "", from(fmt.Sprintf("192.0.2.%d, 10.5.0.1", i))),
					http.StatusUnauthorized, "auth.invalid-credentials")
			}
			wantProblem(t, login(e, bystander.Email, kefutest.Password, "", from("198.51.100.7,10.5.0.1")), http.StatusTooManyRequests, "auth.throttled")
			wantProblem(t, login(e, bystander.Email, kefutest.Password, "", from("10.5.0.1")), http.StatusTooManyRequests, "auth.throttled")
			login(e, bystander.Email, kefutest.Password, "", from("10.5.0.2")).Must(t, http.StatusOK)

			// The audit log records the same address; a trusted proxy that sends no
			// header is itself the client.
			for _, c := range []struct{ xff, want string }{
				{"203.0.113.9, 10.5.0.3", "10.5.0.3"},
				{"", "127.0.0.1"},
				{"garbage", "127.0.0.1"},
			} {
				req := kefutest.Request{Method: "POST", Path: "/api/v1/signup", Body: map[string]string{
					"tenant_name": "Audit IP Co", "name": "Owner", "email": "ip-" + uuid.NewString()[:8] + "@throttle.test", "password": kefutest.Password}}
				if c.xff != "" {
					req.Headers = from(c.xff)
				}
				r := e.Do(req).Must(t, http.StatusCreated)
				log := e.Call("GET", "/api/v1/tenants/"+r.Str("tenant.id")+"/audit-log", r.Str("access_token"), nil).Must(t, http.StatusOK)
				var out struct {
					Items []struct {
						Action, IP string
					}
				}
				if err := json.Unmarshal(log.Body, &out); err != nil || len(out.Items) == 0 {
					t.Fatalf("audit log: %s", log.Body)
				}
				for _, it := range out.Items {
					if it.IP != c.want {
						t.Errorf("X-Forwarded-For %q: audit %s ip = %q, want %q", c.xff, it.Action, it.IP, c.want)
					}
				}
			}
		})

		t.Run("TOTP failures", func(t *testing.T) {
			u := e.Signup("Totp Throttle Co", "totp@throttle.test")
			secret, _ := enableTOTP(t, e, u.AccessToken)
			bad := otherTOTPCode(t, secret)
			for i := 0; i < 5; i++ {
				wantProblem(t, login(e, u.Email, u.Password, bad, from("10.4.0.1")), http.StatusUnauthorized, "auth.invalid-totp")
			}
			r := login(e, u.Email, u.Password, totpCode(t, secret, time.Now().Add(30*time.Second)), from("10.4.0.2"))
			wantProblem(t, r, http.StatusTooManyRequests, "auth.throttled")
			if r.Header.Get("Retry-After") == "" {
				t.Error("no Retry-After on a throttled TOTP attempt")
			}
			// Disabling 2FA is a second-factor check too, under the same limit.
			wantProblem(t, e.Call("POST", "/api/v1/me/2fa/disable", u.AccessToken, map[string]string{"password": u.Password, "code": totpCode(t, secret, time.Now().Add(30*time.Second))}),
				http.StatusTooManyRequests, "auth.throttled")
		})
	}, kefutest.WithTrustedProxies(), kefutest.WithIdentity(func(c *identity.Config) {
		c.IPFailures = ratelimit.Rule{Name: "login-ip", Limit: 5, Window: time.Hour}
	}))
}

// ---- input handling --------------------------------------------------------------------

func TestInputHandling(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Input Co", "owner@input.test")
		signup := func(drop string) map[string]string {
			m := map[string]string{"tenant_name": "X", "name": "Y", "email": "new@input.test", "password": kefutest.Password}
			delete(m, drop)
			return m
		}
		cases := []struct {
			name         string
			method, path string
			token        string
			body         any
			ctype        string
			status       int
			code, field  string
		}{
			{name: "malformed JSON", method: "POST", path: "/api/v1/auth/login", body: `{"email": "a@b.test", `, status: 400, code: "request.invalid"},
			{name: "not JSON at all", method: "POST", path: "/api/v1/auth/login", body: `email=a@b.test`, status: 400, code: "request.invalid"},
			{name: "empty body", method: "POST", path: "/api/v1/auth/login", body: ``, ctype: "application/json", status: 400, code: "request.invalid"},
			{name: "two objects", method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@b.test","password":"x"}{}`, status: 400, code: "request.invalid"},
			{name: "array body", method: "POST", path: "/api/v1/auth/login", body: `[]`, status: 400, code: "request.invalid"},
			{name: "unknown field", method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@b.test","password":"x","admin":true}`, status: 400, code: "request.invalid", field: "admin"},
			{name: "wrong type", method: "POST", path: "/api/v1/auth/login", body: `{"email":42,"password":"x"}`, status: 400, code: "request.invalid", field: "email"},
			{name: "wrong type, nested", method: "POST", path: "/api/v1/tenants/" + a.TenantID + "/roles", token: a.AccessToken, body: `{"name":"r1","permissions":[1]}`, status: 400, code: "request.invalid", field: "permissions"},
			{name: "wrong type, bool", method: "PATCH", path: "/api/v1/tenants/" + a.TenantID + "/settings", token: a.AccessToken, body: `{"require_2fa":"yes"}`, status: 400, code: "request.invalid", field: "require_2fa"},
			{name: "missing email", method: "POST", path: "/api/v1/auth/login", body: `{"password":"x"}`, status: 400, code: "request.invalid", field: "email"},
			{name: "missing password", method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@b.test"}`, status: 400, code: "request.invalid", field: "password"},
			{name: "signup missing tenant_name", method: "POST", path: "/api/v1/signup", body: signup("tenant_name"), status: 400, code: "request.invalid", field: "tenant_name"},
			{name: "signup missing name", method: "POST", path: "/api/v1/signup", body: signup("name"), status: 400, code: "request.invalid", field: "name"},
			{name: "signup missing email", method: "POST", path: "/api/v1/signup", body: signup("email"), status: 400, code: "request.invalid", field: "email"},
			{name: "signup missing password", method: "POST", path: "/api/v1/signup", body: signup("password"), status: 400, code: "request.invalid", field: "password"},
			{name: "signup weak password", method: "POST", path: "/api/v1/signup", body: map[string]string{"tenant_name": "X", "name": "Y", "email": "new@input.test", "password": "short"}, status: 422, code: "password.too-short", field: "password"},
			{name: "signup bad email", method: "POST", path: "/api/v1/signup", body: map[string]string{"tenant_name": "X", "name": "Y", "email": "not-an-email", "password": kefutest.Password}, status: 400, code: "request.invalid", field: "email"},
			{name: "signup taken email", method: "POST", path: "/api/v1/signup", body: map[string]string{"tenant_name": "X", "name": "Y", "email": "OWNER@input.test", "password": kefutest.Password}, status: 409, code: "user.email-taken", field: "email"},
			{name: "form content type", method: "POST", path: "/api/v1/auth/login", body: `{"email":"a@b.test","password":"x"}`, ctype: "application/x-www-form-urlencoded", status: 400, code: "request.unsupported-media-type"},
			{name: "bad limit", method: "GET", path: "/api/v1/tenants/" + a.TenantID + "/audit-log?limit=9999", token: a.AccessToken, status: 400, code: "request.invalid", field: "limit"},
			{name: "wrong method", method: "PUT", path: "/api/v1/me", token: a.AccessToken, status: 405, code: "route.method-not-allowed"},
			{name: "wrong method, public route", method: "GET", path: "/api/v1/auth/login", status: 405, code: "route.method-not-allowed"},
			{name: "wrong method, tenant route", method: "DELETE", path: "/api/v1/tenants/" + a.TenantID + "/settings", token: a.AccessToken, status: 405, code: "route.method-not-allowed"},
			{name: "unknown route", method: "GET", path: "/api/v1/nope", status: 404, code: "route.not-found"},
			{name: "unknown route, authenticated", method: "GET", path: "/api/v1/tenants/" + a.TenantID + "/nope", token: a.AccessToken, status: 404, code: "route.not-found"},
			{name: "unknown route outside the API", method: "GET", path: "/wp-login.php", status: 404, code: "route.not-found"},
			{name: "unknown member id", method: "PATCH", path: "/api/v1/tenants/" + a.TenantID + "/members/" + uuid.NewString(), token: a.AccessToken, body: map[string]string{"role": "agent"}, status: 404, code: "member.not-found"},
			{name: "malformed member id", method: "DELETE", path: "/api/v1/tenants/" + a.TenantID + "/members/42", token: a.AccessToken, status: 404, code: "member.not-found"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				req := kefutest.Request{Method: c.method, Path: c.path, Token: c.token, Body: c.body}
				if c.ctype != "" {
					req.Headers = map[string]string{"Content-Type": c.ctype}
				}
				r := e.Do(req)
				wantProblem(t, r, c.status, c.code)
				wantField(t, r, c.field)
				if r.Str("request_id") == "" || r.Str("request_id") != r.Header.Get("X-Request-ID") {
					t.Errorf("problem request_id %q, header %q", r.Str("request_id"), r.Header.Get("X-Request-ID"))
				}
			})
		}
		for _, c := range []struct{ method, path, allow string }{
			{"PUT", "/api/v1/me", "GET, PATCH"},
			{"DELETE", "/api/v1/me/", "GET, PATCH"},
			{"GET", "/api/v1/auth/login", "POST"},
			{"POST", "/api/v1/tenants/" + a.TenantID + "/settings", "GET, PATCH"},
			{"PUT", "/api/v1/tenants/" + a.TenantID + "/roles/agent", "GET, PATCH, DELETE"},
		} {
			r := e.Call(c.method, c.path, a.AccessToken, nil)
			wantProblem(t, r, http.StatusMethodNotAllowed, "route.method-not-allowed")
			if got := r.Header.Get("Allow"); got != c.allow {
				t.Errorf("%s %s: Allow = %q, want %q", c.method, c.path, got, c.allow)
			}
		}
		// None of the failed signups created the account.
		login(e, "new@input.test", kefutest.Password, "", nil).Must(t, http.StatusUnauthorized)

		t.Run("body over 1 MiB", func(t *testing.T) {
			body := `{"email":"` + strings.Repeat("a", 1<<20) + `@b.test","password":"x"}`
			r := rawRoundTrip(t, e, postJSON("/api/v1/auth/login", body))
			if got, want := r.Status, http.StatusRequestEntityTooLarge; got != want {
				t.Errorf("status = %d, want %d: %s", got, want, r.Body)
			}
			if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/problem+json") {
				t.Errorf("Content-Type = %q, want application/problem+json", got)
			}
			var p struct{ Code string }
			if err := json.Unmarshal(r.Body, &p); err != nil || p.Code != "request.too-large" {
				t.Errorf("problem = %s, want code request.too-large", r.Body)
			}
			e.Call("GET", "/healthz", "", nil).Must(t, http.StatusOK)
		})
		t.Run("body just under 1 MiB is read", func(t *testing.T) {
			body := `{"email":"a@b.test","password":"` + strings.Repeat("a", 1<<20-64) + `"}`
			r := e.Call("POST", "/api/v1/auth/login", "", body)
			wantProblem(t, r, http.StatusUnauthorized, "auth.invalid-credentials")
		})
	})
}

// TestClientMistakesAreNotServerErrors sends every route malformed bodies and ids: no
// answer is a 5xx, and every error is a problem document.
func TestClientMistakesAreNotServerErrors(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Mistake Co", "owner@mistake.test")
		bodies := []string{``, `null`, `{}`, `[]`, `"x"`, `-1`, `{"x":1}`, `{`, "\xff\xfe",
			`{"name":null,"role":{},"email":[],"permissions":"all","password":1e400,"token":true,"code":[1]}`,
			`{"name":"` + strings.Repeat("名", 5000) + `","email":"` + strings.Repeat("a", 5000) + `@x.test","role":"` + strings.Repeat("r", 5000) + `"}`,
			strings.Repeat("[", 20000)}
		ids := []string{"x", uuid.NewString(), uuid.Nil.String(), "%00", "..%2F..%2Fetc"}
		for _, r := range e.Main.HTTP.Routes() {
			tenantIDs, objectIDs := []string{a.TenantID}, ids[:1]
			if strings.Contains(r.Path, ":tenant_id") {
				tenantIDs = append(tenantIDs, ids...)
			}
			if strings.Count(r.Path, ":") > 1 {
				objectIDs = ids
			}
			for _, tid := range tenantIDs {
				for _, id := range objectIDs {
					path := strings.NewReplacer(":tenant_id", tid, ":member_id", id, ":invitation_id", id, ":role_id", id, ":key_id", id).Replace(r.Path)
					for _, b := range bodies {
						tok := a.AccessToken
						if r.Path == "/api/v1/auth/logout" {
							tok = e.Login(a.Email, a.Password)
						}
						res := e.Do(kefutest.Request{Method: r.Method, Path: path, Token: tok, Body: b})
						if res.Status >= 500 {
							t.Errorf("%s %s with %.40q: %d: %s", r.Method, path, b, res.Status, res.Body)
						}
						if ct := res.Header.Get("Content-Type"); res.Status >= 400 && !strings.HasPrefix(ct, "application/problem+json") {
							t.Errorf("%s %s with %.40q: %d with Content-Type %q", r.Method, path, b, res.Status, ct)
						}
					}
				}
			}
		}
		// None of it changed the tenant or the account.
		if got := e.Call("GET", "/api/v1/tenants/"+a.TenantID+"/settings", a.AccessToken, nil).Must(t, http.StatusOK).Str("name"); got != "Mistake Co" {
			t.Errorf("tenant name = %q", got)
		}
		if n := len(listMembers(t, e, a.TenantID, a.AccessToken)); n != 1 {
			t.Errorf("%d members, want 1", n)
		}
	})
}
