// Display names for roles, permissions and resources, with the server's own text as
// the fallback for anything added after this console was built.
import type { TFunction } from 'i18next';
import type { Permission } from '../api/types';
import { BUILTIN_ROLES } from './rules';

export function roleLabel(t: TFunction, role: string): string {
  return BUILTIN_ROLES.includes(role) ? t(`roles.builtin.${role}.name`) : role;
}

export function roleDescription(t: TFunction, role: { name: string; builtin: boolean; description: string }): string {
  return role.builtin && BUILTIN_ROLES.includes(role.name)
    ? t(`roles.builtin.${role.name}.description`, { defaultValue: role.description })
    : role.description;
}

export function resourceLabel(t: TFunction, resource: string): string {
  return t(`resources.${resource}`, { defaultValue: resource });
}

export function permissionLabel(t: TFunction, p: Pick<Permission, 'name' | 'action'>): string {
  return t(`permissions.${p.name}.label`, { defaultValue: p.action });
}

export function permissionDescription(t: TFunction, p: Pick<Permission, 'name' | 'description'>): string {
  return t(`permissions.${p.name}.description`, { defaultValue: p.description });
}

/** Groups permissions by resource, keeping the catalogue's order. */
export function groupByResource<T extends { resource: string }>(perms: T[]): { resource: string; items: T[] }[] {
  const out: { resource: string; items: T[] }[] = [];
  for (const p of perms) {
    let g = out.find((x) => x.resource === p.resource);
    if (!g) {
      g = { resource: p.resource, items: [] };
      out.push(g);
    }
    g.items.push(p);
  }
  return out;
}

/** Resource and action of a permission name such as "members:read". */
export function splitPermission(name: string): { resource: string; action: string } {
  const i = name.indexOf(':');
  return i < 0 ? { resource: name, action: '' } : { resource: name.slice(0, i), action: name.slice(i + 1) };
}
