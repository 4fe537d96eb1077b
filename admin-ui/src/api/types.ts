// API data types: aliases of the schemas generated from the OpenAPI document
// (server/internal/api/openapi.json → schema.d.ts by `npm run gen:api`). A change to the
// document that the console does not handle fails `tsc`; `npm run check:api` fails when
// schema.d.ts was not regenerated.
import type { components } from './schema';

type S = components['schemas'];

export type UUID = string;
/** RFC 3339 timestamp. */
export type DateTime = string;

export type User = S['User'];
export type Membership = S['MembershipSummary'];
export type Me = S['Me'];
export type Tenant = S['Tenant'];
export type TenantStatus = Tenant['status'];
export type TenantAccess = S['TenantAccess'];
export type Settings = S['Settings'];
export type TokenPair = S['TokenPair'];
export type SignupResponse = S['SignupResponse'];
export type Member = S['Member'];
export type Invitation = S['Invitation'];
export type InvitationPreview = S['InvitationPreview'];
export type AcceptedInvitation = S['AcceptInvitationResponse'];
export type Role = S['Role'];
export type Permission = S['Permission'];
export type PermissionName = S['PermissionName'];
export type ApiKey = S['ApiKey'];
export type ApiKeyCreated = S['ApiKeyCreated'];
export type AuditEntry = S['AuditEntry'];
export type Enrollment = S['Enrollment'];
export type RecoveryCodes = S['RecoveryCodes'];
export type Problem = S['Problem'];

// Request bodies.
export type SignupRequest = S['SignupRequest'];
export type LoginRequest = S['LoginRequest'];
export type ForgotPasswordRequest = S['ForgotPasswordRequest'];
export type ResetPasswordRequest = S['ResetPasswordRequest'];
export type UpdateMeRequest = S['UpdateMeRequest'];
export type ChangePasswordRequest = S['ChangePasswordRequest'];
export type EnrollTotpRequest = S['EnrollTotpRequest'];
export type TotpCodeRequest = S['TotpCodeRequest'];
export type DisableTotpRequest = S['DisableTotpRequest'];
export type AcceptInvitationRequest = S['AcceptInvitationRequest'];
export type UpdateSettingsRequest = S['UpdateSettingsRequest'];
export type UpdateMemberRequest = S['UpdateMemberRequest'];
export type CreateInvitationRequest = S['CreateInvitationRequest'];
export type CreateRoleRequest = S['CreateRoleRequest'];
export type UpdateRoleRequest = S['UpdateRoleRequest'];
export type CreateApiKeyRequest = S['CreateApiKeyRequest'];

export interface Items<T> {
  items: T[];
}
