// The inbox across tenants and the conversation view, with fetch mocked like the API
// and a fake WebSocket playing /api/v1/realtime.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Inbox from './Inbox';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import { tenantColor } from '../../components/TenantSwitcher';
import { __resetRealtimeForTests } from '../../lib/realtime';
import type { ConversationItem, Message } from '../../api/chat';
import type { Tenant } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import { json, ME, mockApi, renderApp, sessionRoutes } from '../../test/utils';

class FakeWS {
  static all: FakeWS[] = [];
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
  }
  send() {}
  close() {}
  open() {
    act(() => this.onopen?.(new Event('open')));
  }
  frame(f: unknown) {
    act(() => this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(f) })));
  }
}

async function socket(): Promise<FakeWS> {
  await waitFor(() => expect(FakeWS.all.length).toBeGreaterThan(0));
  const ws = FakeWS.all[FakeWS.all.length - 1]!;
  ws.open();
  ws.frame({ type: 'ready', tenant_ids: ['t1', 't2'] });
  return ws;
}

const ME2 = {
  ...ME,
  memberships: [
    ...ME.memberships,
    { tenant_id: 't2', tenant_name: 'Globex', tenant_slug: 'globex', tenant_status: 'active', role: 'agent', joined_at: '2026-01-01T00:00:00Z' },
  ],
};

const acme: Tenant = { id: 't1', name: 'Acme', slug: 'acme', status: 'active', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false, created_at: '2026-01-01T00:00:00Z' };
const globex: Tenant = { ...acme, id: 't2', name: 'Globex', slug: 'globex' };

function conv(p: Partial<ConversationItem> & { id: string; tenant_id: string }): ConversationItem {
  return {
    tenant_name: p.tenant_id === 't1' ? 'Acme' : 'Globex',
    channel_id: `ch-${p.tenant_id}`,
    channel_name: 'Website',
    connector: 'web',
    status: 'queued',
    assignee_id: null,
    contact: { id: `ct-${p.id}`, name: '', email: '', avatar_url: '' },
    last_message_at: '2026-05-01T10:00:00Z',
    last_message_preview: '',
    unread: 0,
    created_at: '2026-05-01T09:00:00Z',
    updated_at: '2026-05-01T10:00:00Z',
    resolved_at: null,
    ...p,
  };
}

const c1 = conv({ id: 'c1', tenant_id: 't1', contact: { id: 'ct1', name: 'Lei', email: 'lei@example.com', avatar_url: '' }, last_message_preview: 'Where is my order?', unread: 2 });
const c2 = conv({ id: 'c2', tenant_id: 't2', contact: { id: 'ct2', name: '', email: 'ann@example.com', avatar_url: '' }, last_message_at: '2026-05-01T11:00:00Z', last_message_preview: 'Thanks!' });

function msg(p: Partial<Message> & { id: string }): Message {
  return {
    conversation_id: 'c2',
    direction: 'in',
    sender_type: 'contact',
    sender_id: null,
    type: 'text',
    text: '',
    attachments: [],
    status: 'received',
    created_at: '2026-05-01T11:00:00Z',
    ...p,
  };
}

function renderInbox(route: string) {
  return renderApp(
    <RequireAuth>
      <TenantContext.Provider
        value={{ tenantId: 't1', access: { tenant: acme, role: 'owner', permissions: ['conversations:read', 'conversations:reply', 'conversations:assign'] }, loading: false, error: null, reload: async () => {} }}
      >
        <Inbox />
      </TenantContext.Provider>
    </RequireAuth>,
    { route, path: '/t/:tenantId/inbox/:convTenantId?/:conversationId?' },
  );
}

const order = () => screen.getAllByTestId(/^inbox-item-c/).map((e) => e.getAttribute('data-testid')!.replace('inbox-item-', ''));

beforeEach(() => {
  FakeWS.all = [];
  vi.stubGlobal('WebSocket', FakeWS);
});

afterEach(() => {
  __resetRealtimeForTests();
  vi.unstubAllGlobals();
});

