// Which roles the caller may hand out: the server refuses the owner role to non-owners
// (member.owner-only) and any role with permissions the caller lacks (role.escalation).
import type { TFunction } from 'i18next';
import type { Role } from '../api/types';
import { roleLabel } from '../lib/labels';
import { BUILTIN_ROLES } from '../lib/rules';

export interface RoleOption {
  value: string;
  label: string;
  disabled: boolean;
  reason?: string;
}

export function roleOptions(
  t: TFunction,
  roles: Role[] | undefined,
  myRole: string,
  myPerms: string[],
  opts: { excludeOwner?: boolean } = {},
): RoleOption[] {
  const list: { name: string; permissions?: string[] }[] = roles ?? BUILTIN_ROLES.map((name) => ({ name }));
  return list
    .filter((r) => !(opts.excludeOwner && r.name === 'owner'))
    .map((r) => {
      let reason: string | undefined;
      if (r.name === 'owner' && myRole !== 'owner') reason = t('members.ownerOnly');
      else if (r.permissions && !r.permissions.every((p) => myPerms.includes(p))) reason = t('members.beyondYou');
      return { value: r.name, label: roleLabel(t, r.name), disabled: !!reason, reason };
    });
}
