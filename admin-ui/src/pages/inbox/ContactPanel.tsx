// Who the customer is: what the conversation's contact record holds (name, email,
// phone, the ids the channels know them by, tags, attributes the site sent), every
// conversation they had with the tenant across channels (GET /conversations?contact_id=),
// with "merge into this one" for another active one, and, with contacts:manage, the
// contact's tags and attributes to edit (PATCH /contacts/:id).
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { App, Avatar, Button, Descriptions, Empty, Flex, Form, Input, Popconfirm, Select, Spin, Tag, Tooltip, Typography } from 'antd';
import { CheckCircleFilled, DeleteOutlined, EditOutlined, MailOutlined, MergeCellsOutlined, PhoneOutlined, PlusOutlined } from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Contact, ConversationItem } from '../../api/chat';
import { ATTRIBUTE_NAME_RE, MAX_ATTRIBUTE_VALUE, MAX_ATTRIBUTES, MAX_TAG, MAX_TAGS, workspaceApi, type ContactRecord } from '../../api/workspace';
import { FormError } from '../../components/FormError';
import { tenantColor } from '../../components/TenantSwitcher';
import { ACTIVE_STATUSES, contactName } from '../../lib/chat';
import { errorMessage } from '../../lib/errors';
import { formatDateTime, formatRelative } from '../../lib/format';
import { runeLength } from '../../lib/rules';
import { statusLabel, STATUS_COLORS, TenantTag } from './parts';
import { connectorLabel } from '../tenant/ChannelForm';

const MAX_ATTRIBUTE_KEY = 64;

