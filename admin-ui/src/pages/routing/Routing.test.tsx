import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Routing from './Routing';
import { RequireAuth } from '../../auth/guards';
import { TenantContext } from '../../tenant/TenantContext';
import type { Channel } from '../../api/chat';
import type { AgentView, RoutingSettings, Team } from '../../api/routing';
import type { PermissionName, Tenant } from '../../api/types';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, mockApi, problem, renderApp, sessionRoutes } from '../../test/utils';

const tenant: Tenant = { id: 't1', name: 'Acme', slug: 'acme', status: 'active', timezone: 'Asia/Shanghai', locale: 'zh-CN', require_2fa: false, created_at: '2026-01-01T00:00:00Z' };

function agent(p: Partial<AgentView> & { user_id: string; name: string; email: string }): AgentView {
  return { presence: 'online', presence_auto: false, capacity: 5, channel_capacity: {}, load: 0, last_assigned_at: null, updated_at: '2026-05-01T10:00:00Z', role: 'agent', team_ids: [], open: 0, ...p };
}

const AGENTS = [agent({ user_id: 'u1', name: 'Ada', email: 'ada@example.com', role: 'owner' }), agent({ user_id: 'u2', name: 'Bo', email: 'bo@example.com' })];

const SALES: Team = {
  id: 'team-sales',
  name: 'Sales',
  strategy: 'least_busy',
  settings: { overflow_after_minutes: 0, overflow_team_id: null },
  members: [{ user_id: 'u2', skills: ['english'] }],
  created_at: '2026-05-01T10:00:00Z',
  updated_at: '2026-05-01T10:00:00Z',
};
const VIP: Team = { ...SALES, id: 'team-vip', name: 'VIP', strategy: 'skills', members: [] };

const CHANNELS: Channel[] = [
  { id: 'ch-web', tenant_id: 't1', connector: 'web', name: 'Website', config: {}, enabled: true, created_at: '2026-05-01T10:00:00Z', updated_at: '2026-05-01T10:00:00Z', webhook_url: '', widget_snippet: null },
];

function renderRouting(route = '/t/t1/routing', perms: PermissionName[] = ['routing:manage', 'conversations:read', 'channels:read']) {
  renderApp(
    <RequireAuth>
      <TenantContext.Provider value={{ tenantId: 't1', access: { tenant, role: 'owner', permissions: perms }, loading: false, error: null, reload: async () => {} }}>
        <Routing />
      </TenantContext.Provider>
    </RequireAuth>,
    { route, path: '/t/:tenantId/routing' },
  );
  return userEvent.setup();
}

/** Opens an antd Select (by its test id) and clicks the option with this test id. */
async function pick(selectId: string, optionId: string, root: HTMLElement | Document = document) {
  const el = within(root as HTMLElement).getAllByTestId(selectId).at(-1)!;
  fireEvent.mouseDown(el.querySelector('.ant-select-selector')!);
  const options = await screen.findAllByTestId(optionId);
  fireEvent.click(options.at(-1)!);
}

