// 409 agent.at-capacity from "assign to me" and from a reply that would take a waiting
// conversation: the agent is told why, in words, not with a generic failure.
import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConversationPane } from './ConversationPane';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import type { ConversationItem } from '../../api/chat';
import type { Tenant } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { json, mockApi, problem, renderApp, sessionRoutes } from '../../test/utils';

const acme: Tenant = { id: 't1', name: 'Acme', slug: 'acme', status: 'active', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false, created_at: '2026-01-01T00:00:00Z' };

const conv: ConversationItem = {
  id: 'c1',
  tenant_id: 't1',
  tenant_name: 'Acme',
  channel_id: 'ch1',
  channel_name: 'Website',
  connector: 'web',
  status: 'queued',
  assignee_id: null,
  contact: { id: 'ct1', name: 'Lei', email: '', avatar_url: '' },
  last_message_at: '2026-05-01T10:00:00Z',
  last_message_preview: 'Hello?',
  unread: 0,
  created_at: '2026-05-01T09:00:00Z',
  updated_at: '2026-05-01T10:00:00Z',
  resolved_at: null,
};

describe('conversation at capacity', { timeout: 30_000 }, () => {
  it('explains agent.at-capacity when assigning or replying', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/conversations/c1': () => json(200, conv),
      'GET /api/v1/tenants/t1/conversations/c1/messages': () => json(200, { items: [], next_cursor: null }),
      'POST /api/v1/tenants/t1/conversations/c1/assign': () => problem(409, 'agent.at-capacity'),
      'POST /api/v1/tenants/t1/conversations/c1/messages': () => problem(409, 'agent.at-capacity'),
      'POST /api/v1/tenants/t1/conversations/c1/typing': () => json(204, null),
    });
    renderApp(
      <RequireAuth>
        <TenantContext.Provider
          value={{ tenantId: 't1', access: { tenant: acme, role: 'agent', permissions: ['conversations:read', 'conversations:reply', 'conversations:assign'] }, loading: false, error: null, reload: async () => {} }}
        >
          <ConversationPane tenantId="t1" conversationId="c1" onItem={() => {}} />
        </TenantContext.Provider>
      </RequireAuth>,
    );
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('conversation-assign-me'));
    expect(await screen.findByTestId('conversation-at-capacity')).toHaveTextContent(zh.conversation.atCapacity);
    expect(screen.getByTestId('conversation-assignee')).toHaveTextContent(zh.conversation.unassigned);

    await user.type(screen.getByTestId('reply-input'), 'Hi{Enter}');
    const failed = await waitFor(() => {
      const m = screen.getAllByTestId('message').find((e) => e.getAttribute('data-status') === 'failed');
      expect(m).toBeTruthy();
      return m!;
    });
    expect(within(failed).getByTestId('message-failed')).toHaveTextContent(zhErrors['agent.at-capacity']!);
  });
});
