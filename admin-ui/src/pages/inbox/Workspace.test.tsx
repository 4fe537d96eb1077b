// The agent workspace in a conversation: notes with @mentions, transfer, wrap-up,
// canned responses, merge, and colleagues typing — fetch mocked like the API and a fake
// WebSocket playing /api/v1/realtime.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ConversationPane } from './ConversationPane';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import type { ConversationItem, Message } from '../../api/chat';
import type { AgentView, Team } from '../../api/routing';
import type { CannedResponse } from '../../api/workspace';
import type { PermissionName, Tenant } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { FakeWebSocket, fill, findFieldError, json, mockApi, openSocket, problem, renderApp, sessionRoutes } from '../../test/utils';

const acme: Tenant = { id: 't1', name: 'Acme', slug: 'acme', status: 'active', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false, created_at: '2026-01-01T00:00:00Z' };

function conv(p: Partial<ConversationItem> = {}): ConversationItem {
  return {
    id: 'c1',
    tenant_id: 't1',
    tenant_name: 'Acme',
    channel_id: 'ch1',
    channel_name: 'Website',
    connector: 'web',
    status: 'open',
    assignee_id: 'u1',
    contact: { id: 'ct1', name: 'Lei', email: 'lei@example.com', avatar_url: '' },
    last_message_at: '2026-05-01T10:00:00Z',
    last_message_preview: 'Where is my order?',
    unread: 0,
    created_at: '2026-05-01T09:00:00Z',
    updated_at: '2026-05-01T10:00:00Z',
    resolved_at: null,
    wrapup_category: '',
    wrapup_summary: '',
    ...p,
  };
}

function msg(p: Partial<Message> & { id: string }): Message {
  return {
    conversation_id: 'c1',
    direction: 'in',
    sender_type: 'contact',
    sender_id: null,
    type: 'text',
    text: '',
    attachments: [],
    status: 'received',
    created_at: '2026-05-01T10:00:00Z',
    ...p,
  };
}

function agent(p: Partial<AgentView> & { user_id: string; name: string; email: string }): AgentView {
  return { presence: 'online', presence_auto: false, capacity: 5, channel_capacity: {}, load: 1, last_assigned_at: null, updated_at: '2026-05-01T10:00:00Z', role: 'agent', team_ids: [], open: 1, ...p };
}

const AGENTS = [
  agent({ user_id: 'u1', name: 'Ada', email: 'ada@example.com', role: 'owner' }),
  agent({ user_id: 'u2', name: 'Bo', email: 'bo@example.com', load: 5, capacity: 5 }),
  agent({ user_id: 'u3', name: 'Cy', email: 'cy@example.com', presence: 'away' }),
];

const SALES: Team = {
  id: 'team-sales',
  name: 'Sales',
  strategy: 'least_busy',
  settings: { overflow_after_minutes: 0, overflow_team_id: null },
  members: [],
  created_at: '2026-05-01T10:00:00Z',
  updated_at: '2026-05-01T10:00:00Z',
};

const PERMS: PermissionName[] = ['conversations:read', 'conversations:reply', 'conversations:assign', 'conversations:manage', 'contacts:manage'];

/** The routes every open conversation calls. */
function base(extra: Record<string, Parameters<typeof mockApi>[0][string]> = {}) {
  return {
    ...sessionRoutes(),
    'GET /api/v1/tenants/t1/conversations/c1': () => json(200, conv()),
    'GET /api/v1/tenants/t1/conversations/c1/messages': () => json(200, { items: [msg({ id: 'm1', text: 'Where is my order?' })], next_cursor: null }),
    'GET /api/v1/tenants/t1/conversations': () => json(200, { items: [conv()], next_cursor: null }),
    'POST /api/v1/tenants/t1/conversations/c1/typing': () => json(204, null),
    ...extra,
  };
}

function renderPane(perms: PermissionName[] = PERMS, onItem: (c: ConversationItem) => void = () => {}) {
  renderApp(
    <RequireAuth>
      <TenantContext.Provider value={{ tenantId: 't1', access: { tenant: acme, role: 'agent', permissions: perms }, loading: false, error: null, reload: async () => {} }}>
        <ConversationPane tenantId="t1" conversationId="c1" onItem={onItem} />
      </TenantContext.Provider>
    </RequireAuth>,
  );
  return userEvent.setup();
}

