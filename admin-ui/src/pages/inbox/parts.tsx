// Bits the inbox, the conversation view and the contact panel share.
import { Tag } from 'antd';
import type { TFunction } from 'i18next';
import type { ConversationStatus } from '../../api/chat';
import { tenantColor } from '../../components/TenantSwitcher';

export function statusLabel(t: TFunction, s: ConversationStatus): string {
  return t(`conversation.statuses.${s}`);
}

export const STATUS_COLORS: Record<ConversationStatus, string> = {
  bot: 'purple',
  queued: 'orange',
  open: 'blue',
  pending: 'gold',
  resolved: 'green',
  closed: 'default',
};

/** The tenant tag every conversation carries: its name on its colour. */
export function TenantTag({ id, name }: { id: string; name: string }) {
  return (
    <Tag color={tenantColor(id)} data-testid="inbox-tenant-tag" data-tenant={id} style={{ marginInlineEnd: 0, maxWidth: 140, overflow: 'hidden', textOverflow: 'ellipsis' }}>
      {name || id.slice(0, 8)}
    </Tag>
  );
}

