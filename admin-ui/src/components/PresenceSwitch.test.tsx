import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PresenceSwitch } from './PresenceSwitch';
import { RequireAuth } from '../auth/guards';
import type { Agent } from '../api/routing';
import zh from '../i18n/locales/zh-CN';
import zhErrors from '../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, mockApi, problem, renderApp, sessionRoutes } from '../test/utils';

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
