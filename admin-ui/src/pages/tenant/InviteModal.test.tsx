import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { InviteForm } from './InviteModal';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, mockApi, problem, renderApp } from '../../test/utils';

const roles = [
  { value: 'admin', label: '管理员', disabled: false },
  { value: 'agent', label: '客服', disabled: false },
];

describe('invite form', () => {
  it('requires a valid email and a role', async () => {
    const api = mockApi({});
    const user = userEvent.setup();
    renderApp(<InviteForm tenantId="t1" roles={[...roles]} onInvited={vi.fn()} />);
    await user.click(await screen.findByTestId('invite-submit'));
    await findFieldError('invite-email', zh.validation.emailRequired);
    await fill(user, screen.getByTestId('invite-email'), 'nope');
    await findFieldError('invite-email', zh.validation.email);
    expect(api.calls).toHaveLength(0);
  });

  it('maps server errors to the email and role fields, and others to the form', async () => {
    mockApi({
      'POST /api/v1/tenants/t1/invitations': [
        () => problem(409, 'member.already-member', { field: 'email' }),
        () => problem(403, 'role.escalation'),
        () => problem(403, 'auth.forbidden'),
      ],
    });
    const user = userEvent.setup();
    renderApp(<InviteForm tenantId="t1" roles={[...roles]} onInvited={vi.fn()} />);
    await fill(user, await screen.findByTestId('invite-email'), 'bob@example.com');
    await user.click(screen.getByTestId('invite-submit'));
    await findFieldError('invite-email', zhErrors['member.already-member']!);

    await fill(user, screen.getByTestId('invite-email'), 'carol@example.com');
    await user.click(screen.getByTestId('invite-submit'));
    await findFieldError('invite-role', zhErrors['role.escalation']!);

    await fill(user, screen.getByTestId('invite-email'), 'dan@example.com');
    await user.click(screen.getByTestId('invite-submit'));
    const alert = await screen.findByTestId('invite-error');
    expect(alert).toHaveTextContent(zhErrors['auth.forbidden']!);
    expect(within(alert).getByText(/req-123/)).toBeInTheDocument();
  });

  it('sends the invitation with the chosen role', async () => {
    const invited = vi.fn();
    const api = mockApi({
      'POST /api/v1/tenants/t1/invitations': (c) =>
        json(201, { id: 'i1', email: (c.body as { email: string }).email, role: 'agent', expires_at: '2026-12-01T00:00:00Z', created_at: '2026-11-22T00:00:00Z' }),
    });
    const user = userEvent.setup();
    renderApp(<InviteForm tenantId="t1" roles={[...roles]} onInvited={invited} />);
    await fill(user, await screen.findByTestId('invite-email'), '  erin@example.com ');
    await user.click(screen.getByTestId('invite-submit'));
    await vi.waitFor(() => expect(invited).toHaveBeenCalledTimes(1));
    expect(api.calls[0]!.body).toEqual({ email: 'erin@example.com', role: 'agent' });
  });
});
