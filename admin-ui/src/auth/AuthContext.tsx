// The signed-in user: restored on load from the refresh token, set by login, signup,
// invitation and password flows, and cleared when the session ends anywhere.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  clearTokens,
  getRefreshToken,
  isApiError,
  logout as apiLogout,
  onSessionEnded,
  refreshSession,
  setTokens,
  type SessionEndReason,
  type TokenPair,
} from '../api/client';
import { meApi } from '../api/endpoints';
import type { Me } from '../api/types';

export type AuthStatus = 'loading' | 'authenticated' | 'anonymous' | 'error';

export interface AuthState {
  status: AuthStatus;
  me: Me | null;
  /** Why the last session ended, to explain the login page. */
  ended: SessionEndReason | null;
  /** The error that stopped the session from being restored (network, server). */
  bootError: unknown;
  signIn: (pair: TokenPair) => Promise<Me>;
  reloadMe: () => Promise<Me | null>;
  signOut: () => Promise<void>;
  retryBoot: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>(() => (getRefreshToken() ? 'loading' : 'anonymous'));
  const [me, setMe] = useState<Me | null>(null);
  const [ended, setEnded] = useState<SessionEndReason | null>(null);
  const [bootError, setBootError] = useState<unknown>(null);
  const [bootKey, setBootKey] = useState(0);

  useEffect(
    () =>
      onSessionEnded((reason) => {
        setMe(null);
        setStatus('anonymous');
        setEnded(reason);
      }),
    [],
  );

  // Restore the session on load: refresh, then /me.
  useEffect(() => {
    if (!getRefreshToken()) {
      setStatus('anonymous');
      return;
    }
    let cancelled = false;
    setStatus('loading');
    (async () => {
      try {
        await refreshSession();
        const m = await meApi.get();
        if (cancelled) return;
        setMe(m);
        setStatus('authenticated');
      } catch (e) {
        if (cancelled) return;
        if (isApiError(e) && e.status === 401) {
          clearTokens();
          setStatus('anonymous');
        } else {
          // The server is unreachable or failing: keep the token and offer a retry.
          setBootError(e);
          setStatus('error');
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [bootKey]);

  const signIn = useCallback(async (pair: TokenPair) => {
    setTokens(pair);
    const m = await meApi.get();
    setMe(m);
    setEnded(null);
    setStatus('authenticated');
    return m;
  }, []);

  const reloadMe = useCallback(async () => {
    const m = await meApi.get();
    setMe(m);
    return m;
  }, []);

  const signOut = useCallback(async () => {
    await apiLogout();
    setMe(null);
    setStatus('anonymous');
    setEnded('logout');
  }, []);

  const retryBoot = useCallback(() => {
    setBootError(null);
    setBootKey((k) => k + 1);
  }, []);

  const value = useMemo<AuthState>(
    () => ({ status, me, ended, bootError, signIn, reloadMe, signOut, retryBoot }),
    [status, me, ended, bootError, signIn, reloadMe, signOut, retryBoot],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** The signed-in user's data; only for components under RequireAuth. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error('useMe without a signed-in user');
  return me;
}
