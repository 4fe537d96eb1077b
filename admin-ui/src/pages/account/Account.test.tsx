import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ChangePasswordForm } from './Account';
import { RequireAuth } from '../../auth/guards';
import zh from '../../i18n/locales/zh-CN';
import zhErrors from '../../i18n/locales/errors.zh-CN';
import { fill, findFieldError, json, mockApi, problem, renderApp, sessionRoutes } from '../../test/utils';

function renderForm() {
  return renderApp(
    <RequireAuth>
      <ChangePasswordForm />
    </RequireAuth>,
  );
}

describe('change password form', () => {
  it('validates required fields, length and confirmation on the client', async () => {
    const api = mockApi({ ...sessionRoutes() });
    const user = userEvent.setup();
    renderForm();
    await user.click(await screen.findByTestId('password-submit'));
    await findFieldError('password-current', zh.validation.passwordRequired);
    await findFieldError('password-new', zh.validation.passwordRequired);
    await findFieldError('password-confirm', zh.validation.confirmRequired);
    await fill(user, screen.getByTestId('password-new'), 'short');
    await findFieldError('password-new', '密码至少需要 8 个字符');
    await fill(user, screen.getByTestId('password-new'), 'a long new passphrase');
    await fill(user, screen.getByTestId('password-confirm'), 'something else');
    await findFieldError('password-confirm', zh.validation.confirmMismatch);
    expect(api.calls.filter((c) => c.path === '/api/v1/me/password')).toHaveLength(0);
  });

  it('shows the server errors next to the current and new password fields', async () => {
    mockApi({
      ...sessionRoutes(),
      'POST /api/v1/me/password': [
        () => problem(403, 'auth.wrong-password', { field: 'current_password' }),
        () => problem(422, 'password.contains-user-info', { field: 'new_password' }),
      ],
    });
    const user = userEvent.setup();
    renderForm();
    await fill(user, await screen.findByTestId('password-current'), 'old password');
    await fill(user, screen.getByTestId('password-new'), 'ada ada ada ada');
    await fill(user, screen.getByTestId('password-confirm'), 'ada ada ada ada');
    await user.click(screen.getByTestId('password-submit'));
    await findFieldError('password-current', zhErrors['auth.wrong-password']!);

    await fill(user, screen.getByTestId('password-current'), 'right password');
    await user.click(screen.getByTestId('password-submit'));
    await findFieldError('password-new', zhErrors['password.contains-user-info']!);
  });

  it('stores the new tokens the server returns', async () => {
    const api = mockApi({
      ...sessionRoutes(),
      'POST /api/v1/me/password': () =>
        json(200, { access_token: 'after-change', refresh_token: 'refresh-after-change', token_type: 'Bearer', expires_in: 900 }),
    });
    const user = userEvent.setup();
    renderForm();
    await fill(user, await screen.findByTestId('password-current'), 'old password');
    await fill(user, screen.getByTestId('password-new'), 'a long new passphrase');
    await fill(user, screen.getByTestId('password-confirm'), 'a long new passphrase');
    await user.click(screen.getByTestId('password-submit'));
    await waitFor(() => expect(localStorage.getItem('kefu.refresh')).toBe('refresh-after-change'));
    expect(api.calls.find((c) => c.path === '/api/v1/me/password')!.body).toEqual({
      current_password: 'old password',
      new_password: 'a long new passphrase',
    });
    expect(await screen.findByText(zh.account.passwordChanged)).toBeInTheDocument();
  });
});
