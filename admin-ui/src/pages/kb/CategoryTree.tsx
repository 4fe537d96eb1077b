// The knowledge base's category tree: pick a category to filter the entries; create,
// rename, move and delete categories (kb:edit). A category holds a name per language.
import { useMemo, useState, type ReactNode } from 'react';
import { App, Button, Card, Empty, Flex, Form, Input, Popconfirm, Tooltip, Tree, TreeSelect, Typography } from 'antd';
import { DeleteOutlined, DragOutlined, EditOutlined, FolderOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { kbApi } from '../../api/endpoints';
import type { KbCategory } from '../../api/types';
import { FormError } from '../../components/FormError';
import { FormModal } from '../../components/FormModal';
import { errorMessage } from '../../lib/errors';
import { runeLength } from '../../lib/rules';
import { categoryName, categoryTree, KB_LOCALES, subtreeIds } from './parts';

const MAX_NAME = 100;
const TOP = '__top__';

type Mode = 'create' | 'rename' | 'move';

interface Values {
  'zh-CN'?: string;
  en?: string;
  parent?: string;
}

function CategoryForm({
  tenantId,
  mode,
  categories,
  target,
  onDone,
  onCancel,
}: {
  tenantId: string;
  mode: Mode;
  categories: KbCategory[];
  /** The category renamed or moved; the parent of a new one. */
  target: KbCategory | null;
  onDone: (c: KbCategory) => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const parents = useMemo(() => {
    // A category cannot move under itself or its own descendants.
    const skip = mode === 'move' && target ? subtreeIds(categories, target.id) : new Set<string>();
    const tree = categoryTree(categories.filter((c) => !skip.has(c.id)), i18n.language);
    return [{ key: TOP, value: TOP, title: t('kb.categories.top'), children: tree }];
  }, [categories, target, mode, i18n.language, t]);

  const initial: Values =
    mode === 'rename' && target
      ? { 'zh-CN': target.name['zh-CN'] ?? '', en: target.name.en ?? '' }
      : mode === 'move' && target
        ? { parent: target.parent_id ?? TOP }
        : { parent: target?.id ?? TOP };

  async function save(v: Values) {
    setError(null);
    const name: Record<string, string> = {};
    for (const l of KB_LOCALES) if (v[l]?.trim()) name[l] = v[l]!.trim();
    const parent = v.parent && v.parent !== TOP ? v.parent : null;
    setBusy(true);
    try {
      const c =
        mode === 'create'
          ? await kbApi.createCategory(tenantId, { name, parent_id: parent })
          : mode === 'rename'
            ? await kbApi.renameCategory(tenantId, target!.id, name)
            : await kbApi.moveCategory(tenantId, target!.id, { parent_id: parent });
      onDone(c);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const nameRule = (l: string) => ({
    validator: (_r: unknown, v: string | undefined) => {
      if (v && runeLength(v.trim()) > MAX_NAME) return Promise.reject(new Error(t('validation.maxLength', { count: MAX_NAME })));
      if (l === 'zh-CN' && !v?.trim() && !form.getFieldValue('en')?.trim()) return Promise.reject(new Error(t('kb.categories.nameRequired')));
      return Promise.resolve();
    },
  });

  return (
    <Form form={form} layout="vertical" requiredMark={false} initialValues={initial} onFinish={(v) => void save(v)} data-testid="kb-category-form">
      <FormError error={error} testId="kb-category-error" />
      {mode !== 'move' ? (
        <>
          <Form.Item name="zh-CN" label={t('kb.categories.nameZh')} rules={[nameRule('zh-CN')]} dependencies={['en']}>
            <Input data-testid="kb-category-name-zh" autoComplete="off" />
          </Form.Item>
          <Form.Item name="en" label={t('kb.categories.nameEn')} rules={[nameRule('en')]} extra={t('kb.categories.nameHint')}>
            <Input data-testid="kb-category-name-en" autoComplete="off" />
          </Form.Item>
        </>
      ) : null}
      {mode !== 'rename' ? (
        <Form.Item name="parent" label={t('kb.categories.parent')}>
          <TreeSelect treeData={parents} treeDefaultExpandAll data-testid="kb-category-parent" aria-label={t('kb.categories.parent')} />
        </Form.Item>
      ) : null}
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="kb-category-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}

export function CategoryTree({
  tenantId,
  categories,
  loading,
  selected,
  onSelect,
  canEdit,
  onChanged,
}: {
  tenantId: string;
  categories: KbCategory[];
  loading: boolean;
  selected: string;
  onSelect: (id: string) => void;
  canEdit: boolean;
  onChanged: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [mode, setMode] = useState<Mode | null>(null);
  const tree = useMemo(() => categoryTree(categories, i18n.language), [categories, i18n.language]);
  const current = categories.find((c) => c.id === selected) ?? null;

  async function remove(c: KbCategory) {
    try {
      await kbApi.deleteCategory(tenantId, c.id);
      message.success(t('kb.categories.deleted', { name: categoryName(c, i18n.language) }));
      onSelect('');
      onChanged();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  }

  const tool = (label: string, icon: ReactNode, testId: string, onClick?: () => void, disabled = false) => (
    <Tooltip title={label}>
      <Button size="small" type="text" icon={icon} aria-label={label} onClick={onClick} disabled={disabled} data-testid={testId} />
    </Tooltip>
  );

  return (
    <Card
      size="small"
      title={t('kb.categories.title')}
      data-testid="kb-categories"
      extra={
        canEdit ? (
          <Flex gap={2}>
            {tool(current ? t('kb.categories.addChild') : t('kb.categories.add'), <PlusOutlined />, 'kb-category-add', () => setMode('create'))}
            {tool(t('kb.categories.rename'), <EditOutlined />, 'kb-category-rename', () => setMode('rename'), !current)}
            {tool(t('kb.categories.move'), <DragOutlined />, 'kb-category-move', () => setMode('move'), !current)}
            {current ? (
              <Popconfirm
                title={t('kb.categories.deleteTitle', { name: categoryName(current, i18n.language) })}
                description={t('kb.categories.deleteBody')}
                okText={t('common.delete')}
                cancelText={t('common.cancel')}
                okButtonProps={{ danger: true, 'data-testid': 'confirm-ok' }}
                onConfirm={() => remove(current)}
              >
                {tool(t('common.delete'), <DeleteOutlined />, 'kb-category-delete')}
              </Popconfirm>
            ) : (
              tool(t('common.delete'), <DeleteOutlined />, 'kb-category-delete', undefined, true)
            )}
          </Flex>
        ) : null
      }
    >
      <Button
        type={selected ? 'text' : 'link'}
        block
        icon={<FolderOutlined />}
        style={{ textAlign: 'left', justifyContent: 'flex-start', fontWeight: selected ? 400 : 600 }}
        onClick={() => onSelect('')}
        data-testid="kb-category-all"
        aria-pressed={!selected}
      >
        {t('kb.categories.all')}
      </Button>
      {tree.length ? (
        <Tree
          blockNode
          defaultExpandAll
          selectedKeys={selected ? [selected] : []}
          treeData={tree}
          onSelect={(keys) => onSelect(keys.length ? String(keys[0]) : '')}
          titleRender={(n) => (
            <span data-testid={`kb-category-${n.key}`} data-name={n.title}>
              {n.title}
            </span>
          )}
        />
      ) : !loading ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<Typography.Text type="secondary">{t('kb.categories.empty')}</Typography.Text>} />
      ) : null}

      <FormModal
        open={mode !== null}
        title={mode === 'create' ? t('kb.categories.createTitle') : mode === 'rename' ? t('kb.categories.renameTitle') : t('kb.categories.moveTitle')}
        onCancel={() => setMode(null)}
        footer={null}
        destroyOnHidden
      >
        {mode ? (
          <CategoryForm
            tenantId={tenantId}
            mode={mode}
            categories={categories}
            target={current}
            onCancel={() => setMode(null)}
            onDone={(c) => {
              setMode(null);
              message.success(t('kb.categories.saved', { name: categoryName(c, i18n.language) }));
              if (mode === 'create') onSelect(c.id);
              onChanged();
            }}
          />
        ) : null}
      </FormModal>
    </Card>
  );
}