describe('inbox', () => {
  it('lists conversations of every tenant, each tagged with its tenant, and keeps them live', async () => {
    const api = mockApi({
      ...sessionRoutes(ME2),
      'GET /api/v1/conversations': () => json(200, { items: [c2, c1], next_cursor: null }),
      'GET /api/v1/tenants/t2/conversations/c3': () =>
        json(200, conv({ id: 'c3', tenant_id: 't2', contact: { id: 'ct3', name: 'Mo', email: '', avatar_url: '' }, last_message_at: '2026-05-01T12:30:00Z', last_message_preview: 'New here', unread: 1 })),
    });
    renderInbox('/t/t1/inbox');
    await screen.findByTestId('inbox-item-c1');
    expect(order()).toEqual(['c2', 'c1']);
    // The list asks for active conversations across tenants.
    expect(api.calls.find((c) => c.path.startsWith('/api/v1/conversations'))!.path).toBe('/api/v1/conversations?status=bot%2Cqueued%2Copen%2Cpending&limit=30');

    // Each item names its tenant, on the tenant's colour.
    const tag1 = within(screen.getByTestId('inbox-item-c1')).getByTestId('inbox-tenant-tag');
    const tag2 = within(screen.getByTestId('inbox-item-c2')).getByTestId('inbox-tenant-tag');
    expect(tag1).toHaveTextContent('Acme');
    expect(tag1).toHaveStyle({ backgroundColor: tenantColor('t1') });
    expect(tag2).toHaveTextContent('Globex');
    expect(tag2).toHaveStyle({ backgroundColor: tenantColor('t2') });
    // The contact's name, else their email; the unread count.
    expect(within(screen.getByTestId('inbox-item-c1')).getByTestId('inbox-item-name')).toHaveTextContent('Lei');
    expect(within(screen.getByTestId('inbox-item-c2')).getByTestId('inbox-item-name')).toHaveTextContent('ann@example.com');
    expect(within(screen.getByTestId('inbox-item-c1')).getByTestId('inbox-unread')).toHaveTextContent('2');
    expect(within(screen.getByTestId('inbox-item-c2')).queryByTestId('inbox-unread')).toBeNull();
    expect(screen.getByTestId('inbox-item-c2')).toHaveAttribute('href', '/t/t1/inbox/t2/c2');

    const ws = await socket();
    expect(ws.url).toMatch(/\/api\/v1\/realtime\?access_token=access-1$/);
    await waitFor(() => expect(screen.getByTestId('inbox-live')).toHaveAttribute('data-status', 'open'));

    // A customer writes in c1: it moves to the top with its new unread count and preview.
    ws.frame({
      type: 'message.created',
      tenant_id: 't1',
      conversation_id: 'c1',
      message: msg({ id: 'm9', conversation_id: 'c1', text: 'Hello?   anyone', created_at: '2026-05-01T12:00:00Z' }),
      conversation: { id: 'c1', tenant_id: 't1', channel_id: 'ch-t1', contact_id: 'ct1', status: 'queued', assignee_id: null, last_message_at: '2026-05-01T12:00:00Z', last_message_preview: 'Hello? anyone', unread: 3, created_at: '', updated_at: '', resolved_at: null },
    });
    expect(order()).toEqual(['c1', 'c2']);
    expect(within(screen.getByTestId('inbox-item-c1')).getByTestId('inbox-unread')).toHaveTextContent('3');
    expect(within(screen.getByTestId('inbox-item-c1')).getByTestId('inbox-item-preview')).toHaveTextContent('Hello? anyone');

    // A conversation the list has never seen is fetched from its tenant and put on top.
    ws.frame({
      type: 'message.created',
      tenant_id: 't2',
      conversation_id: 'c3',
      message: msg({ id: 'm10', conversation_id: 'c3', text: 'New here', created_at: '2026-05-01T12:30:00Z' }),
      conversation: { id: 'c3', tenant_id: 't2', channel_id: 'ch-t2', contact_id: 'ct3', status: 'queued', assignee_id: null, last_message_at: '2026-05-01T12:30:00Z', last_message_preview: 'New here', unread: 1, created_at: '', updated_at: '', resolved_at: null },
    });
    await waitFor(() => expect(order()).toEqual(['c3', 'c1', 'c2']));
    expect(within(screen.getByTestId('inbox-item-c3')).getByTestId('inbox-tenant-tag')).toHaveTextContent('Globex');

    // Resolved elsewhere: it leaves the list of active conversations.
    ws.frame({
      type: 'conversation.updated',
      tenant_id: 't2',
      conversation_id: 'c2',
      conversation: { id: 'c2', tenant_id: 't2', channel_id: 'ch-t2', contact_id: 'ct2', status: 'resolved', assignee_id: null, last_message_at: '2026-05-01T11:00:00Z', last_message_preview: 'Thanks!', unread: 0, created_at: '', updated_at: '', resolved_at: '2026-05-01T12:40:00Z' },
    });
    expect(order()).toEqual(['c3', 'c1']);

    // After events were dropped, the list is fetched again.
    const before = api.calls.filter((c) => c.path.startsWith('/api/v1/conversations')).length;
    ws.frame({ type: 'resync' });
    await waitFor(() => expect(api.calls.filter((c) => c.path.startsWith('/api/v1/conversations')).length).toBe(before + 1));
  });

  it('filters by tenant and assignee, and ignores events of other tenants', async () => {
    const api = mockApi({
      ...sessionRoutes(ME2),
      'GET /api/v1/conversations': (c) => json(200, { items: c.path.includes('tenant_id=t2') ? [c2] : [c2, c1], next_cursor: null }),
    });
    renderInbox('/t/t1/inbox');
    await screen.findByTestId('inbox-item-c1');
    const ws = await socket();

    fireEvent.mouseDown(screen.getByTestId('inbox-filter-tenant').querySelector('.ant-select-selector')!);
    fireEvent.click(await screen.findByTestId('inbox-tenant-option-globex'));
    await waitFor(() => expect(screen.queryByTestId('inbox-item-c1')).toBeNull());
    expect(api.calls.some((c) => c.path.includes('tenant_id=t2'))).toBe(true);

    await userEvent.setup().click(screen.getByTestId('inbox-assignee-me'));
    await waitFor(() => expect(api.calls.some((c) => c.path.includes('tenant_id=t2') && c.path.includes('assignee=me'))).toBe(true));
    // The filter is remembered for next time.
    expect(JSON.parse(localStorage.getItem('kefu.inboxFilter.u1')!)).toEqual({ status: 'active', tenant: 't2', assignee: 'me' });

    // An Acme conversation does not belong here: no fetch, no item.
    const n = api.calls.length;
    ws.frame({ type: 'message.created', tenant_id: 't1', conversation_id: 'c9', message: msg({ id: 'm1', conversation_id: 'c9', text: 'x' }) });
    await new Promise((r) => setTimeout(r, 50));
    expect(api.calls.length).toBe(n);
    expect(screen.queryByTestId('inbox-item-c9')).toBeNull();
  });
});

