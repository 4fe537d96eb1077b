// The inbox's keyboard shortcuts, listed in a popover ("?" or the keyboard button).
import { Button, Popover, Tooltip, Typography } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

const MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || '');

/** The shortcuts, in the order the popover lists them; keys as shown. */
export const SHORTCUTS: { id: string; keys: string[][] }[] = [
  { id: 'next', keys: [['j'], ['Alt', '↓']] },
  { id: 'previous', keys: [['k'], ['Alt', '↑']] },
  { id: 'reply', keys: [['r']] },
  { id: 'note', keys: [['n']] },
  { id: 'canned', keys: [['/']] },
  { id: 'send', keys: [[MAC ? '⌘' : 'Ctrl', 'Enter']] },
  { id: 'resolve', keys: [['e']] },
  { id: 'assign', keys: [['a']] },
  { id: 'help', keys: [['?']] },
];

function Keys({ keys }: { keys: string[][] }) {
  const { t } = useTranslation();
  return (
    <span className="kefu-keys">
      {keys.map((combo, i) => (
        <span key={i}>
          {i > 0 ? <span className="kefu-keys-or">{t('shortcuts.or')}</span> : null}
          {combo.map((k, j) => (
            <span key={k}>
              {j > 0 ? '+' : null}
              <kbd>{k}</kbd>
            </span>
          ))}
        </span>
      ))}
    </span>
  );
}

export function ShortcutsHelp({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const { t } = useTranslation();
  const content = (
    <div data-testid="shortcuts-help" className="kefu-shortcuts">
      <table>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.id} data-testid={`shortcut-${s.id}`}>
              <td>
                <Keys keys={s.keys} />
              </td>
              <td>{t(`shortcuts.items.${s.id}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
        {t('shortcuts.note')}
      </Typography.Paragraph>
    </div>
  );
  return (
    <Popover open={open} onOpenChange={onOpenChange} trigger="click" placement="bottomRight" title={t('shortcuts.title')} content={content}>
      <Tooltip title={t('shortcuts.open')}>
        <Button type="text" size="small" icon={<QuestionCircleOutlined />} aria-label={t('shortcuts.title')} data-testid="shortcuts-help-toggle" />
      </Tooltip>
    </Popover>
  );
}