/** Opens an antd Select (by its test id) and clicks the option with this test id. */
async function pick(selectId: string, optionId: string) {
  fireEvent.mouseDown(screen.getAllByTestId(selectId).at(-1)!.querySelector('.ant-select-selector')!);
  const options = await screen.findAllByTestId(optionId);
  fireEvent.click(options.at(-1)!);
}

beforeEach(() => {
  FakeWebSocket.all = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('workspace: notes', { timeout: 60_000 }, () => {
  it('sends a note with the members picked after @ as mentions, and shows it as an internal note', async () => {
    const api = mockApi(
      base({
        'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
        'POST /api/v1/tenants/t1/conversations/c1/notes': (c) => {
          const b = c.body as { text: string; mentions: string[]; client_id: string };
          return json(201, msg({ id: 'n1', direction: 'out', sender_type: 'agent', sender_id: 'u1', type: 'note', text: b.text, mentions: b.mentions, status: 'sent', client_id: b.client_id, created_at: '2026-05-01T10:05:00Z' }));
        },
      }),
    );
    const user = renderPane();
    await screen.findByTestId('conversation-title');
    await user.click(screen.getByTestId('reply-mode-note'));
    const input = screen.getByTestId('reply-input');
    expect(input).toHaveAttribute('data-mode', 'note');

    // "@" opens the member picker; typing filters it (never myself).
    await user.type(input, 'Please check @b');
    const picker = await screen.findByTestId('mention-picker');
    await waitFor(() => expect(within(picker).getByTestId('mention-option-bo@example.com')).toBeInTheDocument());
    expect(within(picker).queryByTestId('mention-option-ada@example.com')).toBeNull();
    expect(within(picker).queryByTestId('mention-option-cy@example.com')).toBeNull();
    await user.click(within(picker).getByTestId('mention-option-bo@example.com'));
    expect(screen.queryByTestId('mention-picker')).toBeNull();
    expect(input).toHaveValue('Please check @Bo ');

    // Keyboard too: ↓ and Enter pick.
    await user.type(input, 'and @');
    await screen.findByTestId('mention-option-cy@example.com');
    await user.keyboard('{ArrowDown}{Enter}');
    expect(input).toHaveValue('Please check @Bo and @Cy ');
    // A typing note is not announced to the customer.
    expect(api.calls.some((c) => c.path.endsWith('/typing'))).toBe(false);

    await user.keyboard('{Enter}');
    const post = await waitFor(() => {
      const p = api.calls.find((c) => c.method === 'POST' && c.path.endsWith('/notes'));
      expect(p).toBeTruthy();
      return p!;
    });
    expect(post.body).toEqual({ text: 'Please check @Bo and @Cy', mentions: ['u2', 'u3'], client_id: expect.any(String) });
    expect(api.calls.some((c) => c.method === 'POST' && c.path.endsWith('/c1/messages'))).toBe(false);

    const note = await waitFor(() => {
      const n = screen.getAllByTestId('message').find((e) => e.getAttribute('data-id') === 'n1');
      expect(n).toBeTruthy();
      return n!;
    });
    expect(note).toHaveAttribute('data-type', 'note');
    expect(within(note).getByTestId('message-note-badge')).toHaveTextContent(zh.conversation.internalNote);
    expect(within(note).getAllByTestId('message-mention').map((e) => e.textContent)).toEqual(['@Bo', '@Cy']);
    expect(input).toHaveValue('');
  });
});

describe('workspace: supervising a colleague’s conversation', { timeout: 60_000 }, () => {
  it('whispers to the assigned agent in a note that mentions them, and offers to take over', async () => {
    const api = mockApi(
      base({
        'GET /api/v1/tenants/t1/conversations/c1': () => json(200, conv({ assignee_id: 'u2' })),
        'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
        'POST /api/v1/tenants/t1/conversations/c1/notes': (c) => {
          const b = c.body as { text: string; mentions: string[]; client_id: string };
          return json(201, msg({ id: 'n1', direction: 'out', sender_type: 'agent', sender_id: 'u1', type: 'note', text: b.text, mentions: b.mentions, status: 'sent', client_id: b.client_id, created_at: '2026-05-01T10:05:00Z' }));
        },
      }),
    );
    const user = renderPane();
    await screen.findByTestId('conversation-title');
    // Someone else has it: "Assign to me" reads "Take over".
    expect(screen.getByTestId('conversation-assign-me')).toHaveTextContent(zh.conversation.takeOver);
    const input = screen.getByTestId('reply-input');
    expect(input).toHaveAttribute('data-mode', 'reply');

    await user.click(screen.getByTestId('conversation-whisper'));
    await waitFor(() => expect(screen.getByTestId('reply-input')).toHaveValue('@Bo '));
    expect(screen.getByTestId('reply-input')).toHaveAttribute('data-mode', 'note');
    await user.type(screen.getByTestId('reply-input'), 'offer the refund{Enter}');
    const post = await waitFor(() => {
      const p = api.calls.find((c) => c.method === 'POST' && c.path.endsWith('/notes'));
      expect(p).toBeTruthy();
      return p!;
    });
    // A note: agents only, Bo is notified; nothing goes to the customer.
    expect(post.body).toEqual({ text: '@Bo offer the refund', mentions: ['u2'], client_id: expect.any(String) });
    expect(api.calls.some((c) => c.method === 'POST' && c.path.endsWith('/c1/messages'))).toBe(false);
  });

  it('has no whisper without conversations:assign, nor on my own or an unassigned conversation', async () => {
    mockApi(base({ 'GET /api/v1/tenants/t1/conversations/c1': () => json(200, conv({ assignee_id: 'u2' })) }));
    renderPane(['conversations:read', 'conversations:reply']);
    await screen.findByTestId('conversation-title');
    expect(screen.queryByTestId('conversation-whisper')).toBeNull();
    expect(screen.queryByTestId('conversation-assign-me')).toBeNull();
  });

  it('labels an unassigned conversation “Assign to me”, without whisper', async () => {
    mockApi(base({ 'GET /api/v1/tenants/t1/conversations/c1': () => json(200, conv({ assignee_id: null })) }));
    renderPane();
    await screen.findByTestId('conversation-title');
    expect(screen.getByTestId('conversation-assign-me')).toHaveTextContent(zh.conversation.assignMe);
    expect(screen.queryByTestId('conversation-whisper')).toBeNull();
  });
});

describe('workspace: transfer', { timeout: 60_000 }, () => {
  it('shows agent.at-capacity under the agent, then transfers to a team with a note', async () => {
    const onItem = vi.fn();
    const api = mockApi(
      base({
        'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
        'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES] }),
        'POST /api/v1/tenants/t1/conversations/c1/transfer': [
          () => problem(409, 'agent.at-capacity'),
          (c) => json(200, conv({ status: 'queued', assignee_id: null, team_id: (c.body as { team_id: string }).team_id })),
        ],
      }),
    );
    const user = renderPane(PERMS, onItem);
    await user.click(await screen.findByTestId('conversation-transfer'));
    const form = await screen.findByTestId('transfer-form');

    // The agents show their presence and load.
    await pick('transfer-agent', 'transfer-agent-option-bo@example.com');
    const bo = screen.getAllByTestId('transfer-agent-option-bo@example.com').at(-1)!;
    expect(bo).toHaveTextContent('5/5');
    expect(bo).toHaveTextContent(zh.presence.states.online);
    await user.click(within(form).getByTestId('transfer-submit'));
    await findFieldError('transfer-agent', zh.transfer.atCapacity);
    expect(api.calls.find((c) => c.path.endsWith('/transfer'))!.body).toEqual({ assignee_id: 'u2' });

    // To a team, with a note.
    await user.click(within(form).getByTestId('transfer-to-team'));
    await pick('transfer-team', 'transfer-team-option-Sales');
    await fill(user, within(form).getByTestId('transfer-note'), 'Wants a refund');
    await user.click(within(form).getByTestId('transfer-submit'));
    await waitFor(() => expect(api.calls.filter((c) => c.path.endsWith('/transfer'))).toHaveLength(2));
    expect(api.calls.filter((c) => c.path.endsWith('/transfer'))[1]!.body).toEqual({ team_id: 'team-sales', note: 'Wants a refund' });
    await waitFor(() => expect(screen.getByTestId('conversation-status')).toHaveAttribute('data-status', 'queued'));
    expect(screen.getByTestId('conversation-assignee')).toHaveTextContent(zh.conversation.unassigned);
    expect(onItem).toHaveBeenCalledWith(expect.objectContaining({ id: 'c1', status: 'queued' }));
    await waitFor(() => expect(screen.queryByTestId('transfer-form')).toBeNull());
  });
});

describe('workspace: wrap-up', { timeout: 60_000 }, () => {
  it('asks for a category when the wrap-up is required, and resolves with category and summary', async () => {
    const api = mockApi(
      base({
        'GET /api/v1/tenants/t1/wrap-up': () => json(200, { mode: 'required', categories: ['Refund', 'Question'] }),
        'POST /api/v1/tenants/t1/conversations/c1/resolve': [
          () => problem(400, 'request.invalid', { field: 'category' }),
          (c) => {
            const b = c.body as { category: string; summary: string };
            return json(200, conv({ status: 'resolved', resolved_at: '2026-05-01T11:00:00Z', wrapup_category: b.category, wrapup_summary: b.summary }));
          },
        ],
      }),
    );
    const user = renderPane();
    await user.click(await screen.findByTestId('conversation-resolve'));
    const form = await screen.findByTestId('wrapup-form');

    // Required: no category, no request.
    await user.click(within(form).getByTestId('wrapup-submit'));
    await findFieldError('wrapup-category', zh.wrapup.categoryRequired);
    expect(api.calls.some((c) => c.path.endsWith('/resolve'))).toBe(false);

    await pick('wrapup-category', 'wrapup-category-option-Refund');
    await fill(user, within(form).getByTestId('wrapup-summary'), 'Refunded the shipping fee');
    // A category the server no longer knows: under the field.
    await user.click(within(form).getByTestId('wrapup-submit'));
    await findFieldError('wrapup-category', zh.wrapup.categoryUnknown);
    await user.click(within(form).getByTestId('wrapup-submit'));

    await waitFor(() => expect(screen.getByTestId('conversation-status')).toHaveAttribute('data-status', 'resolved'));
    const posts = api.calls.filter((c) => c.path.endsWith('/resolve'));
    expect(posts[1]!.body).toEqual({ category: 'Refund', summary: 'Refunded the shipping fee' });
    expect(screen.getByTestId('conversation-wrapup')).toHaveAttribute('data-category', 'Refund');
    expect(screen.getByTestId('conversation-reopen')).toBeInTheDocument();
  });

  it('resolves at once when the wrap-up is off', async () => {
    const api = mockApi(
      base({
        'GET /api/v1/tenants/t1/wrap-up': () => json(200, { mode: 'off', categories: [] }),
        'POST /api/v1/tenants/t1/conversations/c1/resolve': () => json(200, conv({ status: 'resolved' })),
      }),
    );
    const user = renderPane();
    await user.click(await screen.findByTestId('conversation-resolve'));
    await waitFor(() => expect(screen.getByTestId('conversation-status')).toHaveAttribute('data-status', 'resolved'));
    expect(screen.queryByTestId('wrapup-form')).toBeNull();
    expect(api.calls.find((c) => c.path.endsWith('/resolve'))!.body).toEqual({});
  });
});

describe('workspace: canned responses', { timeout: 60_000 }, () => {
  const canned = (p: Partial<CannedResponse> & { id: string; shortcut: string; title: string; text: string }): CannedResponse => ({
    scope: 'shared',
    owner_id: null,
    created_at: '2026-05-01T10:00:00Z',
    updated_at: '2026-05-01T10:00:00Z',
    ...p,
  });
  const LIST = [
    canned({ id: 'k1', shortcut: 'hello', title: 'Welcome', text: 'Hello {{customer.name}}!' }),
    canned({ id: 'k2', shortcut: 'order', title: 'Where is my order', text: 'Your order {{customer.order_number}} ships today.' }),
    canned({ id: 'k3', shortcut: 'refund', title: 'Refunds', text: 'Refunds take 5 days.', scope: 'personal', owner_id: 'u1' }),
  ];

  it('opens after "/", filters as one types, renders the picked one and inserts it', async () => {
    const api = mockApi(
      base({
        'GET /api/v1/tenants/t1/canned-responses': () => json(200, { items: LIST }),
        'POST /api/v1/tenants/t1/canned-responses/k2/render': () => json(200, { text: 'Your order A-1001 ships today.' }),
      }),
    );
    const user = renderPane();
    await screen.findByTestId('conversation-title');
    const input = screen.getByTestId('reply-input');
    await user.type(input, '/');
    const picker = await screen.findByTestId('canned-picker');
    await waitFor(() => expect(within(picker).getAllByRole('option')).toHaveLength(3));

    // By shortcut, title or text.
    await user.type(input, 'ship');
    await waitFor(() => expect(within(picker).getAllByRole('option').map((o) => o.getAttribute('data-testid'))).toEqual(['canned-option-order']));
    await user.clear(input);
    await user.type(input, '/re');
    // Shortcuts that start with it come first, then the other matches.
    await waitFor(() =>
      expect(within(screen.getByTestId('canned-picker')).getAllByRole('option').map((o) => o.getAttribute('data-testid'))).toEqual(['canned-option-refund', 'canned-option-order']),
    );
    // Escape closes it.
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('canned-picker')).toBeNull();
    await user.clear(input);

    // ↓ and Enter pick; the server fills in the variables.
    await user.type(input, '/or');
    await screen.findByTestId('canned-option-order');
    await user.keyboard('{ArrowDown}{ArrowUp}{Enter}');
    await waitFor(() => expect(input).toHaveValue('Your order A-1001 ships today.'));
    expect(api.calls.find((c) => c.path.endsWith('/render'))!.body).toEqual({ conversation_id: 'c1' });
    expect(screen.queryByTestId('canned-picker')).toBeNull();
    // The list was loaded once.
    expect(api.calls.filter((c) => c.path.includes('/canned-responses') && c.method === 'GET')).toHaveLength(1);
  });
});

describe('workspace: contact panel', { timeout: 60_000 }, () => {
  it('lists the contact’s conversations across channels and merges another active one into this', async () => {
    const onItem = vi.fn();
    const other = conv({ id: 'c9', channel_id: 'ch2', channel_name: 'Email', connector: 'email', status: 'queued', assignee_id: null, last_message_preview: 'Also, my invoice' });
    const old = conv({ id: 'c8', status: 'resolved', last_message_at: '2026-04-01T10:00:00Z' });
    const api = mockApi(
      base({
        'GET /api/v1/tenants/t1/conversations': () => json(200, { items: [conv(), other, old], next_cursor: null }),
        'POST /api/v1/tenants/t1/conversations/c1/merge': () => json(200, conv({ last_message_preview: 'Also, my invoice' })),
        'PATCH /api/v1/tenants/t1/contacts/ct1': (c) => json(200, { id: 'ct1', name: 'Lei', email: 'lei@example.com', phone: '', avatar_url: '', attributes: {}, ...(c.body as object) }),
      }),
    );
    const user = renderPane(PERMS, onItem);
    await user.click(await screen.findByTestId('conversation-contact-open'));
    const panel = await screen.findByTestId('contact-panel');
    const link = await within(panel).findByTestId('contact-conversation-c9');
    expect(api.calls.find((c) => c.path.startsWith('/api/v1/tenants/t1/conversations?'))!.path).toBe('/api/v1/tenants/t1/conversations?contact_id=ct1&status=all&limit=20');
    expect(link).toHaveTextContent('Email');
    expect(link).toHaveTextContent(zh.conversation.statuses.queued);
    expect(link).toHaveAttribute('href', '/t/t1/inbox/t1/c9');
    expect(within(panel).getByTestId('contact-conversation-c8')).toHaveTextContent(zh.conversation.statuses.resolved);
    // Only another active conversation can be merged in.
    expect(within(panel).queryByTestId('conversation-merge-c8')).toBeNull();
    expect(within(panel).queryByTestId('conversation-merge-c1')).toBeNull();

    const messagesBefore = api.calls.filter((c) => c.path.startsWith('/api/v1/tenants/t1/conversations/c1/messages')).length;
    await user.click(within(panel).getByTestId('conversation-merge-c9'));
    await user.click((await screen.findAllByTestId('confirm-ok')).at(-1)!);
    await waitFor(() => expect(api.calls.some((c) => c.path.endsWith('/merge'))).toBe(true));
    expect(api.calls.find((c) => c.path.endsWith('/merge'))!.body).toEqual({ conversation_id: 'c9' });
    // The other one is closed; the messages are fetched again (they moved here).
    await waitFor(() => expect(onItem).toHaveBeenCalledWith(expect.objectContaining({ id: 'c9', status: 'closed' })));
    await waitFor(() => expect(api.calls.filter((c) => c.path.startsWith('/api/v1/tenants/t1/conversations/c1/messages')).length).toBeGreaterThan(messagesBefore));

    // Tags are saved as they change.
    const tags = screen.getAllByTestId('contact-tags').at(-1)!;
    await user.click(tags.querySelector('input')!);
    // (Enter adds the tag in a browser; in jsdom leaving the field does.)
    await user.keyboard('vip');
    await user.tab();
    await waitFor(() => expect(api.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ tags: ['vip'] }));
  });
});

