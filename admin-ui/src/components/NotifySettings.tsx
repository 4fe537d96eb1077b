// The agent's notification choices (this browser): desktop notifications (asking the
// browser's permission when switched on) and a sound, for conversations assigned to
// them and mentions in notes. Stored in localStorage (lib/notify.ts).
import { useState } from 'react';
import { Alert, App, Button, Flex, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { beep, desktopPermission, desktopSupported, requestDesktopPermission, showDesktop, useNotifySettings } from '../lib/notify';

export function NotifySettings() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [settings, update] = useNotifySettings();
  const [asking, setAsking] = useState(false);
  const [permission, setPermission] = useState(desktopPermission);
  const supported = desktopSupported();

  async function toggleDesktop(on: boolean) {
    if (!on) return update({ desktop: false });
    setAsking(true);
    const granted = await requestDesktopPermission();
    setAsking(false);
    setPermission(desktopPermission());
    if (granted) update({ desktop: true });
    else message.warning(t('notify.permissionDenied'));
  }

  return (
    <Flex vertical gap={12} data-testid="notify-settings">
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('notify.intro')}
      </Typography.Paragraph>
      <Flex justify="space-between" align="center" gap={12}>
        <div>
          <Typography.Text strong>{t('notify.desktop')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }}>
            {t('notify.desktopHint')}
          </Typography.Paragraph>
        </div>
        <Switch
          checked={settings.desktop && permission === 'granted'}
          loading={asking}
          disabled={!supported}
          onChange={(on) => void toggleDesktop(on)}
          data-testid="notify-desktop"
          aria-label={t('notify.desktop')}
        />
      </Flex>
      {!supported ? (
        <Alert type="info" showIcon message={t('notify.unsupported')} data-testid="notify-unsupported" />
      ) : permission === 'denied' ? (
        <Alert type="warning" showIcon message={t('notify.blocked')} data-testid="notify-denied" />
      ) : null}
      <Flex justify="space-between" align="center" gap={12}>
        <div>
          <Typography.Text strong>{t('notify.sound')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 12 }}>
            {t('notify.soundHint')}
          </Typography.Paragraph>
        </div>
        <Switch checked={settings.sound} onChange={(on) => update({ sound: on })} data-testid="notify-sound" aria-label={t('notify.sound')} />
      </Flex>
      <Flex justify="end">
        <Button
          size="small"
          disabled={!settings.sound && !settings.desktop}
          onClick={() => {
            beep();
            showDesktop(t('notify.testTitle'), { body: t('notify.testBody'), tag: 'kefu-test' });
          }}
          data-testid="notify-test"
        >
          {t('notify.test')}
        </Button>
      </Flex>
    </Flex>
  );
}
