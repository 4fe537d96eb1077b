import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Queue from './Queue';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import { __resetRealtimeForTests } from '../../lib/realtime';
import type { AgentView, LiveAgent, QueueOverview, Team } from '../../api/routing';
import type { PermissionName, Tenant } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, mockApi, renderApp, sessionRoutes } from '../../test/utils';

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

const tenant: Tenant = { id: 't1', name: 'Acme', slug: 'acme', status: 'active', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false, created_at: '2026-01-01T00:00:00Z' };

const SALES: Team = {
  id: 'team-sales',
  name: 'Sales',
  strategy: 'least_busy',
  settings: { overflow_after_minutes: 0, overflow_team_id: null },
  members: [{ user_id: 'u2', skills: [] }],
  created_at: '2026-05-01T10:00:00Z',
  updated_at: '2026-05-01T10:00:00Z',
};

function agent(p: Partial<LiveAgent> & { user_id: string; name: string; email: string }): LiveAgent {
  return { presence: 'online', presence_auto: false, capacity: 5, channel_capacity: {}, load: 0, last_assigned_at: null, updated_at: '2026-05-01T10:00:00Z', role: 'agent', team_ids: [], open: 0, current: [], ...p };
}

/** What PATCH …/agents/:id answers: the agent without the live view's current list. */
function view({ current: _, ...a }: LiveAgent): AgentView {
  return a;
}

const OVERVIEW: QueueOverview = {
  queues: [
    { team_id: null, waiting: 1, oldest_queued_at: '2026-05-01T09:59:15Z', longest_wait_seconds: 45 },
    { team_id: 'team-sales', waiting: 2, oldest_queued_at: '2026-05-01T09:55:00Z', longest_wait_seconds: 300 },
  ],
  items: [
    { conversation_id: 'c-a', team_id: 'team-sales', priority: 5, queued_at: '2026-05-01T09:55:00Z', position: 1 },
    { conversation_id: 'c-b', team_id: 'team-sales', priority: 0, queued_at: '2026-05-01T09:58:30Z', position: 2 },
    { conversation_id: 'c-c', team_id: null, priority: 0, queued_at: '2026-05-01T09:59:15Z', position: 1 },
  ],
  agents: [
    agent({ user_id: 'u1', name: 'Ada', email: 'ada@example.com', role: 'owner', presence: 'away', presence_auto: true, load: 1, capacity: 3, open: 1 }),
    agent({ user_id: 'u2', name: 'Bo', email: 'bo@example.com', presence: 'busy', load: 5, capacity: 5, open: 2, team_ids: ['team-sales'] }),
  ],
  at: '2026-05-01T10:00:00Z',
  left_messages: 2,
};

function renderQueue(perms: PermissionName[] = ['conversations:read', 'routing:manage']) {
  renderApp(
    <RequireAuth>
      <TenantContext.Provider value={{ tenantId: 't1', access: { tenant, role: 'owner', permissions: perms }, loading: false, error: null, reload: async () => {} }}>
        <Queue />
      </TenantContext.Provider>
    </RequireAuth>,
    { route: '/t/t1/queue', path: '/t/:tenantId/queue' },
  );
  return userEvent.setup();
}

beforeEach(() => {
  FakeWS.all = [];
  vi.stubGlobal('WebSocket', FakeWS);
});

afterEach(() => {
  delete (document as { visibilityState?: string }).visibilityState;
  __resetRealtimeForTests();
  vi.unstubAllGlobals();
});

