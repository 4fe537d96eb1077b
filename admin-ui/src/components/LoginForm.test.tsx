import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import Login from '../pages/auth/Login';
import { GuestOnly } from '../auth/guards';
import zh from '../i18n/locales/zh-CN';
import zhErrors from '../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, ME, mockApi, problem, renderApp, TOKENS } from '../test/utils';

function renderLogin() {
  return renderApp(
    <GuestOnly>
      <Login />
    </GuestOnly>,
    { route: '/login', path: '/login' },
  );
}

describe('login form', () => {
  it('validates on the client before calling the server', async () => {
    const api = mockApi({});
    const user = userEvent.setup();
    renderLogin();
    await user.click(await screen.findByTestId('login-submit'));
    await findFieldError('login-email', zh.validation.emailRequired);
    await findFieldError('login-password', zh.validation.passwordRequired);
    await fill(user, screen.getByTestId('login-email'), 'not-an-email');
    await findFieldError('login-email', zh.validation.email);
    expect(api.calls).toHaveLength(0);
  });

  it('shows invalid credentials as a form-level error', async () => {
    mockApi({ 'POST /api/v1/auth/login': () => problem(401, 'auth.invalid-credentials') });
    const user = userEvent.setup();
    renderLogin();
    await fill(user, await screen.findByTestId('login-email'), 'ada@example.com');
    await fill(user, screen.getByTestId('login-password'), 'wrong password');
    await user.click(screen.getByTestId('login-submit'));
    const alert = await screen.findByTestId('login-error');
    expect(alert).toHaveTextContent(zhErrors['auth.invalid-credentials']!);
    expect(alert).toHaveTextContent('req-123');
  });

  it('shows the throttle wait from Retry-After', async () => {
    mockApi({
      'POST /api/v1/auth/login': () => problem(429, 'auth.throttled', { headers: { 'Retry-After': '30' } }),
    });
    const user = userEvent.setup();
    renderLogin();
    await fill(user, await screen.findByTestId('login-email'), 'ada@example.com');
    await fill(user, screen.getByTestId('login-password'), 'whatever1');
    await user.click(screen.getByTestId('login-submit'));
    expect(await screen.findByTestId('login-error')).toHaveTextContent(/30 秒后重试/);
  });

  it('asks for the TOTP code when required, validates it, maps server errors and signs in', async () => {
    const api = mockApi({
      'POST /api/v1/auth/login': [
        () => problem(401, 'auth.totp-required'),
        () => problem(401, 'auth.invalid-totp'),
        () => json(200, TOKENS),
      ],
      'GET /api/v1/me': () => json(200, ME),
    });
    const user = userEvent.setup();
    renderLogin();
    await fill(user, await screen.findByTestId('login-email'), 'ada@example.com');
    await fill(user, screen.getByTestId('login-password'), 'correct horse');
    await user.click(screen.getByTestId('login-submit'));

    // Second step: client-side check of the 6 digits.
    const code = await screen.findByTestId('totp-code');
    await fill(user, code, '12');
    await user.click(screen.getByTestId('totp-submit'));
    await findFieldError('totp-code', zh.validation.totp);

    // Server rejects the code: the message sits under the code field.
        await fill(user, code, '123456');
    await user.click(screen.getByTestId('totp-submit'));
    await findFieldError('totp-code', zhErrors['auth.invalid-totp']!);

        await fill(user, screen.getByTestId('totp-code'), '654321');
    await user.click(screen.getByTestId('totp-submit'));
    await screen.findByTestId('elsewhere');

    const logins = api.calls.filter((c) => c.path === '/api/v1/auth/login');
    expect(logins.map((c) => c.body)).toEqual([
      { email: 'ada@example.com', password: 'correct horse' },
      { email: 'ada@example.com', password: 'correct horse', totp: '123456' },
      { email: 'ada@example.com', password: 'correct horse', totp: '654321' },
    ]);
    await waitFor(() => expect(localStorage.getItem('kefu.refresh')).toBe(TOKENS.refresh_token));
  });

  it('accepts a recovery code instead of the TOTP code', async () => {
    const api = mockApi({
      'POST /api/v1/auth/login': [() => problem(401, 'auth.totp-required'), () => json(200, TOKENS)],
      'GET /api/v1/me': () => json(200, ME),
    });
    const user = userEvent.setup();
    renderLogin();
    await fill(user, await screen.findByTestId('login-email'), 'ada@example.com');
    await fill(user, screen.getByTestId('login-password'), 'correct horse');
    await user.click(screen.getByTestId('login-submit'));
    await user.click(await screen.findByTestId('totp-use-recovery'));
    await fill(user, screen.getByTestId('totp-code'), 'abc');
    await user.click(screen.getByTestId('totp-submit'));
    await findFieldError('totp-code', zh.validation.recovery);
        await fill(user, screen.getByTestId('totp-code'), 'k7mzq-3hwxa');
    await user.click(screen.getByTestId('totp-submit'));
    await screen.findByTestId('elsewhere');
    expect(api.calls.filter((c) => c.path === '/api/v1/auth/login')[1]!.body).toMatchObject({ totp: 'k7mzq-3hwxa' });
  });
});
