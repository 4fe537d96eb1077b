import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PresenceSwitch } from './PresenceSwitch';
import { RequireAuth } from '../auth/guards';
import type { Agent } from '../api/routing';
import zh from '../i18n/locales/zh-CN';
import zhErrors from '../i18n/locales/errors.zh-CN';
import { FakeWebSocket, fill, findFieldError, json, mockApi, openSocket, problem, renderApp, sessionRoutes } from '../test/utils';

const AGENT: Agent = {
  user_id: 'u1',
  presence: 'online',
  presence_auto: false,
  capacity: 5,
  load: 2,
  last_assigned_at: null,
  updated_at: '2026-05-01T10:00:00Z',
  channel_capacity: {},
};

function renderSwitch() {
  renderApp(
    <RequireAuth>
      <PresenceSwitch />
    </RequireAuth>,
  );
  return userEvent.setup();
}

describe('presence switch', () => {
  it('shows the presence and load, changes the presence and then refetches', async () => {
    let current: Agent = { ...AGENT };
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/me/agent': () => json(200, current),
      'PATCH /api/v1/me/agent': (c) => {
        // Coming online or going busy: the server answers before it hands anything out.
        current = { ...current, ...(c.body as Partial<Agent>), presence_auto: false };
        const answer = json(200, current);
        current = { ...current, load: 3 };
        return answer;
      },
    });
    const user = renderSwitch();
    const sw = await screen.findByTestId('presence-switch');
    expect(sw).toHaveAttribute('data-presence', 'online');
    expect(sw).toHaveTextContent(zh.presence.states.online);
    expect(screen.getByTestId('presence-capacity')).toHaveTextContent('2/5');

    await user.click(sw);
    await user.click(await screen.findByTestId('presence-option-busy'));
    await waitFor(() => expect(screen.getByTestId('presence-switch')).toHaveAttribute('data-presence', 'busy'));
    const patches = api.calls.filter((c) => c.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.path).toBe('/api/v1/me/agent');
    expect(patches[0]!.body).toEqual({ presence: 'busy' });
    expect(screen.getByTestId('presence-switch')).toHaveTextContent(zh.presence.states.busy);
    // Refreshed after the change: the load the server reports now.
    await waitFor(() => expect(screen.getByTestId('presence-capacity')).toHaveTextContent('3/5'));
    expect(api.calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/me/agent').length).toBeGreaterThanOrEqual(2);
  });

  it('sets the capacity, and shows a server error under the field', async () => {
    let current: Agent = { ...AGENT };
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/me/agent': () => json(200, current),
      'PATCH /api/v1/me/agent': [
        () => problem(400, 'request.invalid', { field: 'capacity', detail: 'capacity must be between 0 and 100.' }),
        (c) => {
          current = { ...current, ...(c.body as Partial<Agent>) };
          return json(200, current);
        },
      ],
    });
    const user = renderSwitch();
    await user.click(await screen.findByTestId('presence-switch'));
    const input = await screen.findByTestId('presence-capacity-input');
    expect(input).toHaveValue('5');
    await fill(user, input, '8');
    await user.click(screen.getByTestId('presence-capacity-save'));
    await findFieldError('presence-capacity-input', zhErrors['request.invalid@capacity']!);

    await fill(user, screen.getByTestId('presence-capacity-input'), '7');
    await user.click(screen.getByTestId('presence-capacity-save'));
    await waitFor(() => expect(screen.getByTestId('presence-capacity')).toHaveTextContent('2/7'));
    expect(api.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ capacity: 8 }, { capacity: 7 }]);
  });

  it('sets caps per channel type with the capacity, and shows a server error under them', async () => {
    let current: Agent = { ...AGENT, channel_capacity: { email: 2 } };
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/me/agent': () => json(200, current),
      'PATCH /api/v1/me/agent': [
        () => problem(400, 'request.invalid', { field: 'channel_capacity', detail: 'at most 20 channel types.' }),
        (c) => {
          current = { ...current, ...(c.body as Partial<Agent>) };
          return json(200, current);
        },
      ],
    });
    const user = renderSwitch();
    await user.click(await screen.findByTestId('presence-switch'));
    const caps = await screen.findByTestId('presence-caps');
    expect(within(caps).getByTestId('presence-caps-name-0')).toHaveValue('email');
    expect(within(caps).getByTestId('presence-caps-value-0')).toHaveValue('2');

    // A second type: a known connector offered in the list…
    await user.click(within(caps).getByTestId('presence-caps-add'));
    const name1 = await within(caps).findByTestId('presence-caps-name-1');
    await fill(user, name1, '');
    fireEvent.mouseDown(name1);
    fireEvent.focus(name1);
    fireEvent.click((await screen.findAllByTestId('presence-caps-option-wechat')).at(-1)!);
    await waitFor(() => expect(name1).toHaveValue('wechat'));
    await fill(user, within(caps).getByTestId('presence-caps-value-1'), '1');
    // …and a name that is not a connector name is refused on the client.
    await user.click(within(caps).getByTestId('presence-caps-add'));
    await fill(user, await within(caps).findByTestId('presence-caps-name-2'), 'Bad Name');
    await user.click(screen.getByTestId('presence-capacity-save'));
    await findFieldError('presence-caps', zh.channelCaps.errors.name);
    expect(api.calls.filter((c) => c.method === 'PATCH')).toHaveLength(0);
    await user.click(within(caps).getByTestId('presence-caps-remove-2'));

    // A cap above the capacity only warns.
    await fill(user, within(caps).getByTestId('presence-caps-value-0'), '9');
    await findFieldError('presence-caps', zh.channelCaps.errors.aboveCapacity.replace('{{capacity}}', '5'));
    await fill(user, within(caps).getByTestId('presence-caps-value-0'), '3');

    await user.click(screen.getByTestId('presence-capacity-save'));
    await findFieldError('presence-caps', zhErrors['request.invalid@channel_capacity']!);
    await user.click(screen.getByTestId('presence-capacity-save'));
    await waitFor(() => expect(api.calls.filter((c) => c.method === 'PATCH')).toHaveLength(2));
    // The capacity as it was, the caps replaced.
    expect(api.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([
      { capacity: 5, channel_capacity: { email: 3, wechat: 1 } },
      { capacity: 5, channel_capacity: { email: 3, wechat: 1 } },
    ]);
    expect(await screen.findByText(zh.channelCaps.saved)).toBeInTheDocument();
    expect(current.channel_capacity).toEqual({ email: 3, wechat: 1 });
  });

  it('applies an agent.updated frame about me at once', async () => {
    FakeWebSocket.all = [];
    vi.stubGlobal('WebSocket', FakeWebSocket);
    try {
      mockApi({ ...sessionRoutes(), 'GET /api/v1/me/agent': () => json(200, AGENT) });
      renderSwitch();
      const sw = await screen.findByTestId('presence-switch');
      expect(sw).toHaveAttribute('data-presence', 'online');
      const ws = await openSocket();
      // Someone else's state changes nothing here.
      ws.frame({ type: 'agent.updated', tenant_id: 't1', user_id: 'u2', data: { ...AGENT, user_id: 'u2', presence: 'offline' } });
      expect(screen.getByTestId('presence-switch')).toHaveAttribute('data-presence', 'online');
      ws.frame({ type: 'agent.updated', tenant_id: 't1', user_id: 'u1', data: { ...AGENT, presence: 'offline', capacity: 8 } });
      await waitFor(() => expect(screen.getByTestId('presence-switch')).toHaveAttribute('data-presence', 'offline'));
      expect(screen.getByTestId('presence-capacity')).toHaveTextContent('2/8');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('explains an away the system set', async () => {
    mockApi({ ...sessionRoutes(), 'GET /api/v1/me/agent': () => json(200, { ...AGENT, presence: 'away', presence_auto: true }) });
    const user = renderSwitch();
    const sw = await screen.findByTestId('presence-switch');
    expect(sw).toHaveAttribute('data-auto', 'true');
    expect(sw).toHaveTextContent(zh.presence.autoState.replace('{{state}}', zh.presence.states.away));
    await user.click(sw);
    expect(await screen.findByTestId('presence-auto-hint')).toHaveTextContent(zh.presence.autoHint);
  });

  it('renders nothing when the server has no routing', async () => {
    const api = mockApi({ ...sessionRoutes(), 'GET /api/v1/me/agent': () => problem(404, 'route.not-found') });
    renderSwitch();
    await waitFor(() => expect(api.calls.some((c) => c.path === '/api/v1/me/agent')).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByTestId('presence-switch')).toBeNull();
  });
});
