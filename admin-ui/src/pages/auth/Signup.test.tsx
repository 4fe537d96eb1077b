import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Signup from './Signup';
import { GuestOnly } from '../../auth/guards';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, ME, mockApi, problem, renderApp, TOKENS } from '../../test/utils';

function renderSignup() {
  return renderApp(
    <GuestOnly>
      <Signup />
    </GuestOnly>,
    { route: '/signup', path: '/signup' },
  );
}

async function fillAll(user: ReturnType<typeof userEvent.setup>, password = 'a good long passphrase') {
  await fill(user, await screen.findByTestId('signup-tenant-name'), 'Acme Support');
  await fill(user, screen.getByTestId('signup-name'), 'Ada');
  await fill(user, screen.getByTestId('signup-email'), 'ada@example.com');
  await fill(user, screen.getByTestId('signup-password'), password);
}

describe('sign-up form', () => {
  it('validates every field on the client', async () => {
    const api = mockApi({});
    const user = userEvent.setup();
    renderSignup();
    await user.click(await screen.findByTestId('signup-submit'));
    await findFieldError('signup-tenant-name', zh.validation.required);
    await findFieldError('signup-name', zh.validation.required);
    await findFieldError('signup-email', zh.validation.emailRequired);
    await findFieldError('signup-password', zh.validation.passwordRequired);
    await fill(user, screen.getByTestId('signup-email'), 'ada@');
    await fill(user, screen.getByTestId('signup-password'), 'short');
    await findFieldError('signup-email', zh.validation.email);
    await findFieldError('signup-password', '密码至少需要 8 个字符');
    await fill(user, screen.getByTestId('signup-password'), 'x'.repeat(129));
    await findFieldError('signup-password', '密码最多 128 个字符');
    expect(api.calls).toHaveLength(0);
  });

  it('puts server errors next to the field they name', async () => {
    mockApi({
      'POST /api/v1/signup': [
        () => problem(409, 'user.email-taken', { field: 'email' }),
        () => problem(422, 'password.too-common', { field: 'password' }),
        () => problem(400, 'request.invalid', { field: 'tenant_name', detail: 'Tenant name must be 1 to 100 characters.' }),
      ],
    });
    const user = userEvent.setup();
    renderSignup();
    await fillAll(user);
    await user.click(screen.getByTestId('signup-submit'));
    await findFieldError('signup-email', zhErrors['user.email-taken']!);

    await fill(user, screen.getByTestId('signup-email'), 'ada2@example.com');
    await user.click(screen.getByTestId('signup-submit'));
    await findFieldError('signup-password', zhErrors['password.too-common']!);

    await fill(user, screen.getByTestId('signup-password'), 'another good passphrase');
    await user.click(screen.getByTestId('signup-submit'));
    await findFieldError('signup-tenant-name', zhErrors['request.invalid@tenant_name']!);
    expect(screen.queryByTestId('signup-error')).toBeNull();
  });

  it('shows an error without a known field as a form-level alert', async () => {
    mockApi({ 'POST /api/v1/signup': () => problem(500, 'internal', { detail: 'Internal error.' }) });
    const user = userEvent.setup();
    renderSignup();
    await fillAll(user);
    await user.click(screen.getByTestId('signup-submit'));
    expect(await screen.findByTestId('signup-error')).toHaveTextContent(zh.common.serverError);
  });

  it('creates the tenant, signs in and remembers the new tenant', async () => {
    const api = mockApi({
      'POST /api/v1/signup': () =>
        json(201, { ...TOKENS, tenant: { id: 't9', name: 'Acme Support', slug: 'acme-support' }, user: { id: 'u1', email: 'ada@example.com', name: 'Ada' } }),
      'GET /api/v1/me': () => json(200, ME),
    });
    const user = userEvent.setup();
    renderSignup();
    await fillAll(user);
    await user.click(screen.getByTestId('signup-submit'));
    await screen.findByTestId('elsewhere');
    expect(api.calls[0]!.body).toEqual({
      tenant_name: 'Acme Support',
      name: 'Ada',
      email: 'ada@example.com',
      password: 'a good long passphrase',
    });
    await waitFor(() => expect(localStorage.getItem('kefu.lastTenant.u1')).toBe('t9'));
  });
});
