// The tenant the current page belongs to (from /t/:tenantId), with the caller's role
// and permissions from GET /api/v1/tenants/{id}.
import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { tenantApi } from '../api/endpoints';
import type { TenantAccess } from '../api/types';

export interface TenantState {
  tenantId: string;
  access: TenantAccess | null;
  loading: boolean;
  error: unknown;
  reload: () => Promise<void>;
}

export const TenantContext = createContext<TenantState | null>(null);

/** Loads a tenant's access; resets as soon as the id changes. */
export function useTenantAccess(tenantId: string | undefined): TenantState | null {
  const [state, setState] = useState<{ id?: string; access: TenantAccess | null; loading: boolean; error: unknown }>({
    access: null,
    loading: false,
    error: null,
  });

  useEffect(() => {
    if (!tenantId) return;
    let cancelled = false;
    setState((s) => (s.id === tenantId ? { ...s, loading: true } : { id: tenantId, access: null, loading: true, error: null }));
    tenantApi.get(tenantId).then(
      (access) => !cancelled && setState({ id: tenantId, access, loading: false, error: null }),
      (error: unknown) => !cancelled && setState({ id: tenantId, access: null, loading: false, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [tenantId]);

  const reload = useCallback(async () => {
    if (!tenantId) return;
    try {
      const access = await tenantApi.get(tenantId);
      setState({ id: tenantId, access, loading: false, error: null });
    } catch (error) {
      setState({ id: tenantId, access: null, loading: false, error });
    }
  }, [tenantId]);

  if (!tenantId) return null;
  const current = state.id === tenantId;
  return {
    tenantId,
    access: current ? state.access : null,
    loading: current ? state.loading : true,
    error: current ? state.error : null,
    reload,
  };
}

/** The current tenant; only valid inside /t/:tenantId pages. */
export function useTenant() {
  const ctx = useContext(TenantContext);
  if (!ctx) throw new Error('useTenant outside a tenant route');
  const perms: string[] = ctx.access?.permissions ?? [];
  return {
    ...ctx,
    tenant: ctx.access?.tenant ?? null,
    role: ctx.access?.role ?? '',
    permissions: perms,
    can: (p: string) => perms.includes(p),
  };
}

export function useOptionalTenant(): TenantState | null {
  return useContext(TenantContext);
}