function cleanTags(list: string[]): string[] {
  const out: string[] = [];
  for (const v of list) {
    const s = v.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

function SectionTitle({ children, extra }: { children: ReactNode; extra?: ReactNode }) {
  return (
    <Flex justify="space-between" align="center" style={{ margin: '16px 0 8px' }}>
      <Typography.Text strong>{children}</Typography.Text>
      {extra}
    </Flex>
  );
}

/** The contact's tags: a tag input saved on change (contacts:manage), else read-only. */
function ContactTags({ tenantId, contact, canEdit, onSaved }: { tenantId: string; contact: Contact; canEdit: boolean; onSaved: (c: ContactRecord) => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState<string[]>(contact.tags ?? []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setValue(contact.tags ?? []), [contact.tags]);

  async function change(next: string[]) {
    const tags = cleanTags(next);
    setValue(tags);
    if (tags.length > MAX_TAGS) return setError(t('contact.tagsTooMany', { max: MAX_TAGS }));
    if (tags.some((x) => runeLength(x) > MAX_TAG)) return setError(t('contact.tagTooLong', { max: MAX_TAG }));
    setError(null);
    setBusy(true);
    try {
      const saved = await workspaceApi.updateContact(tenantId, contact.id, { tags });
      setValue(saved.tags ?? tags);
      onSaved(saved);
    } catch (err) {
      setError(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  }

  if (!canEdit) {
    return value.length ? (
      <Flex gap={4} wrap data-testid="contact-tags">
        {value.map((x) => (
          <Tag key={x} style={{ marginInlineEnd: 0 }}>
            {x}
          </Tag>
        ))}
      </Flex>
    ) : (
      <Typography.Text type="secondary" data-testid="contact-tags">
        {t('contact.noTags')}
      </Typography.Text>
    );
  }
  return (
    <>
      <Select
        mode="tags"
        value={value}
        onChange={(v: string[]) => void change(v)}
        suffixIcon={busy ? <Spin size="small" /> : null}
        notFoundContent={null}
        tokenSeparators={[',', '，']}
        placeholder={t('contact.tagsPlaceholder')}
        style={{ width: '100%' }}
        status={error ? 'error' : undefined}
        data-testid="contact-tags"
        aria-label={t('contact.tags')}
      />
      {error ? (
        <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="contact-tags-error" role="alert">
          {error}
        </Typography.Text>
      ) : null}
    </>
  );
}

interface AttributeRow {
  key: string;
  value: string;
}

/** The contact's attributes as key/value rows; saving sends the whole object. */
function AttributesEditor({
  tenantId,
  contact,
  onSaved,
  onCancel,
}: {
  tenantId: string;
  contact: Contact;
  onSaved: (c: ContactRecord) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ rows: AttributeRow[] }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const initial = Object.entries(contact.attributes ?? {}).map(([key, value]) => ({ key, value }));

  async function save(v: { rows?: AttributeRow[] }) {
    const attributes: Record<string, string> = {};
    for (const r of v.rows ?? []) attributes[r.key.trim()] = r.value ?? '';
    setBusy(true);
    setError(null);
    try {
      onSaved(await workspaceApi.updateContact(tenantId, contact.id, { attributes }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form form={form} layout="vertical" requiredMark={false} initialValues={{ rows: initial }} onFinish={(v) => void save(v)} onValuesChange={() => setError(null)} data-testid="contact-attributes-form">
      <FormError error={error} testId="contact-attributes-error" />
      <Form.List name="rows">
        {(fields, { add, remove }) => (
          <>
            {fields.map((f, i) => (
              <Flex key={f.key} gap={4} align="start">
                <Form.Item
                  name={[f.name, 'key']}
                  style={{ flex: 2, marginBottom: 8 }}
                  rules={[
                    { required: true, whitespace: true, message: t('contact.attributeKeyRequired') },
                    {
                      validator: (_r, v: string | undefined) => {
                        const k = (v ?? '').trim();
                        if (!k) return Promise.resolve();
                        if (runeLength(k) > MAX_ATTRIBUTE_KEY || !ATTRIBUTE_NAME_RE.test(k)) return Promise.reject(new Error(t('contact.attributeKeyInvalid', { max: MAX_ATTRIBUTE_KEY })));
                        const rows = (form.getFieldValue('rows') as AttributeRow[] | undefined) ?? [];
                        if (rows.filter((r) => (r?.key ?? '').trim() === k).length > 1) return Promise.reject(new Error(t('contact.attributeKeyDuplicate')));
                        return Promise.resolve();
                      },
                    },
                  ]}
                >
                  <Input size="small" placeholder={t('contact.attributeKey')} data-testid={`contact-attr-key-${i}`} aria-label={t('contact.attributeKey')} />
                </Form.Item>
                <Form.Item name={[f.name, 'value']} style={{ flex: 3, marginBottom: 8 }} rules={[{ max: MAX_ATTRIBUTE_VALUE, message: t('validation.maxLength', { count: MAX_ATTRIBUTE_VALUE }) }]}>
                  <Input size="small" placeholder={t('contact.attributeValue')} data-testid={`contact-attr-value-${i}`} aria-label={t('contact.attributeValue')} />
                </Form.Item>
                <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label={t('common.remove')} data-testid={`contact-attr-remove-${i}`} />
              </Flex>
            ))}
            <Button
              size="small"
              type="dashed"
              block
              icon={<PlusOutlined />}
              disabled={fields.length >= MAX_ATTRIBUTES}
              onClick={() => add({ key: '', value: '' })}
              data-testid="contact-attr-add"
              style={{ marginBottom: 8 }}
            >
              {t('contact.attributeAdd')}
            </Button>
          </>
        )}
      </Form.List>
      <Flex justify="end" gap={8}>
        <Button size="small" onClick={onCancel}>
          {t('common.cancel')}
        </Button>
        <Button size="small" type="primary" htmlType="submit" loading={busy} data-testid="contact-attributes-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}

/** Every conversation of the contact, newest first; merge another active one into this. */
function ContactConversations({
  conv,
  pageTenantId,
  canMerge,
  onMerged,
  version,
}: {
  conv: ConversationItem;
  pageTenantId: string;
  canMerge: boolean;
  onMerged: (kept: ConversationItem, other: ConversationItem) => void;
  /** Bumped by the caller to reload (after a merge). */
  version: number;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [items, setItems] = useState<ConversationItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const tenantId = conv.tenant_id;
  const contactId = conv.contact.id;

  const load = useCallback(
    async (more?: string) => {
      setLoading(true);
      setError(null);
      try {
        const page = await workspaceApi.contactConversations(tenantId, contactId, more);
        setItems((list) => {
          const base = more ? list : [];
          const known = new Set(base.map((i) => i.id));
          return [...base, ...page.items.filter((i) => !known.has(i.id))];
        });
        setCursor(page.next_cursor);
      } catch (err) {
        setError(err);
      } finally {
        setLoading(false);
      }
    },
    [tenantId, contactId],
  );

  useEffect(() => {
    void load();
  }, [load, version]);

  async function merge(other: ConversationItem) {
    try {
      const kept = await workspaceApi.merge(tenantId, conv.id, other.id);
      message.success(t('contact.merged'));
      onMerged(kept, { ...other, status: 'closed' });
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  const canMergeInto = canMerge && conv.status !== 'closed';
  return (
    <div data-testid="contact-conversations">
      {error && !items.length ? (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {errorMessage(error, t)}{' '}
          <Typography.Link onClick={() => void load()}>{t('common.retry')}</Typography.Link>
        </Typography.Text>
      ) : loading && !items.length ? (
        <Spin size="small" />
      ) : items.length === 0 ? (
        <Typography.Text type="secondary">{t('contact.noConversations')}</Typography.Text>
      ) : (
        <Flex vertical gap={6}>
          {items.map((c) => {
            const current = c.id === conv.id;
            return (
              <div key={c.id} className={`kefu-contact-conv${current ? ' is-current' : ''}`} data-status={c.status}>
                <Link to={`/t/${pageTenantId}/inbox/${c.tenant_id}/${c.id}`} data-testid={`contact-conversation-${c.id}`} aria-current={current ? 'page' : undefined}>
                  <Flex gap={4} wrap align="center">
                    <Tag style={{ marginInlineEnd: 0 }}>{c.channel_name || connectorLabel(t, c.connector)}</Tag>
                    <Tag color={STATUS_COLORS[c.status]} style={{ marginInlineEnd: 0 }}>
                      {statusLabel(t, c.status)}
                    </Tag>
                    <Tooltip title={formatDateTime(c.last_message_at)}>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {formatRelative(c.last_message_at)}
                      </Typography.Text>
                    </Tooltip>
                    {current ? (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('contact.thisConversation')}
                      </Typography.Text>
                    ) : null}
                  </Flex>
                  {c.last_message_preview ? (
                    <Typography.Text ellipsis style={{ display: 'block', fontSize: 12 }}>
                      {c.last_message_preview}
                    </Typography.Text>
                  ) : null}
                </Link>
                {!current && canMergeInto && ACTIVE_STATUSES.includes(c.status) ? (
                  <Popconfirm
                    title={t('contact.mergeTitle')}
                    description={t('contact.mergeBody')}
                    okText={t('contact.merge')}
                    cancelText={t('common.cancel')}
                    okButtonProps={{ 'data-testid': 'confirm-ok' }}
                    onConfirm={() => merge(c)}
                  >
                    <Button size="small" type="link" icon={<MergeCellsOutlined />} data-testid={`conversation-merge-${c.id}`} style={{ paddingInline: 0 }}>
                      {t('contact.merge')}
                    </Button>
                  </Popconfirm>
                ) : null}
              </div>
            );
          })}
          {cursor ? (
            <Button size="small" loading={loading} onClick={() => void load(cursor)} data-testid="contact-conversations-more">
              {t('common.loadMore')}
            </Button>
          ) : null}
        </Flex>
      )}
    </div>
  );
}

export function ContactPanel({
  conv,
  pageTenantId,
  canManage = false,
  canMerge = false,
  onContact,
  onMerged,
  version = 0,
}: {
  conv: ConversationItem;
  /** The page's tenant (for links into the inbox). */
  pageTenantId?: string;
  /** contacts:manage: tags and attributes can be edited. */
  canManage?: boolean;
  /** Another active conversation of the contact may be merged into this one. */
  canMerge?: boolean;
  onContact?: (c: ContactRecord) => void;
  onMerged?: (kept: ConversationItem, other: ConversationItem) => void;
  version?: number;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [editing, setEditing] = useState(false);
  const c = conv.contact;
  const name = contactName(t, c);
  const identities = c.identities ?? [];
  const attributes = Object.entries(c.attributes ?? {});
  const saved = (rec: ContactRecord) => onContact?.(rec);
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
      {conv.wrapup_category || conv.wrapup_summary ? (
        <>
          <SectionTitle>{t('wrapup.title')}</SectionTitle>
          <div className="kefu-wrapup" data-testid="conversation-wrapup-details">
            {conv.wrapup_category ? <Tag color="green">{conv.wrapup_category}</Tag> : null}
            {conv.wrapup_summary ? <Typography.Paragraph style={{ margin: '4px 0 0', whiteSpace: 'pre-wrap' }}>{conv.wrapup_summary}</Typography.Paragraph> : null}
          </div>
        </>
      ) : null}
      <SectionTitle>{t('contact.tags')}</SectionTitle>
      <ContactTags tenantId={conv.tenant_id} contact={c} canEdit={canManage} onSaved={(rec) => saved(rec)} />
      <SectionTitle>{t('contact.identities')}</SectionTitle>
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
      {attributes.length || canManage ? (
        <>
          <SectionTitle
            extra={
              canManage && !editing ? (
                <Button size="small" type="link" icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="contact-attributes-edit" style={{ paddingInline: 0 }}>
                  {t('common.edit')}
                </Button>
              ) : null
            }
          >
            {t('contact.attributes')}
          </SectionTitle>
          {editing ? (
            <AttributesEditor
              tenantId={conv.tenant_id}
              contact={c}
              onCancel={() => setEditing(false)}
              onSaved={(rec) => {
                setEditing(false);
                message.success(t('contact.attributesSaved'));
                saved(rec);
              }}
            />
          ) : attributes.length ? (
            <Descriptions column={1} size="small" items={attributes.map(([k, v]) => ({ key: k, label: k, children: v }))} data-testid="contact-attributes" />
          ) : (
            <Typography.Text type="secondary">{t('contact.noAttributes')}</Typography.Text>
          )}
        </>
      ) : null}
      <SectionTitle>{t('contact.conversations')}</SectionTitle>
      <ContactConversations conv={conv} pageTenantId={pageTenantId ?? conv.tenant_id} canMerge={canMerge} onMerged={(k, o) => onMerged?.(k, o)} version={version} />
    </div>
  );
}
