// Per-channel-type caps (Agent.channel_capacity: connector name → the most open
// conversations of that type at once, within the capacity) as a form control: rows of
// a channel type (the tenant's connector types offered, any connector name accepted)
// and a number. Used by the header's presence control (one's own) and the queue page's
// agent dialog (a supervisor's). The value is a list of rows so a half-typed row can
// be shown; capsFromRows turns it into the map the API takes.
import { useEffect, useMemo, useState } from 'react';
import { AutoComplete, Button, Flex, Input, InputNumber, Tag, Tooltip, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { chatApi } from '../api/chat';
import { CONNECTOR_NAME_RE, KNOWN_CONNECTORS, MAX_CAPACITY, MAX_CHANNEL_CAPS } from '../api/routing';

export interface CapRow {
  connector: string;
  cap: number | null;
}

export function rowsFromCaps(caps: Record<string, number> | undefined): CapRow[] {
  return Object.entries(caps ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([connector, cap]) => ({ connector, cap }));
}

/** The map to send; rows without a name are left out. */
export function capsFromRows(rows: CapRow[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows ?? []) {
    const name = r.connector.trim();
    if (name && r.cap !== null) out[name] = r.cap;
  }
  return out;
}

export function sameCaps(a: Record<string, number> | undefined, b: Record<string, number> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

/** A connector type's name for people ("Web chat"), or the name itself. */
export function connectorLabel(t: TFunction, name: string): string {
  return t(`channels.connectors.${name}`, { defaultValue: name });
}

/** The caps as small tags ("web ≤ 2"), or nothing. */
export function CapsTags({ caps, testId }: { caps: Record<string, number> | undefined; testId?: string }) {
  const { t } = useTranslation();
  const rows = rowsFromCaps(caps);
  if (!rows.length) return testId ? <span data-testid={testId} /> : null;
  return (
    <Flex gap={4} wrap data-testid={testId}>
      {rows.map((r) => (
        <Tag key={r.connector} style={{ marginInlineEnd: 0 }} data-connector={r.connector}>
          {t('channelCaps.summary', { name: r.connector, cap: r.cap })}
        </Tag>
      ))}
    </Flex>
  );
}

/** Form.Item rules: names, duplicates, caps, count; a cap above the capacity only warns. */
export function capsRules(t: TFunction, capacity: () => number | null | undefined): Rule[] {
  return [
    {
      validator: (_r, v: CapRow[] | undefined) => {
        const rows = v ?? [];
        if (rows.length > MAX_CHANNEL_CAPS) return Promise.reject(new Error(t('channelCaps.errors.tooMany', { max: MAX_CHANNEL_CAPS })));
        const seen = new Set<string>();
        for (const r of rows) {
          const name = r.connector.trim();
          if (!CONNECTOR_NAME_RE.test(name)) return Promise.reject(new Error(t('channelCaps.errors.name')));
          if (seen.has(name)) return Promise.reject(new Error(t('channelCaps.errors.duplicate', { name })));
          seen.add(name);
          if (r.cap === null || !Number.isInteger(r.cap) || r.cap < 0 || r.cap > MAX_CAPACITY) {
            return Promise.reject(new Error(t('channelCaps.errors.cap', { max: MAX_CAPACITY })));
          }
        }
        return Promise.resolve();
      },
    },
    {
      warningOnly: true,
      validator: (_r, v: CapRow[] | undefined) => {
        const c = capacity();
        if (c === null || c === undefined) return Promise.resolve();
        return (v ?? []).some((r) => r.cap !== null && r.cap > c)
          ? Promise.reject(new Error(t('channelCaps.errors.aboveCapacity', { capacity: c })))
          : Promise.resolve();
      },
    },
  ];
}

const cache = new Map<string, Promise<string[]>>();

/**
 * The channel types to offer: the connectors of the tenant's channels when they can
 * be listed (channels:read), else the well-known ones. Loaded once per tenant, when
 * enabled (the editor is shown).
 */
export function useConnectorNames(tenantId: string | undefined, canList: boolean, enabled = true): string[] {
  const [names, setNames] = useState<string[] | null>(null);
  useEffect(() => {
    if (!enabled || !tenantId || !canList) return;
    let cancelled = false;
    let p = cache.get(tenantId);
    if (!p) {
      p = chatApi.channels(tenantId).then((r) => [...new Set(r.items.map((c) => c.connector))].sort());
      cache.set(tenantId, p);
      p.catch(() => cache.delete(tenantId));
    }
    p.then(
      (list) => !cancelled && setNames(list),
      () => !cancelled && setNames(null),
    );
    return () => {
      cancelled = true;
    };
  }, [tenantId, canList, enabled]);
  return names && names.length ? names : KNOWN_CONNECTORS;
}

/** Test helper: forgets the loaded connector names. */
export function __resetConnectorNamesForTests(): void {
  cache.clear();
}

export function ChannelCapsInput({
  value,
  onChange,
  testId,
  connectors,
  compact = false,
  disabled,
}: {
  value?: CapRow[];
  onChange?: (rows: CapRow[]) => void;
  /** Prefix of the test IDs (presence-caps, agent-caps). */
  testId: string;
  /** Channel types to offer. */
  connectors: string[];
  /** Narrow (the header dropdown): the hint moves into a tooltip. */
  compact?: boolean;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const rows = useMemo(() => value ?? [], [value]);
  const set = (i: number, patch: Partial<CapRow>) => onChange?.(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const used = new Set(rows.map((r) => r.connector.trim()));
  const unused = connectors.filter((c) => !used.has(c));

  return (
    <div data-testid={testId}>
      {rows.length === 0 ? (
        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginBottom: 4 }} data-testid={`${testId}-empty`}>
          {t('channelCaps.empty')}
        </Typography.Text>
      ) : null}
      <Flex vertical gap={4}>
        {rows.map((r, i) => (
          <Flex key={i} gap={4} align="center">
            <AutoComplete
              value={r.connector}
              onChange={(v: string) => set(i, { connector: v.toLowerCase() })}
              options={connectors
                .filter((c) => c === r.connector || !used.has(c))
                .filter((c) => !r.connector || c.includes(r.connector.toLowerCase()))
                .map((c) => ({
                  value: c,
                  label: (
                    <span data-testid={`${testId}-option-${c}`}>
                      {c}
                      {connectorLabel(t, c) !== c ? (
                        <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 6 }}>
                          {connectorLabel(t, c)}
                        </Typography.Text>
                      ) : null}
                    </span>
                  ),
                }))}
              style={{ flex: 1, minWidth: 0 }}
              disabled={disabled}
            >
              <Input
                placeholder={t('channelCaps.connector')}
                aria-label={t('channelCaps.connector')}
                autoComplete="off"
                data-testid={`${testId}-name-${i}`}
              />
            </AutoComplete>
            <InputNumber
              value={r.cap}
              onChange={(v) => set(i, { cap: typeof v === 'number' ? v : null })}
              min={0}
              max={MAX_CAPACITY}
              precision={0}
              style={{ width: compact ? 64 : 96 }}
              aria-label={t('channelCaps.cap')}
              placeholder={t('channelCaps.cap')}
              data-testid={`${testId}-value-${i}`}
              disabled={disabled}
            />
            <Tooltip title={t('channelCaps.remove', { name: r.connector || '' })}>
              <Button
                type="text"
                size="small"
                icon={<DeleteOutlined />}
                onClick={() => onChange?.(rows.filter((_, j) => j !== i))}
                aria-label={t('channelCaps.remove', { name: r.connector || '' })}
                data-testid={`${testId}-remove-${i}`}
                disabled={disabled}
              />
            </Tooltip>
          </Flex>
        ))}
      </Flex>
      <Button
        type="dashed"
        size="small"
        icon={<PlusOutlined />}
        style={{ marginTop: 6 }}
        disabled={disabled || rows.length >= MAX_CHANNEL_CAPS}
        onClick={() => onChange?.([...rows, { connector: unused[0] ?? '', cap: 1 }])}
        data-testid={`${testId}-add`}
      >
        {t('channelCaps.add')}
      </Button>
    </div>
  );
}