describe('workspace: colleagues typing', { timeout: 60_000 }, () => {
  it('says who else is typing, and warns while I write a reply', async () => {
    mockApi(base());
    const user = renderPane();
    await screen.findByTestId('conversation-title');
    const ws = await openSocket();

    // My own typing comes back too: not a colleague.
    ws.frame({ type: 'typing', tenant_id: 't1', conversation_id: 'c1', from: 'agent', user_id: 'u1', name: 'Ada' });
    expect(screen.getByTestId('agent-typing')).not.toBeVisible();

    // A colleague types while I have nothing written: said, no warning.
    ws.frame({ type: 'typing', tenant_id: 't1', conversation_id: 'c1', from: 'agent', user_id: 'u2', name: 'Bo' });
    expect(screen.getByTestId('agent-typing')).toBeVisible();
    expect(screen.getByTestId('agent-typing')).toHaveTextContent('Bo');
    expect(screen.queryByTestId('collision-warning')).toBeNull();

    // I start a reply: both of us are writing.
    await user.type(screen.getByTestId('reply-input'), 'Your order');
    expect(await screen.findByTestId('collision-warning')).toHaveTextContent('Bo');
    // Another conversation's typing is not ours.
    ws.frame({ type: 'typing', tenant_id: 't1', conversation_id: 'c2', from: 'agent', user_id: 'u3', name: 'Cy' });
    expect(screen.getByTestId('agent-typing')).not.toHaveTextContent('Cy');
    // In a note there is nothing to collide with.
    await user.click(screen.getByTestId('reply-mode-note'));
    expect(screen.queryByTestId('collision-warning')).toBeNull();
  });
});