describe('inbox keyboard', () => {
  it('moves through the list with j/k and Alt+arrows, and lists the shortcuts with ?', async () => {
    mockApi({
      ...sessionRoutes(ME2),
      'GET /api/v1/conversations': () => json(200, { items: [c2, c1], next_cursor: null }),
      'GET /api/v1/tenants/t2': () => json(200, { tenant: globex, role: 'agent', permissions: ['conversations:read'] }),
      'GET /api/v1/tenants/t2/conversations/c2': () => json(200, c2),
      'GET /api/v1/tenants/t2/conversations/c2/messages': () => json(200, { items: [], next_cursor: null }),
      'GET /api/v1/tenants/t1/conversations/c1': () => json(200, c1),
      'GET /api/v1/tenants/t1/conversations/c1/messages': () => json(200, { items: [], next_cursor: null }),
      'POST /api/v1/tenants/t1/conversations/c1/read': () => json(200, { ...c1, unread: 0 }),
      'GET /api/v1/tenants/t1/conversations': () => json(200, { items: [c1], next_cursor: null }),
      'GET /api/v1/tenants/t2/conversations': () => json(200, { items: [c2], next_cursor: null }),
    });
    renderInbox('/t/t1/inbox');
    await screen.findByTestId('inbox-item-c1');
    const user = userEvent.setup();
    // (A narrow screen shows the open conversation instead of the list.)
    const open = () => screen.getByTestId('conversation').getAttribute('data-conversation');
    await user.keyboard('j');
    await waitFor(() => expect(open()).toBe('c2'));
    await user.keyboard('j');
    await waitFor(() => expect(open()).toBe('c1'));
    await user.keyboard('{Alt>}{ArrowUp}{/Alt}');
    await waitFor(() => expect(open()).toBe('c2'));

    await user.keyboard('?');
    const help = await screen.findByTestId('shortcuts-help');
    expect(help).toHaveTextContent(zh.shortcuts.items.next);
    expect(help).toHaveTextContent(zh.shortcuts.items.resolve);
  });
});