describe('queue', { timeout: 60_000 }, () => {
  it('shows each queue, the waiting conversations and the agents', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/queue': () => json(200, OVERVIEW),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES] }),
    });
    renderQueue(['conversations:read']);

    const general = await screen.findByTestId('queue-card-general');
    expect(general).toHaveTextContent(zh.queue.general);
    expect(within(general).getByTestId('queue-waiting')).toHaveTextContent('1');
    expect(within(general).getByTestId('queue-longest')).toHaveTextContent('45 秒');
    const sales = screen.getByTestId('queue-card-team-sales');
    await waitFor(() => expect(sales).toHaveTextContent('Sales'));
    expect(within(sales).getByTestId('queue-waiting')).toHaveTextContent('2');
    expect(within(sales).getByTestId('queue-longest')).toHaveTextContent('5 分 0 秒');

    // Left messages wait in the inbox, outside the queues.
    expect(within(screen.getByTestId('queue-left-messages')).getByTestId('queue-left-messages-count')).toHaveTextContent('2');
    expect(screen.getByTestId('queue-left-messages-open')).toHaveAttribute('href', '/t/t1/inbox');

    const a = screen.getByTestId('queue-item-c-a');
    expect(a).toHaveTextContent('Sales');
    expect(within(a).getByTestId('queue-item-position')).toHaveTextContent('1');
    expect(within(a).getByTestId('queue-item-waited')).toHaveTextContent('5 分 0 秒');
    expect(within(a).getByTestId('queue-open-c-a')).toHaveAttribute('href', '/t/t1/inbox/t1/c-a');
    expect(within(screen.getByTestId('queue-item-c-c')).getByTestId('queue-item-waited')).toHaveTextContent('45 秒');
    expect(screen.getByTestId('queue-item-c-c')).toHaveTextContent(zh.queue.general);

    const bo = screen.getByTestId('agent-row-u2');
    expect(within(bo).getByTestId('agent-presence-u2')).toHaveAttribute('data-presence', 'busy');
    expect(within(bo).getByTestId('agent-presence-u2')).toHaveTextContent(zh.presence.states.busy);
    expect(within(bo).getByTestId('agent-load-u2')).toHaveTextContent('5/5');
    expect(within(bo).getByTestId('agent-open-u2')).toHaveTextContent('2');
    expect(bo).toHaveTextContent('Sales');
    const ada = screen.getByTestId('agent-row-u1');
    expect(within(ada).getByTestId('agent-presence-u1')).toHaveAttribute('data-auto', 'true');
    expect(within(ada).getByTestId('agent-load-u1')).toHaveTextContent('1/3');
    // Without routing:manage, no editing.
    expect(screen.queryByTestId('agent-edit-u2')).toBeNull();
  });

  it('refreshes when a conversation of the tenant changes, and lets an admin sign an agent off', async () => {
    let overview = OVERVIEW;
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/queue': () => json(200, overview),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES] }),
      'PATCH /api/v1/tenants/t1/agents/u2': (c) => json(200, { ...view(OVERVIEW.agents[1]!), ...(c.body as object) }),
    });
    // A hidden page does not poll: every fetch below comes from an event or a save.
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    const user = renderQueue();
    await screen.findByTestId('queue-item-c-a');
    const gets = () => api.calls.filter((c) => c.path === '/api/v1/tenants/t1/queue').length;

    // A realtime event of this tenant: fetched again at once (not after 5 s).
    await waitFor(() => expect(FakeWS.all.length).toBeGreaterThan(0));
    const ws = FakeWS.all[FakeWS.all.length - 1]!;
    ws.open();
    ws.frame({ type: 'ready', tenant_ids: ['t1'] });
    const before = gets();
    overview = { ...OVERVIEW, queues: OVERVIEW.queues.slice(0, 1), items: OVERVIEW.items.slice(2) };
    ws.frame({ type: 'conversation.updated', tenant_id: 't1', conversation_id: 'c-a', conversation: { id: 'c-a', tenant_id: 't1', status: 'open', assignee_id: 'u2' } });
    await waitFor(() => expect(screen.queryByTestId('queue-item-c-a')).toBeNull());
    expect(gets()).toBe(before + 1);
    expect(screen.queryByTestId('queue-card-team-sales')).toBeNull();
    // Another tenant's event changes nothing here.
    ws.frame({ type: 'conversation.updated', tenant_id: 't2', conversation_id: 'x', conversation: { id: 'x', tenant_id: 't2', status: 'open' } });
    await new Promise((r) => setTimeout(r, 400));
    expect(gets()).toBe(before + 1);

    // Sign Bo off and lower his capacity.
    await user.click(screen.getByTestId('agent-edit-u2'));
    const form = await screen.findByTestId('agent-form');
    fireEvent.mouseDown(within(form).getByTestId('agent-presence').querySelector('.ant-select-selector')!);
    fireEvent.click((await screen.findAllByTestId('agent-presence-option-offline')).at(-1)!);
    await fill(user, within(form).getByTestId('agent-capacity'), '3');
    await user.click(within(form).getByTestId('agent-save'));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect(api.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ presence: 'offline', capacity: 3 });
    await waitFor(() => expect(gets()).toBe(before + 2));
  });

  it('applies agent.updated frames of this tenant to the agents at once', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/queue': () => json(200, OVERVIEW),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES] }),
    });
    // A hidden page does not poll: only the frames change what is shown.
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    renderQueue(['conversations:read']);
    await screen.findByTestId('agent-row-u2');
    await waitFor(() => expect(FakeWS.all.length).toBeGreaterThan(0));
    const ws = FakeWS.all[FakeWS.all.length - 1]!;
    ws.open();
    ws.frame({ type: 'ready', tenant_ids: ['t1', 't2'] });
    const gets = () => api.calls.filter((c) => c.path === '/api/v1/tenants/t1/queue').length;
    const before = gets();

    const bo = OVERVIEW.agents[1]!;
    // Another tenant's frame about the same person is that tenant's business.
    ws.frame({ type: 'agent.updated', tenant_id: 't2', user_id: 'u2', data: { ...bo, presence: 'offline' } });
    expect(screen.getByTestId('agent-presence-u2')).toHaveAttribute('data-presence', 'busy');

    ws.frame({
      type: 'agent.updated',
      tenant_id: 't1',
      conversation_id: '00000000-0000-0000-0000-000000000000',
      user_id: 'u2',
      data: { user_id: 'u2', presence: 'online', presence_auto: false, capacity: 8, channel_capacity: { email: 2 }, load: 5, last_assigned_at: null, updated_at: '2026-05-01T10:00:05Z' },
    });
    await waitFor(() => expect(screen.getByTestId('agent-presence-u2')).toHaveAttribute('data-presence', 'online'));
    expect(screen.getByTestId('agent-load-u2')).toHaveTextContent('5/8');
    expect(screen.getByTestId('agent-caps-u2')).toHaveTextContent('email ≤ 2');
    // The rest of the row is kept (name, teams, this tenant's count).
    expect(screen.getByTestId('agent-row-u2')).toHaveTextContent('Bo');
    expect(screen.getByTestId('agent-open-u2')).toHaveTextContent('2');
    expect(screen.getByTestId('agent-presence-u1')).toHaveAttribute('data-presence', 'away');
    // No refetch was needed.
    await new Promise((r) => setTimeout(r, 400));
    expect(gets()).toBe(before);
  });

  it('lists the conversations each agent holds, linking into the inbox', async () => {
    const held = (n: number) => ({ conversation_id: `c-${n}`, contact_name: n === 2 ? '' : `Customer ${n}`, channel: n % 2 ? 'web' : 'email', assigned_at: `2026-05-01T09:0${n}:00Z` });
    const agents: LiveAgent[] = [
      { ...OVERVIEW.agents[0]!, current: [] },
      { ...OVERVIEW.agents[1]!, open: 6, current: [1, 2, 3, 4, 5].map(held) },
    ];
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/queue': () => json(200, { ...OVERVIEW, agents }),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES] }),
    });
    const user = renderQueue(['conversations:read']);
    const bo = await screen.findByTestId('agent-row-u2');
    const first = within(bo).getByTestId('queue-agent-conversation-c-1');
    expect(first).toHaveAttribute('href', '/t/t1/inbox/t1/c-1');
    expect(first).toHaveTextContent('Customer 1');
    expect(first).toHaveTextContent(zh.channels.connectors.web);
    // No name: "Customer".
    expect(within(bo).getByTestId('queue-agent-conversation-c-2')).toHaveTextContent(zh.queue.customer);
    // Three at first, then all of them (and how many more than the list holds).
    expect(within(bo).queryByTestId('queue-agent-conversation-c-4')).toBeNull();
    await user.click(within(bo).getByTestId('agent-current-toggle-u2'));
    expect(within(bo).getByTestId('queue-agent-conversation-c-5')).toHaveAttribute('href', '/t/t1/inbox/t1/c-5');
    expect(within(bo).getByTestId('agent-current-u2')).toHaveTextContent(zh.queue.currentMore.replace('{{count}}', '1'));
    expect(within(screen.getByTestId('agent-row-u1')).getByTestId('agent-current-u1')).toHaveTextContent(zh.queue.currentNone);
  });

  it('lets an admin set an agent’s caps per channel type', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/queue': () => json(200, { ...OVERVIEW, agents: [OVERVIEW.agents[0]!, { ...OVERVIEW.agents[1]!, channel_capacity: { web: 3 } }] }),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES] }),
      'GET /api/v1/tenants/t1/channels': () =>
        json(200, { items: [{ id: 'ch1', tenant_id: 't1', connector: 'line', name: 'LINE', config: {}, enabled: true, created_at: '', updated_at: '', webhook_url: '', widget_snippet: null }] }),
      'PATCH /api/v1/tenants/t1/agents/u2': [
        () => json(400, { type: 'about:blank', title: 'Error', status: 400, code: 'request.invalid', field: 'channel_capacity', detail: 'each cap must be between 0 and 100.', request_id: 'r' }),
        (c) => json(200, { ...view(OVERVIEW.agents[1]!), ...(c.body as object) }),
      ],
    });
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    const user = renderQueue(['conversations:read', 'routing:manage', 'channels:read']);
    expect(await screen.findByTestId('agent-caps-u2')).toHaveTextContent('web ≤ 3');
    await user.click(screen.getByTestId('agent-edit-u2'));
    const form = await screen.findByTestId('agent-form');
    expect(within(form).getByTestId('agent-form-caps-name-0')).toHaveValue('web');
    // The tenant's own channel types are offered first.
    await user.click(within(form).getByTestId('agent-form-caps-add'));
    await waitFor(() => expect(api.calls.some((c) => c.path === '/api/v1/tenants/t1/channels')).toBe(true));
    await fill(user, await within(form).findByTestId('agent-form-caps-name-1'), 'line');
    await fill(user, within(form).getByTestId('agent-form-caps-value-1'), '2');
    await user.click(within(form).getByTestId('agent-form-caps-remove-0'));
    await user.click(within(form).getByTestId('agent-save'));
    await findFieldError('agent-form-caps', zhErrors['request.invalid@channel_capacity']!);
    await user.click(within(form).getByTestId('agent-save'));
    await waitFor(() => expect(screen.queryByTestId('agent-form')).toBeNull());
    // Presence and capacity unchanged: only the caps.
    expect(api.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ channel_capacity: { line: 2 } }, { channel_capacity: { line: 2 } }]);
  });
});
