// Mentions and new assignments reach the agent wherever they are: an in-app notice with
// a link, a desktop notification when the console is in the background, a beep.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router';
import { WorkspaceNotifier } from './WorkspaceNotifier';
import { NotifySettings } from './NotifySettings';
import { RequireAuth } from '../auth/guards';
import { __resetNotifyForTests, beep, noteAssignee, NOTIFY_KEY, readNotifySettings } from '../lib/notify';
import zh from '../i18n/locales/zh-CN';
import { FakeWebSocket, json, mockApi, openSocket, renderApp, sessionRoutes } from '../test/utils';

const AGENTS = [
  { user_id: 'u1', name: 'Ada', email: 'ada@example.com' },
  { user_id: 'u2', name: 'Bo', email: 'bo@example.com' },
];

const state = (p: object) => ({
  id: 'c1',
  tenant_id: 't1',
  channel_id: 'ch1',
  contact_id: 'ct1',
  status: 'open',
  assignee_id: null,
  last_message_at: '2026-05-01T10:00:00Z',
  last_message_preview: '',
  unread: 0,
  created_at: '',
  updated_at: '',
  resolved_at: null,
  ...p,
});

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static shown: { title: string; body?: string }[] = [];
  static requestPermission = vi.fn(async () => FakeNotification.permission);
  onclick: (() => void) | null = null;
  constructor(title: string, o: { body?: string } = {}) {
    FakeNotification.shown.push({ title, body: o.body });
  }
  close() {}
}

function Where() {
  return <div data-testid="elsewhere-page">{useLocation().pathname}</div>;
}

function renderNotifier() {
  renderApp(
    <RequireAuth>
      <WorkspaceNotifier tenantId="t1" />
      <Where />
    </RequireAuth>,
    { route: '/t/t1/overview', path: '/t/:tenantId/*' },
  );
}

beforeEach(() => {
  FakeWebSocket.all = [];
  FakeNotification.shown = [];
  FakeNotification.permission = 'granted';
  vi.stubGlobal('WebSocket', FakeWebSocket);
  __resetNotifyForTests();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('workspace notifications', { timeout: 60_000 }, () => {
  it('shows "X mentioned you" with a link for a mention of me, and a desktop notification in the background', async () => {
    vi.stubGlobal('Notification', FakeNotification);
    localStorage.setItem(NOTIFY_KEY, JSON.stringify({ desktop: true, sound: true }));
    vi.spyOn(document, 'hasFocus').mockReturnValue(false);
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/conversations/c1/messages': () =>
        json(200, {
          items: [{ id: 'n1', conversation_id: 'c1', direction: 'out', sender_type: 'agent', sender_id: 'u2', type: 'note', text: '@Ada can you look at this refund?', mentions: ['u1'], attachments: [], status: 'sent', created_at: '2026-05-01T10:00:00Z' }],
          next_cursor: null,
        }),
      'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
    });
    renderNotifier();
    await screen.findByTestId('elsewhere-page');
    const ws = await openSocket();

    // Someone else's mention: nothing.
    ws.frame({ type: 'mention', tenant_id: 't1', conversation_id: 'c1', message_id: 'n0', user_id: 'u2' });
    ws.frame({ type: 'mention', tenant_id: 't1', conversation_id: 'c1', message_id: 'n1', user_id: 'u1' });
    const notice = await screen.findByTestId('mention-notification');
    expect(notice).toHaveTextContent(zh.notify.mentioned.replace('{{name}}', 'Bo'));
    expect(notice).toHaveTextContent('can you look at this refund?');
    expect(screen.getAllByTestId('mention-notification')).toHaveLength(1);
    const open = within(notice).getByTestId('mention-notification-open');
    expect(open).toHaveAttribute('href', '/t/t1/inbox/t1/c1');
    expect(FakeNotification.shown).toEqual([{ title: zh.notify.mentioned.replace('{{name}}', 'Bo'), body: '@Ada can you look at this refund?' }]);

    // The link opens the conversation.
    await userEvent.setup().click(open);
    await waitFor(() => expect(screen.getByTestId('elsewhere-page')).toHaveTextContent('/t/t1/inbox/t1/c1'));
  });

  it('tells me about a conversation newly assigned to me, not about one that was mine already', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/conversations/c1': () =>
        json(200, { ...state({}), tenant_name: 'Acme', channel_name: 'Website', connector: 'web', contact: { id: 'ct1', name: 'Lei', email: '', avatar_url: '' } }),
    });
    renderNotifier();
    await screen.findByTestId('elsewhere-page');
    const ws = await openSocket();
    noteAssignee('c1', null);
    noteAssignee('c2', 'u1');

    ws.frame({ type: 'conversation.updated', tenant_id: 't1', conversation_id: 'c2', conversation: state({ id: 'c2', assignee_id: 'u1' }) });
    ws.frame({ type: 'conversation.updated', tenant_id: 't1', conversation_id: 'c1', conversation: state({ assignee_id: 'u1' }) });
    const notice = await screen.findByTestId('assignment-notification');
    expect(notice).toHaveTextContent(zh.notify.assigned.replace('{{name}}', 'Lei'));
    expect(notice).toHaveAttribute('data-conversation', 'c1');
    // The same state again is no news.
    ws.frame({ type: 'conversation.updated', tenant_id: 't1', conversation_id: 'c1', conversation: state({ assignee_id: 'u1', unread: 1 }) });
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.getAllByTestId('assignment-notification')).toHaveLength(1);
  });

  it('keeps the choices in localStorage and asks for the permission when desktop notifications are switched on', async () => {
    FakeNotification.permission = 'default';
    FakeNotification.requestPermission.mockImplementation(async () => {
      FakeNotification.permission = 'granted';
      return 'granted';
    });
    vi.stubGlobal('Notification', FakeNotification);
    mockApi({ ...sessionRoutes() });
    renderApp(
      <RequireAuth>
        <NotifySettings />
      </RequireAuth>,
    );
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('notify-desktop'));
    await waitFor(() => expect(screen.getByTestId('notify-desktop')).toHaveAttribute('aria-checked', 'true'));
    expect(FakeNotification.requestPermission).toHaveBeenCalled();
    await user.click(screen.getByTestId('notify-sound'));
    expect(readNotifySettings()).toEqual({ desktop: true, sound: true });
    // jsdom has no WebAudio: the beep does nothing, quietly.
    expect(beep()).toBe(false);
  });

  it('says when the browser cannot notify', async () => {
    // jsdom has no Notification API.
    expect('Notification' in window).toBe(false);
    mockApi({ ...sessionRoutes() });
    renderApp(
      <RequireAuth>
        <NotifySettings />
      </RequireAuth>,
    );
    expect(await screen.findByTestId('notify-unsupported')).toBeInTheDocument();
    expect(screen.getByTestId('notify-desktop')).toBeDisabled();
  });
});