describe('conversation', () => {
  it('replies optimistically, shows the delivery failure, the typing customer, and assigns to me', async () => {
    let release: (r: Response) => void = () => {};
    const api = mockApi({
      ...sessionRoutes(ME2),
      'GET /api/v1/conversations': () => json(200, { items: [c2, c1], next_cursor: null }),
      'GET /api/v1/tenants/t2': () => json(200, { tenant: globex, role: 'agent', permissions: ['conversations:read', 'conversations:reply', 'conversations:assign'] }),
      'GET /api/v1/tenants/t2/conversations/c2': () =>
        json(200, {
          ...c2,
          unread: 1,
          contact: { ...c2.contact, phone: '+86 138 0000 0000', attributes: { plan: 'pro' }, identities: [{ channel_id: 'ch-t2', external_id: 'v:v_abc', verified: false }] },
        }),
      'GET /api/v1/tenants/t2/conversations/c2/messages': () => json(200, { items: [msg({ id: 'm1', text: 'My order is late' })], next_cursor: null }),
      'POST /api/v1/tenants/t2/conversations/c2/read': () => json(200, { ...c2, unread: 0 }),
      'POST /api/v1/tenants/t2/conversations/c2/typing': () => json(204, null),
      'POST /api/v1/tenants/t2/conversations/c2/messages': () => new Promise<Response>((r) => (release = r)),
      'POST /api/v1/tenants/t2/conversations/c2/assign': () => json(200, { ...c2, status: 'open', assignee_id: 'u1' }),
      // The customer's conversations, in the customer panel.
      'GET /api/v1/tenants/t2/conversations': () => json(200, { items: [c2], next_cursor: null }),
    });
    renderInbox('/t/t1/inbox/t2/c2');
    expect(await screen.findByTestId('conversation-title')).toHaveTextContent('ann@example.com');
    expect(screen.getAllByTestId('message')[0]).toHaveTextContent('My order is late');
    // Opening it reads it.
    await waitFor(() => expect(api.calls.some((c) => c.path === '/api/v1/tenants/t2/conversations/c2/read')).toBe(true));

    // Enter sends; the reply shows at once, under its client_id.
    const user = userEvent.setup();
    await user.type(screen.getByTestId('reply-input'), 'On its way{Enter}');
    const mine = await waitFor(() => {
      const m = screen.getAllByTestId('message').find((e) => e.getAttribute('data-direction') === 'out');
      expect(m).toBeTruthy();
      return m!;
    });
    expect(mine).toHaveTextContent('On its way');
    expect(mine).toHaveAttribute('data-status', 'sending');
    expect(screen.getByTestId('reply-input')).toHaveValue('');
    const post = api.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/tenants/t2/conversations/c2/messages')!;
    const clientId = (post.body as { client_id: string }).client_id;
    expect(post.body).toEqual({ text: 'On its way', client_id: clientId });
    expect(mine).toHaveAttribute('data-client-id', clientId);

    // The server queues it: the same bubble, now the server's.
    await act(async () => release(json(202, msg({ id: 'm2', direction: 'out', sender_type: 'agent', sender_id: 'u1', text: 'On its way', status: 'queued', client_id: clientId, created_at: '2026-05-01T11:01:00Z' }))));
    await waitFor(() => expect(screen.getAllByTestId('message').filter((e) => e.getAttribute('data-direction') === 'out')).toHaveLength(1));
    const queued = screen.getAllByTestId('message').find((e) => e.getAttribute('data-direction') === 'out')!;
    expect(queued).toHaveAttribute('data-id', 'm2');
    expect(within(queued).getByTestId('message-status')).toHaveTextContent(zh.conversation.delivery.queued);

    // The channel could not deliver it: marked failed, with a notice.
    const ws = await socket();
    ws.frame({
      type: 'message.updated',
      tenant_id: 't2',
      conversation_id: 'c2',
      message: msg({ id: 'm2', direction: 'out', sender_type: 'agent', sender_id: 'u1', text: 'On its way', status: 'failed', error: 'provider rejected the recipient', client_id: clientId, created_at: '2026-05-01T11:01:00Z' }),
    });
    const failed = screen.getAllByTestId('message').find((e) => e.getAttribute('data-id') === 'm2')!;
    expect(failed).toHaveAttribute('data-status', 'failed');
    expect(within(failed).getByTestId('message-failed')).toHaveTextContent('provider rejected the recipient');
    expect(await screen.findByText(zh.conversation.failedNotice.replace('{{error}}', 'provider rejected the recipient'))).toBeInTheDocument();

    // The customer types.
    expect(screen.getByTestId('typing-indicator')).not.toBeVisible();
    ws.frame({ type: 'typing', tenant_id: 't2', conversation_id: 'c2', from: 'contact' });
    expect(screen.getByTestId('typing-indicator')).toBeVisible();
    expect(screen.getByTestId('typing-indicator')).toHaveTextContent('ann@example.com');

    // Assign to me.
    expect(screen.getByTestId('conversation-assignee')).toHaveTextContent(zh.conversation.unassigned);
    await user.click(screen.getByTestId('conversation-assign-me'));
    await waitFor(() => expect(screen.getByTestId('conversation-assignee')).toHaveTextContent(zh.conversation.assignedToMe));
    expect(api.calls.find((c) => c.path.endsWith('/assign'))!.body).toEqual({ assignee_id: 'me' });
    expect(screen.getByTestId('conversation-status')).toHaveAttribute('data-status', 'open');
    expect(screen.queryByTestId('conversation-assign-me')).toBeNull();

    // The customer panel (a drawer on narrow screens).
    await user.click(screen.getByTestId('conversation-contact-open'));
    const panel = await screen.findByTestId('contact-panel');
    expect(within(panel).getByTestId('contact-email')).toHaveTextContent('ann@example.com');
    expect(within(panel).getByTestId('contact-phone')).toHaveTextContent('+86 138 0000 0000');
    expect(within(panel).getByTestId('contact-identity')).toHaveTextContent('v:v_abc');
    expect(within(panel).getByText('pro')).toBeInTheDocument();
    expect(await within(panel).findByTestId('contact-conversation-c2')).toHaveTextContent(zh.contact.thisConversation);
  });

  it('shows the bot’s hand-off note apart, labels the bot’s replies, and opens the bot’s turns', async () => {
    const api = mockApi({
      ...sessionRoutes(ME2),
      'GET /api/v1/conversations': () => json(200, { items: [c1], next_cursor: null }),
      'GET /api/v1/tenants/t1/conversations/c1': () => json(200, { ...c1, unread: 0 }),
      'GET /api/v1/tenants/t1/conversations/c1/messages': () =>
        json(200, {
          items: [
            msg({ id: 'm1', conversation_id: 'c1', text: 'how do returns work', created_at: '2026-05-01T10:00:00Z' }),
            msg({ id: 'm2', conversation_id: 'c1', direction: 'out', sender_type: 'bot', text: 'Within 30 days.', status: 'sent', created_at: '2026-05-01T10:00:01Z' }),
            msg({ id: 'm3', conversation_id: 'c1', text: 'agent please', created_at: '2026-05-01T10:01:00Z' }),
            msg({
              id: 'm4',
              conversation_id: 'c1',
              direction: 'out',
              sender_type: 'system',
              type: 'system',
              text: "Bot hand-off: the customer asked for a person. Bot's guesses:\n1. How do I return an item? (41%)\n2. Refund times (12%)",
              status: 'sent',
              created_at: '2026-05-01T10:01:01Z',
            }),
          ],
          next_cursor: null,
        }),
      'GET /api/v1/tenants/t1/conversations/c1/bot-turns': () =>
        json(200, {
          items: [
            { id: 'bt1', conversation_id: 'c1', message_id: 'm1', reply_id: 'm2', question: 'how do returns work', decision: 'answer', reason: '', confidence: 0.8, entry_id: 'faq:f1', matches: [{ entry_id: 'faq:f1', kind: 'faq', question: 'How do I return an item?', score: 0.8 }], feedback: 1, reviewed_at: null, created_at: '2026-05-01T10:00:01Z' },
            { id: 'bt2', conversation_id: 'c1', message_id: 'm3', reply_id: null, question: 'agent please', decision: 'handoff', reason: 'asked_for_human', confidence: 1, entry_id: '', matches: [], feedback: 0, reviewed_at: null, created_at: '2026-05-01T10:01:01Z' },
          ],
        }),
    });
    renderInbox('/t/t1/inbox/t1/c1');
    await screen.findByTestId('conversation-title');
    const [, bot, , note] = screen.getAllByTestId('message');
    expect(bot).toHaveAttribute('data-sender', 'bot');
    expect(within(bot!).getByText(zh.conversation.bot)).toBeInTheDocument();
    expect(note).toHaveAttribute('data-direction', 'system');
    expect(note).toHaveAttribute('data-kind', 'handoff');
    expect(note).toHaveTextContent(zh.conversation.handoffNote);
    expect(within(note!).getByTestId('message-note-text')).toHaveTextContent(zh.bot.reasons.asked_for_human);
    const guesses = within(note!).getByTestId('message-handoff-guesses');
    expect(within(guesses).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['How do I return an item? 41%', 'Refund times 12%']);

    // The bot's turns load when the panel opens.
    expect(api.calls.some((c) => c.path.endsWith('/bot-turns'))).toBe(false);
    const user = userEvent.setup();
    await user.click(screen.getByTestId('bot-turns-toggle'));
    const turns = await screen.findAllByTestId('bot-turn');
    expect(turns.map((e) => e.getAttribute('data-decision'))).toEqual(['answer', 'handoff']);
    expect(turns[0]).toHaveTextContent('How do I return an item?');
    expect(turns[1]).toHaveTextContent(zh.bot.reasons.asked_for_human);
  });
});
