import type { ReactNode } from 'react';
import { useTenant } from '../tenant/TenantContext';
import { Forbidden } from './Forbidden';

/** Renders children only when the caller holds perm in the current tenant. */
export function RequirePermission({ perm, children }: { perm: string; children: ReactNode }) {
  const { can } = useTenant();
  return can(perm) ? <>{children}</> : <Forbidden />;
}