describe('workspace: keyboard', { timeout: 60_000 }, () => {
  it('r focuses the reply, n switches to a note, e resolves, and fields keep their keys', async () => {
    const api = mockApi(
      base({
        'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
        'GET /api/v1/tenants/t1/wrap-up': () => json(200, { mode: 'off', categories: [] }),
        'POST /api/v1/tenants/t1/conversations/c1/resolve': () => json(200, conv({ status: 'resolved' })),
      }),
    );
    const user = renderPane();
    await screen.findByTestId('conversation-title');
    const input = screen.getByTestId('reply-input');
    await user.keyboard('r');
    expect(input).toHaveFocus();
    // Typed into the box, "e" is just a letter.
    await user.keyboard('e');
    expect(input).toHaveValue('e');
    expect(api.calls.some((c) => c.path.endsWith('/wrap-up'))).toBe(false);
    await user.clear(input);
    input.blur();
    await user.keyboard('n');
    expect(input).toHaveAttribute('data-mode', 'note');
    expect(input).toHaveFocus();
    input.blur();
    await user.keyboard('e');
    await waitFor(() => expect(screen.getByTestId('conversation-status')).toHaveAttribute('data-status', 'resolved'));
  });
});

it('has error texts for the workspace codes', () => {
  expect(zhErrors['canned.shortcut-taken']).toBeTruthy();
  expect(zhErrors['conversation.merge-other-contact']).toBeTruthy();
  expect(zhErrors['wrapup.required']).toBeTruthy();
});