// antd forms in jsdom are slow on a busy machine.
describe('routing: teams', { timeout: 60_000 }, () => {
  it('lists teams with member names, and shows team.name-taken and routing.not-member next to their fields', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES] }),
      'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
      'POST /api/v1/tenants/t1/teams': [
        () => problem(409, 'team.name-taken', { detail: 'A team with this name already exists.' }),
        () => problem(400, 'routing.not-member', { field: 'members', detail: 'Only members of this tenant can be in its teams.' }),
        (c) => json(201, { ...VIP, ...(c.body as object), id: 'team-new', members: [{ user_id: 'u1', skills: ['refunds'] }] }),
      ],
    });
    const user = renderRouting();
    const row = await screen.findByTestId('team-row-team-sales');
    expect(row).toHaveTextContent('Sales');
    await waitFor(() => expect(within(row).getByTestId('team-members-team-sales')).toHaveTextContent('Bo'));

    await user.click(screen.getByTestId('team-create'));
    const form = await screen.findByTestId('team-form');
    await fill(user, within(form).getByTestId('team-name'), 'Sales');
    await pick('team-strategy', 'team-strategy-skills', form);
    await pick('team-members', 'team-member-option-ada@example.com', form);
    // Skills per member appear once the member is chosen.
    const skills = await within(form).findByTestId('team-skills-ada@example.com');
    await user.click(skills.querySelector('input')!);
    await user.keyboard('refunds{Enter}');
    fireEvent.keyDown(skills.querySelector('input')!, { key: 'Escape' });
    await fill(user, within(form).getByTestId('team-overflow-minutes'), '10');
    await pick('team-overflow-team', 'team-overflow-team-option-Sales', form);
    await user.click(within(form).getByTestId('team-save'));

    // 409 without a field: its code belongs to the name.
    await findFieldError('team-name', zhErrors['team.name-taken']!);
    expect(screen.queryByTestId('team-error')).toBeNull();
    const isCreate = (c: { method: string; path: string }) => c.method === 'POST' && c.path === '/api/v1/tenants/t1/teams';
    const post = api.calls.find(isCreate)!;
    expect(post.body).toEqual({
      name: 'Sales',
      strategy: 'skills',
      settings: { overflow_after_minutes: 10, overflow_team_id: 'team-sales' },
      members: [{ user_id: 'u1', skills: ['refunds'] }],
    });

    // 400 routing.not-member names the members field.
    await fill(user, within(form).getByTestId('team-name'), 'VIP');
    await user.click(within(form).getByTestId('team-save'));
    await findFieldError('team-members', zhErrors['routing.not-member']!);

    // Then it works: the dialog closes and the team is listed.
    await user.click(within(form).getByTestId('team-save'));
    expect(await screen.findByTestId('team-row-team-new')).toHaveTextContent('VIP');
    expect(api.calls.filter(isCreate)).toHaveLength(3);
  });

  it('edits a team, sending back the settings the dialog does not show', async () => {
    const hours = { time_zone: 'Asia/Shanghai', weekly: { mon: [{ start: '09:00', end: '18:00' }] } };
    const sales: Team = { ...SALES, settings: { ...SALES.settings, hours } };
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [sales, VIP] }),
      'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
      'PATCH /api/v1/tenants/t1/teams/team-sales': (c) => json(200, { ...sales, ...(c.body as object) }),
    });
    const user = renderRouting();
    await user.click(await screen.findByTestId('team-edit-team-sales'));
    const form = await screen.findByTestId('team-form');
    expect(within(form).getByTestId('team-name')).toHaveValue('Sales');
    await fill(user, within(form).getByTestId('team-name'), 'Sales EU');
    await user.click(within(form).getByTestId('team-save'));
    await waitFor(() => expect(screen.getByTestId('team-row-team-sales')).toHaveTextContent('Sales EU'));
    expect(api.calls.find((c) => c.method === 'PATCH')!.body).toEqual({
      name: 'Sales EU',
      strategy: 'least_busy',
      settings: { overflow_after_minutes: 0, overflow_team_id: null, hours },
      members: [{ user_id: 'u2', skills: ['english'] }],
    });
  });

  it('gives a team its own business hours, and shows a server error about them at the input', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES, VIP] }),
      'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
      'PATCH /api/v1/tenants/t1/teams/team-vip': [
        () => problem(400, 'request.invalid', { field: 'settings.hours.weekly.sat[0].end', detail: 'must be a time of day from 00:00 to 24:00' }),
        (c) => json(200, { ...VIP, ...(c.body as object) }),
      ],
    });
    const user = renderRouting();
    expect(await screen.findByTestId('team-hours-team-vip')).toHaveAttribute('data-own', 'false');
    await user.click(screen.getByTestId('team-edit-team-vip'));
    const form = await screen.findByTestId('team-form');
    // Off: the tenant's hours.
    expect(within(form).getByTestId('team-hours')).toHaveAttribute('data-open', 'false');
    expect(within(form).getByTestId('team-hours-off')).toHaveTextContent(zh.hours.teamInherit);
    await user.click(within(form).getByTestId('team-hours-enabled'));
    // A new schedule starts in the tenant's zone, Monday to Friday 09:00–18:00.
    expect(await within(form).findByTestId('team-hours-mon-start-0')).toHaveValue('09:00');
    await user.click(within(form).getByTestId('team-hours-sat-add'));
    await fill(user, await within(form).findByTestId('team-hours-sat-start-0'), '10:00');
    await fill(user, within(form).getByTestId('team-hours-sat-end-0'), '16:00');
    await user.click(within(form).getByTestId('team-save'));

    const place = zh.hours.place.interval.replace('{{day}}', zh.hours.days.sat).replace('{{n}}', '1');
    await findFieldError('team-hours-sat-end-0', zh.hours.problemAt.replace('{{place}}', place).replace('{{problem}}', zh.hours.problems.end));
    expect(within(form).getByTestId('team-hours-sat-end-0')).toHaveClass('ant-input-status-error');
    expect(screen.queryByTestId('team-error')).toBeNull();
    const d = [{ start: '09:00', end: '18:00' }];
    const hours = { time_zone: 'Asia/Shanghai', weekly: { mon: d, tue: d, wed: d, thu: d, fri: d, sat: [{ start: '10:00', end: '16:00' }] } };
    expect(api.calls.find((c) => c.method === 'PATCH')!.body).toEqual({
      name: 'VIP',
      strategy: 'skills',
      settings: { overflow_after_minutes: 0, overflow_team_id: null, hours },
      members: [],
    });

    // Saved again: the dialog closes and the list says the team has its own hours.
    await user.click(within(form).getByTestId('team-save'));
    await waitFor(() => expect(screen.getByTestId('team-hours-team-vip')).toHaveAttribute('data-own', 'true'));
    expect(screen.getByTestId('team-hours-team-vip')).toHaveTextContent('Asia/Shanghai');
  });

  it('turns a team’s own hours off again (null: the tenant’s)', async () => {
    const hours = { time_zone: 'Asia/Shanghai', weekly: { mon: [{ start: '09:00', end: '18:00' }] } };
    const sales: Team = { ...SALES, settings: { ...SALES.settings, hours } };
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [sales] }),
      'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
      'PATCH /api/v1/tenants/t1/teams/team-sales': (c) => json(200, { ...sales, ...(c.body as object) }),
    });
    const user = renderRouting();
    await user.click(await screen.findByTestId('team-edit-team-sales'));
    const form = await screen.findByTestId('team-form');
    expect(within(form).getByTestId('team-hours-mon-end-0')).toHaveValue('18:00');
    await user.click(within(form).getByTestId('team-hours-enabled'));
    await user.click(within(form).getByTestId('team-save'));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'PATCH')).toBe(true));
    expect((api.calls.find((c) => c.method === 'PATCH')!.body as { settings: unknown }).settings).toEqual({ overflow_after_minutes: 0, overflow_team_id: null, hours: null });
  });

  it('deletes a team after confirmation', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES, VIP] }),
      'GET /api/v1/tenants/t1/agents': () => json(200, { items: AGENTS }),
      'DELETE /api/v1/tenants/t1/teams/team-vip': () => json(204, null),
    });
    const user = renderRouting();
    await user.click(await screen.findByTestId('team-delete-team-vip'));
    await user.click((await screen.findAllByTestId('confirm-ok')).at(-1)!);
    await waitFor(() => expect(screen.queryByTestId('team-row-team-vip')).toBeNull());
    expect(api.calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/tenants/t1/teams/team-vip')).toBe(true);
    expect(screen.getByTestId('team-row-team-sales')).toBeInTheDocument();
  });
});

