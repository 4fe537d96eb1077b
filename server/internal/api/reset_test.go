package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kefu-io/kefu/server/internal/identity"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/kefutest"
)

func resetToken(t *testing.T, m identity.Mail) string {
	t.Helper()
	i := strings.Index(m.Text, "#token=")
	if i < 0 {
		t.Fatalf("reset mail has no token link: %q", m.Text)
	}
	tok := m.Text[i+len("#token="):]
	if j := strings.IndexAny(tok, " \r\n"); j >= 0 {
		tok = tok[:j]
	}
	return tok
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Reset Co", "owner@reset.test")
		other := e.Login(a.Email, a.Password) // a second session, to be revoked

		// Unknown and known addresses answer alike.
		e.Call("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": "nobody@reset.test"}).Must(t, http.StatusNoContent)
		e.Call("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": "Owner@Reset.test"}).Must(t, http.StatusNoContent)
		wantProblem(t, e.Call("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": "not-an-email"}), http.StatusBadRequest, "request.invalid")
		m := e.Outbox.WaitForNth(t, a.Email, 1)
		if !strings.Contains(m.Text, "/reset-password#token=kfp_") {
			t.Fatalf("reset mail = %q", m.Text)
		}
		tok := resetToken(t, m)

		r := e.Call("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": tok, "new_password": "short"})
		wantProblem(t, r, http.StatusUnprocessableEntity, "password.too-short")
		wantField(t, r, "new_password")
		wantProblem(t, e.Call("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": "kfp_forged", "new_password": "a brand new passphrase"}),
			http.StatusNotFound, "password-reset.invalid-token")

		e.Call("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": tok, "new_password": "a brand new passphrase"}).Must(t, http.StatusNoContent)
		// Single use; every session ended; only the new password works.
		wantProblem(t, e.Call("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": tok, "new_password": "yet another passphrase"}),
			http.StatusNotFound, "password-reset.invalid-token")
		for _, tokn := range []string{a.AccessToken, other} {
			if got := e.Call("GET", "/api/v1/me", tokn, nil).Status; got != http.StatusUnauthorized {
				t.Errorf("old session after reset: %d, want 401", got)
			}
		}
		wantProblem(t, e.Call("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": a.RefreshToken}), http.StatusUnauthorized, "auth.session-revoked")
		wantProblem(t, e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": a.Email, "password": a.Password}), http.StatusUnauthorized, "auth.invalid-credentials")
		e.Login(a.Email, "a brand new passphrase")

		// Only the newest link works.
		n := e.Outbox.Count(a.Email)
		e.Call("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": a.Email}).Must(t, http.StatusNoContent)
		first := resetToken(t, e.Outbox.WaitForNth(t, a.Email, n+1))
		e.Call("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": a.Email}).Must(t, http.StatusNoContent)
		second := resetToken(t, e.Outbox.WaitForNth(t, a.Email, n+2))
		wantProblem(t, e.Call("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": first, "new_password": "another good passphrase"}),
			http.StatusNotFound, "password-reset.invalid-token")
		e.Call("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": second, "new_password": "another good passphrase"}).Must(t, http.StatusNoContent)
	})
}

// TestPasswordResetKeepsSecondFactor: a reset changes the password but does not log in,
// so a mailbox alone never passes an account's 2FA.
func TestPasswordResetKeepsSecondFactor(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Second Factor Co", "owner@2fa-reset.test")
		enr := e.Call("POST", "/api/v1/me/2fa/enroll", a.AccessToken, map[string]string{"password": a.Password}).Must(t, http.StatusOK)
		code, err := crypt.TOTPCode(enr.Str("secret"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		e.Call("POST", "/api/v1/me/2fa/confirm", a.AccessToken, map[string]string{"code": code}).Must(t, http.StatusOK)

		e.Call("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": a.Email}).Must(t, http.StatusNoContent)
		tok := resetToken(t, e.Outbox.WaitFor(t, a.Email))
		r := e.Call("POST", "/api/v1/auth/password/reset", "", map[string]string{"token": tok, "new_password": "a brand new passphrase"}).Must(t, http.StatusNoContent)
		if len(r.Body) != 0 {
			t.Fatalf("reset returned a body (tokens?): %s", r.Body)
		}
		wantProblem(t, e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": a.Email, "password": "a brand new passphrase"}),
			http.StatusUnauthorized, "auth.totp-required")
	})
}

func TestPasswordResetThrottled(t *testing.T) {
	t.Parallel()
	e := kefutest.Start(t, kefutest.Backend{Name: "sqlite"})
	a := e.Signup("Quota Co", "owner@quota.test")
	for i := 0; i < 5; i++ {
		e.Call("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": a.Email}).Must(t, http.StatusNoContent)
	}
	r := e.Call("POST", "/api/v1/auth/password/forgot", "", map[string]string{"email": a.Email})
	wantProblem(t, r, http.StatusTooManyRequests, "auth.throttled")
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}
