// Who the customer is: what the conversation's contact record holds (name, email,
// phone, the ids the channels know them by, attributes the site sent).
import { Avatar, Descriptions, Empty, Flex, Tag, Typography } from 'antd';
import { CheckCircleFilled, MailOutlined, PhoneOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { ConversationItem } from '../../api/chat';
import { tenantColor } from '../../components/TenantSwitcher';
import { contactName } from '../../lib/chat';
import { formatDateTime } from '../../lib/format';
import { TenantTag } from './parts';
import { connectorLabel } from '../tenant/ChannelForm';

export function ContactPanel({ conv }: { conv: ConversationItem }) {
  const { t } = useTranslation();
  const c = conv.contact;
  const name = contactName(t, c);
  const identities = c.identities ?? [];
  const attributes = Object.entries(c.attributes ?? {});
  return (
    <div data-testid="contact-panel" className="kefu-contact">
      <Flex vertical align="center" gap={8} style={{ padding: '8px 0 16px' }}>
        <Avatar size={56} src={c.avatar_url || undefined} style={{ background: tenantColor(conv.tenant_id) }}>
          {[...name][0]?.toUpperCase()}
        </Avatar>
        <Typography.Title level={5} style={{ margin: 0, textAlign: 'center' }} data-testid="contact-name">
          {name}
        </Typography.Title>
        <TenantTag id={conv.tenant_id} name={conv.tenant_name} />
      </Flex>
      <Descriptions
        column={1}
        size="small"
        items={[
          {
            key: 'email',
            label: <MailOutlined aria-label={t('contact.email')} />,
            children: c.email ? (
              <Typography.Link href={`mailto:${c.email}`} data-testid="contact-email" copyable={{ text: c.email }}>
                {c.email}
              </Typography.Link>
            ) : (
              <Typography.Text type="secondary">{t('contact.none')}</Typography.Text>
            ),
          },
          {
            key: 'phone',
            label: <PhoneOutlined aria-label={t('contact.phone')} />,
            children: c.phone ? (
              <Typography.Link href={`tel:${c.phone}`} data-testid="contact-phone">
                {c.phone}
              </Typography.Link>
            ) : (
              <Typography.Text type="secondary">{t('contact.none')}</Typography.Text>
            ),
          },
          {
            key: 'channel',
            label: t('contact.channel'),
            children: (
              <span>
                {conv.channel_name || '—'} <Tag style={{ marginInlineStart: 4 }}>{connectorLabel(t, conv.connector)}</Tag>
              </span>
            ),
          },
          { key: 'since', label: t('contact.since'), children: formatDateTime(c.created_at ?? conv.created_at) },
        ]}
      />
      <Typography.Text strong style={{ display: 'block', margin: '16px 0 8px' }}>
        {t('contact.identities')}
      </Typography.Text>
      {identities.length ? (
        <Flex vertical gap={6}>
          {identities.map((id) => (
            <Flex key={`${id.channel_id}:${id.external_id}`} gap={6} align="center" wrap data-testid="contact-identity">
              <Typography.Text code ellipsis style={{ maxWidth: 200 }} title={id.external_id}>
                {id.external_id}
              </Typography.Text>
              {id.verified ? (
                <Tag color="success" icon={<CheckCircleFilled />}>
                  {t('contact.verified')}
                </Tag>
              ) : (
                <Tag>{t('contact.unverified')}</Tag>
              )}
              {id.channel_id === conv.channel_id && conv.channel_name ? (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {conv.channel_name}
                </Typography.Text>
              ) : null}
            </Flex>
          ))}
        </Flex>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('contact.noIdentities')} style={{ margin: 0 }} />
      )}
      {attributes.length ? (
        <>
          <Typography.Text strong style={{ display: 'block', margin: '16px 0 8px' }}>
            {t('contact.attributes')}
          </Typography.Text>
          <Descriptions column={1} size="small" items={attributes.map(([k, v]) => ({ key: k, label: k, children: v }))} data-testid="contact-attributes" />
        </>
      ) : null}
    </div>
  );
}