describe('routing: rules', { timeout: 60_000 }, () => {
  const SETTINGS: RoutingSettings = {
    rules: [{ name: 'VIP', channel_ids: [], departments: [], languages: [], contact_tags: ['vip'], keywords: [], team_id: 'team-vip', priority: 5, skills: [] }],
    default_team_id: null,
    queue_message: '',
    // Settings this form does not edit: sent back unchanged (PUT replaces the object).
    hours: { time_zone: 'Asia/Shanghai', weekly: { mon: [{ start: '09:00', end: '18:00' }] } },
    outside_hours: 'leave_message',
    outside_hours_message: 'default',
    overflow_after_minutes: 15,
    leave_message: 'Leave us a message',
    wrap_up: { mode: 'off', categories: [] },
  };

  it('adds, orders and saves rules, and sends the whole settings object', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES, VIP] }),
      'GET /api/v1/tenants/t1/routing/settings': () => json(200, SETTINGS),
      'GET /api/v1/tenants/t1/channels': () => json(200, { items: CHANNELS }),
      'PUT /api/v1/tenants/t1/routing/settings': (c) => json(200, c.body),
    });
    const user = renderRouting('/t/t1/routing?tab=rules');
    const form = await screen.findByTestId('routing-form');
    expect(within(form).getByTestId('rule-name-0')).toHaveValue('VIP');

    await user.click(within(form).getByTestId('rule-add'));
    const name = await within(form).findByTestId('rule-name-1');
    await fill(user, name, 'Refunds');
    await pick('rule-channels-1', 'rule-channel-option-Website', form);
    const keywords = within(form).getByTestId('rule-keywords-1');
    await user.click(keywords.querySelector('input')!);
    await user.keyboard('refund{Enter}');
    await pick('rule-team-1', 'rule-team-option-Sales', form);
    await fill(user, within(form).getByTestId('rule-priority-1'), '8');
    // The new rule goes first.
    await user.click(within(form).getByTestId('rule-up-1'));
    await waitFor(() => expect(within(form).getByTestId('rule-name-0')).toHaveValue('Refunds'));

    await pick('routing-default-team', 'routing-default-team-option-VIP', form);
    await user.click(within(form).getByTestId('routing-queue-message-default'));
    expect(within(form).getByTestId('routing-queue-message')).toBeDisabled();
    await user.click(within(form).getByTestId('routing-save'));

    await waitFor(() => expect(api.calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(api.calls.find((c) => c.method === 'PUT')!.body).toEqual({
      rules: [
        { name: 'Refunds', channel_ids: ['ch-web'], departments: [], languages: [], contact_tags: [], keywords: ['refund'], team_id: 'team-sales', priority: 8, skills: [] },
        { name: 'VIP', channel_ids: [], departments: [], languages: [], contact_tags: ['vip'], keywords: [], team_id: 'team-vip', priority: 5, skills: [] },
      ],
      default_team_id: 'team-vip',
      queue_message: 'default',
      hours: SETTINGS.hours,
      outside_hours: 'leave_message',
      outside_hours_message: 'default',
      overflow_after_minutes: 15,
      leave_message: 'Leave us a message',
      wrap_up: { mode: 'off', categories: [] },
    });
    expect(await screen.findByText(zh.routing.rules.saved)).toBeInTheDocument();
  });

  it('sets the wrap-up agents give when resolving, and shows a server error under its categories', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES, VIP] }),
      'GET /api/v1/tenants/t1/routing/settings': () => json(200, { ...SETTINGS, wrap_up: { mode: 'optional', categories: ['Question'] } }),
      'GET /api/v1/tenants/t1/channels': () => json(200, { items: CHANNELS }),
      'PUT /api/v1/tenants/t1/routing/settings': [
        () => problem(400, 'request.invalid', { field: 'wrap_up.categories[1]' }),
        (c) => json(200, c.body),
      ],
    });
    const user = renderRouting('/t/t1/routing?tab=rules');
    const form = await screen.findByTestId('routing-form');
    expect(within(form).getByTestId('routing-wrapup-mode-optional')).toBeChecked();
    await user.click(within(form).getByTestId('routing-wrapup-mode-required'));
    const categories = within(form).getByTestId('routing-wrapup-categories');
    expect(categories).toHaveTextContent('Question');
    await user.click(categories.querySelector('input')!);
    await user.keyboard('Refund');
    await user.tab();
    await user.click(within(form).getByTestId('routing-save'));
    await findFieldError('routing-wrapup-categories', zh.routing.wrapUp.categoriesInvalid.replace('{{max}}', '50').replace('{{len}}', '80'));
    const put = api.calls.find((c) => c.method === 'PUT')!;
    expect((put.body as { wrap_up: unknown }).wrap_up).toEqual({ mode: 'required', categories: ['Question', 'Refund'] });

    await user.click(within(form).getByTestId('routing-save'));
    expect(await screen.findByText(zh.routing.rules.saved)).toBeInTheDocument();
  });

  it('sets the business hours, what happens outside them, and the overflow into a left message', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES, VIP] }),
      'GET /api/v1/tenants/t1/routing/settings': () =>
        json(200, { ...SETTINGS, hours: null, outside_hours: 'wait', outside_hours_message: '', overflow_after_minutes: 0, leave_message: 'default' }),
      'GET /api/v1/tenants/t1/channels': () => json(200, { items: CHANNELS }),
      'PUT /api/v1/tenants/t1/routing/settings': [
        () => problem(400, 'request.invalid', { field: 'hours.holidays[0].date', detail: 'must be a date like 2026-10-01' }),
        (c) => json(200, c.body),
      ],
    });
    const user = renderRouting('/t/t1/routing?tab=rules');
    const form = await screen.findByTestId('routing-form');
    // Always open until hours are set; the leave-a-message text is the suggested one.
    expect(within(form).getByTestId('routing-hours')).toHaveAttribute('data-open', 'false');
    expect(within(form).getByTestId('routing-outside-hours-wait')).toBeChecked();
    expect(within(form).getByTestId('routing-leave-message-default')).toBeChecked();
    expect(within(form).getByTestId('routing-leave-message')).toBeDisabled();

    await user.click(within(form).getByTestId('routing-hours-enabled'));
    // Lunch break on Monday, then the same for the other weekdays.
    await fill(user, await within(form).findByTestId('routing-hours-mon-end-0'), '12:00');
    await user.click(within(form).getByTestId('routing-hours-mon-add'));
    await fill(user, await within(form).findByTestId('routing-hours-mon-start-1'), '13:00');
    await fill(user, within(form).getByTestId('routing-hours-mon-end-1'), '18:00');
    await user.click(within(form).getByTestId('routing-hours-copy-mon'));
    await user.click(within(form).getByTestId('routing-hours-holiday-add'));
    await fill(user, await within(form).findByTestId('routing-hours-holiday-date-0'), '2026-10-01');
    await fill(user, within(form).getByTestId('routing-hours-holiday-name-0'), 'National Day');

    await user.click(within(form).getByTestId('routing-outside-hours-leave_message'));
    await fill(user, within(form).getByTestId('routing-outside-message'), 'Closed now{next_open}.');
    await fill(user, within(form).getByTestId('routing-overflow-minutes'), '20');
    await user.click(within(form).getByTestId('routing-leave-message-default'));
    await fill(user, within(form).getByTestId('routing-leave-message'), 'Leave a message, please.');
    await user.click(within(form).getByTestId('routing-save'));

    // The server's error names the holiday's date: shown under the editor, the input marked.
    const place = zh.hours.place.holidayDated.replace('{{n}}', '1').replace('{{date}}', '2026-10-01');
    await findFieldError('routing-hours-holiday-date-0', zh.hours.problemAt.replace('{{place}}', place).replace('{{problem}}', zh.hours.problems.date));
    expect(within(form).getByTestId('routing-hours-holiday-date-0')).toHaveClass('ant-input-status-error');
    expect(screen.queryByTestId('routing-error')).toBeNull();

    const two = [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '18:00' },
    ];
    expect(api.calls.find((c) => c.method === 'PUT')!.body).toEqual({
      rules: SETTINGS.rules,
      default_team_id: null,
      queue_message: '',
      hours: {
        time_zone: 'Asia/Shanghai',
        weekly: { mon: two, tue: two, wed: two, thu: two, fri: two },
        holidays: [{ date: '2026-10-01', name: 'National Day' }],
      },
      outside_hours: 'leave_message',
      outside_hours_message: 'Closed now{next_open}.',
      overflow_after_minutes: 20,
      leave_message: 'Leave a message, please.',
      wrap_up: { mode: 'off', categories: [] },
    });

    // Editing clears the mark; the second save goes through.
    await fill(user, within(form).getByTestId('routing-hours-holiday-name-0'), '国庆');
    await waitFor(() => expect(within(form).getByTestId('routing-hours-holiday-date-0')).not.toHaveClass('ant-input-status-error'));
    await user.click(within(form).getByTestId('routing-save'));
    expect(await screen.findByText(zh.routing.rules.saved)).toBeInTheDocument();
  });

  it('asks for the suggested outside-hours text, and shows overflow errors under their fields', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES, VIP] }),
      'GET /api/v1/tenants/t1/routing/settings': () => json(200, { ...SETTINGS, outside_hours_message: 'Custom' }),
      'GET /api/v1/tenants/t1/channels': () => json(200, { items: CHANNELS }),
      'PUT /api/v1/tenants/t1/routing/settings': () => problem(400, 'request.invalid', { field: 'overflow_after_minutes' }),
    });
    const user = renderRouting('/t/t1/routing?tab=rules');
    const form = await screen.findByTestId('routing-form');
    expect(within(form).getByTestId('routing-outside-message')).toHaveValue('Custom');
    // Days outside the schedule: Monday only.
    expect(within(form).getByTestId('routing-hours-tue-closed')).toBeInTheDocument();
    await user.click(within(form).getByTestId('routing-outside-message-default'));
    expect(within(form).getByTestId('routing-outside-message')).toBeDisabled();
    await user.click(within(form).getByTestId('routing-save'));
    await findFieldError('routing-overflow-minutes', zh.routing.teams.overflowRange.replace('{{max}}', '1440'));
    const body = api.calls.find((c) => c.method === 'PUT')!.body as Record<string, unknown>;
    expect(body.outside_hours_message).toBe('default');
    expect(body.hours).toEqual(SETTINGS.hours);
    expect(body.overflow_after_minutes).toBe(15);
  });

  it('names the rule a server error is about, and marks its field', async () => {
    mockApi({
      ...sessionRoutes(),
      'GET /api/v1/tenants/t1/teams': () => json(200, { items: [SALES, VIP] }),
      'GET /api/v1/tenants/t1/routing/settings': () => json(200, { ...SETTINGS, queue_message: 'default' }),
      'GET /api/v1/tenants/t1/channels': () => json(200, { items: CHANNELS }),
      'PUT /api/v1/tenants/t1/routing/settings': () => problem(400, 'request.invalid', { field: 'rules[0].priority', detail: 'priority must be between 0 and 10.' }),
    });
    const user = renderRouting('/t/t1/routing?tab=rules');
    const form = await screen.findByTestId('routing-form');
    // "default" shows as the suggested text being used.
    expect(within(form).getByTestId('routing-queue-message-default')).toBeChecked();
    await user.click(within(form).getByTestId('routing-save'));
    const alert = await screen.findByTestId('routing-error');
    const text = zh.routing.rules.errors.priority.replace('{{max}}', '10');
    expect(alert).toHaveTextContent(zh.routing.rules.ruleError.replace('{{n}}', '1').replace('{{name}}', 'VIP').replace('{{error}}', text));
    expect(alert).toHaveTextContent('req-123');
    await findFieldError('rule-priority-0', text);
  });
});
