package identity

import "github.com/kefu-io/kefu/server/internal/platform/errs"

// Errors returned by the identity engine. Codes are stable API.
var (
	ErrInvalidCredentials = errs.New(errs.Unauthenticated, "auth.invalid-credentials", "Invalid email or password.")
	ErrTOTPRequired       = errs.New(errs.Unauthenticated, "auth.totp-required", "Enter the code from your authenticator app.")
	ErrInvalidTOTP        = errs.New(errs.Unauthenticated, "auth.invalid-totp", "The authentication code is not valid.")
	ErrInvalidToken       = errs.New(errs.Unauthenticated, "auth.invalid-token", "The access token is missing, invalid or expired.")
	ErrInvalidRefresh     = errs.New(errs.Unauthenticated, "auth.invalid-refresh-token", "The refresh token is invalid or expired.")
	ErrRefreshReused      = errs.New(errs.Unauthenticated, "auth.refresh-token-reused", "This refresh token was already used; the session has been revoked.")
	ErrSessionRevoked     = errs.New(errs.Unauthenticated, "auth.session-revoked", "The session has ended. Please log in again.")
	ErrInvalidAPIKey      = errs.New(errs.Unauthenticated, "auth.invalid-api-key", "The API key is invalid or revoked.")
	ErrThrottled          = errs.New(errs.TooManyRequests, "auth.throttled", "Too many attempts. Try again later.")
	ErrResetInvalid       = errs.New(errs.NotFound, "password-reset.invalid-token", "This reset link is invalid, expired or already used. Request a new one.")
	ErrWrongPassword      = errs.New(errs.Forbidden, "auth.wrong-password", "The current password is not correct.").WithField("current_password")

	ErrEmailTaken      = errs.New(errs.Conflict, "user.email-taken", "An account with this email already exists.").WithField("email")
	ErrInvalidEmail    = errs.New(errs.Invalid, "request.invalid", "Enter a valid email address.").WithField("email")
	ErrInvalidUserName = errs.New(errs.Invalid, "request.invalid", "Name must be 1 to 100 characters.").WithField("name")

	ErrTOTPAlreadyEnabled = errs.New(errs.Conflict, "totp.already-enabled", "Two-factor authentication is already enabled.")
	ErrTOTPNotEnrolled    = errs.New(errs.Conflict, "totp.not-enrolled", "Start enrolment before confirming a code.")
	ErrTOTPNotEnabled     = errs.New(errs.Conflict, "totp.not-enabled", "Two-factor authentication is not enabled.")

	ErrNotMember         = errs.New(errs.NotFound, "tenant.not-found", "Tenant not found.")
	ErrTenantSuspended   = errs.New(errs.Forbidden, "tenant.suspended", "This tenant is suspended. Contact the platform operator.")
	ErrTenant2FARequired = errs.New(errs.Forbidden, "tenant.2fa-required", "This tenant requires two-factor authentication. Enable it in your account settings.")
	ErrOperatorOnly      = errs.New(errs.Forbidden, "auth.operator-only", "Only platform operators may do this.")
	ErrUserOnly          = errs.New(errs.Forbidden, "auth.user-only", "API keys cannot be used for this.")

	ErrMemberNotFound   = errs.New(errs.NotFound, "member.not-found", "Member not found.")
	ErrLastOwner        = errs.New(errs.Conflict, "member.last-owner", "A tenant must keep at least one owner.")
	ErrOwnerOnly        = errs.New(errs.Forbidden, "member.owner-only", "Only owners can grant, change or remove the owner role.")
	ErrOutranked        = errs.New(errs.Forbidden, "member.outranked", "You cannot change or remove a member whose role has permissions you do not hold.")
	ErrAlreadyMember    = errs.New(errs.Conflict, "member.already-member", "This person is already a member.").WithField("email")
	ErrUnknownRole      = errs.New(errs.Unprocessable, "role.unknown", "No such role.").WithField("role")
	ErrRoleNotFound     = errs.New(errs.NotFound, "role.not-found", "Role not found.")
	ErrRoleNameTaken    = errs.New(errs.Conflict, "role.name-taken", "A role with this name already exists.").WithField("name")
	ErrRoleInvalidName  = errs.New(errs.Invalid, "request.invalid", "Role names are 2 to 40 characters of a-z, 0-9, _ and -, start with a letter, and differ from the built-in roles.").WithField("name")
	ErrRoleBuiltin      = errs.New(errs.Conflict, "role.builtin", "Built-in roles cannot be changed or deleted.")
	ErrRoleInUse        = errs.New(errs.Conflict, "role.in-use", "The role is still assigned to members or API keys.")
	ErrUnknownPerm      = errs.New(errs.Invalid, "request.invalid", "Unknown permission.").WithField("permissions")
	ErrEscalation       = errs.New(errs.Forbidden, "role.escalation", "You cannot grant permissions you do not hold yourself.")
	ErrInviteNotFound   = errs.New(errs.NotFound, "invitation.not-found", "The invitation is invalid, expired or already used.")
	ErrInviteLogin      = errs.New(errs.Unauthenticated, "invitation.login-required", "An account with this email exists. Log in to accept the invitation.")
	ErrInviteWrongUser  = errs.New(errs.Forbidden, "invitation.wrong-account", "This invitation was sent to a different email address.")
	ErrAPIKeyNotFound   = errs.New(errs.NotFound, "apikey.not-found", "API key not found.")
	ErrAPIKeyOwnerRole  = errs.New(errs.Unprocessable, "apikey.owner-role", "API keys cannot have the owner role.").WithField("role")
	ErrAPIKeyNameLength = errs.New(errs.Invalid, "request.invalid", "Name must be 1 to 100 characters.").WithField("name")
)
