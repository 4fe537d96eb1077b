/** Reads `token` from a URL fragment such as "#token=abc" (fragments never reach servers or logs). */
export function tokenFromHash(hash: string): string {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  return new URLSearchParams(h).get('token')?.trim() ?? '';
}
