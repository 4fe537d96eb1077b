// IANA time zones for the zone pickers (tenant settings, business hours): every zone
// the browser knows, or a short list of common ones where Intl.supportedValuesOf is
// missing (older browsers), each with its current UTC offset.

/** Used when the browser cannot list its zones. */
export const FALLBACK_TIME_ZONES = [
  'UTC',
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Moscow',
  'Africa/Cairo',
  'Africa/Johannesburg',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'America/Mexico_City',
  'America/Toronto',
];

/** Every zone the browser knows (the fallback list when it cannot say). */
export function timeZones(): string[] {
  try {
    const list = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone');
    if (list && list.length) return list;
  } catch {
    /* not supported */
  }
  return [...FALLBACK_TIME_ZONES];
}

/** The browser's own zone, or UTC when it does not say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Zone options with their current UTC offset; current (and UTC) are always listed. */
export function timeZoneOptions(current?: string): { value: string; label: string }[] {
  let zones = timeZones();
  for (const z of ['UTC', current]) if (z && !zones.includes(z)) zones = [z, ...zones];
  const now = new Date();
  return zones.map((z) => {
    let offset = '';
    try {
      offset =
        new Intl.DateTimeFormat('en-US', { timeZone: z, timeZoneName: 'shortOffset' })
          .formatToParts(now)
          .find((p) => p.type === 'timeZoneName')?.value ?? '';
    } catch {
      offset = '';
    }
    return { value: z, label: offset ? `${z} (${offset})` : z };
  });
}
