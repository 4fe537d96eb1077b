// The reply box: a reply to the customer, or an internal note for colleagues (the Reply
// / Note toggle). In a note, "@" opens a picker of the tenant's members and the ones
// picked are sent as mentions. Typing "/" at the start opens the canned responses
// (filtered by shortcut, title and text as one types; ↑/↓ and Enter pick, Escape
// closes); a picked response is rendered by the server with this conversation's
// variables and put in the box. Enter (or Ctrl/⌘+Enter) sends, Shift+Enter is a new
// line. While the agent writes a reply and a colleague typed in the last seconds, a
// warning says so.
import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState, type ReactNode } from 'react';
import { Alert, App, Button, Empty, Flex, Input, Segmented, Spin, Tag, Typography } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { LockOutlined, MessageOutlined, SendOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { AgentView } from '../../api/routing';
import { MAX_MENTIONS, MAX_NOTE, workspaceApi, type CannedResponse } from '../../api/workspace';
import { errorMessage } from '../../lib/errors';
import { isSendChord } from '../../lib/shortcuts';

export type ComposeMode = 'reply' | 'note';

export interface ComposerHandle {
  focus(): void;
  /** Starts a note that mentions this member ("@Name " first in the box), and focuses it. */
  mention(a: Pick<AgentView, 'user_id' | 'name' | 'email'>): void;
}

const CANNED_TTL = 60_000;
const MAX_SHOWN = 50;
const CANNED_RE = /^\/([^\n]{0,80})$/;
const MENTION_RE = /(^|\s)@([^\s@]{0,40})$/;

/** Canned responses matching what follows "/": shortcuts that start with it first. */
export function filterCanned(list: CannedResponse[], q: string): CannedResponse[] {
  const s = q.trim().toLowerCase();
  if (!s) return list;
  const first: CannedResponse[] = [];
  const then: CannedResponse[] = [];
  for (const c of list) {
    const sc = c.shortcut.toLowerCase();
    if (sc.startsWith(s)) first.push(c);
    else if (sc.includes(s) || c.title.toLowerCase().includes(s) || c.text.toLowerCase().includes(s)) then.push(c);
  }
  return [...first, ...then];
}

function agentName(a: Pick<AgentView, 'name' | 'email'>): string {
  return a.name || a.email;
}

interface MentionQuery {
  start: number;
  end: number;
  query: string;
}

function mentionAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const m = MENTION_RE.exec(before);
  if (!m) return null;
  return { start: caret - m[2]!.length - 1, end: caret, query: m[2]! };
}

function Suggestions<T>({
  id,
  testId,
  label,
  items,
  active,
  loading,
  empty,
  keyOf,
  optionTestId,
  render,
  onPick,
  onHover,
}: {
  id: string;
  testId: string;
  label: string;
  items: T[];
  active: number;
  loading?: boolean;
  empty: ReactNode;
  keyOf: (x: T) => string;
  optionTestId: (x: T) => string;
  render: (x: T) => ReactNode;
  onPick: (x: T) => void;
  onHover: (i: number) => void;
}) {
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = list.current?.querySelector<HTMLElement>('[aria-selected="true"]');
    el?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);
  return (
    <div className="kefu-suggest" role="listbox" id={id} aria-label={label} data-testid={testId} ref={list}>
      {loading ? (
        <div style={{ padding: 12, textAlign: 'center' }}>
          <Spin size="small" />
        </div>
      ) : items.length === 0 ? (
        <div className="kefu-suggest-empty">{empty}</div>
      ) : (
        items.map((x, i) => (
          <div
            key={keyOf(x)}
            id={`${id}-${i}`}
            role="option"
            aria-selected={i === active}
            className={`kefu-suggest-item${i === active ? ' is-active' : ''}`}
            data-testid={optionTestId(x)}
            // Keep the focus in the reply box.
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => onHover(i)}
            onClick={() => onPick(x)}
          >
            {render(x)}
          </div>
        ))
      )}
    </div>
  );
}

export const Composer = forwardRef<
  ComposerHandle,
  {
    tenantId: string;
    conversationId: string;
    me: string;
    disabled: boolean;
    mode: ComposeMode;
    onMode: (m: ComposeMode) => void;
    /** The tenant's members (for @mentions); null until loaded. */
    agents: AgentView[] | null;
    /** Asks for the members to be loaded (the first "@"). */
    onNeedAgents: () => void;
    onSend: (text: string, mode: ComposeMode, mentions: string[]) => void;
    /** The agent typed a reply (throttled by the caller). */
    onTyping: () => void;
    /** The name of a colleague who typed here in the last seconds, if any. */
    collidingWith: string | null;
  }
>(function Composer({ tenantId, conversationId, me, disabled, mode, onMode, agents, onNeedAgents, onSend, onTyping, collidingWith }, ref) {
  const { t } = useTranslation();
  const { message: toast } = App.useApp();
  const input = useRef<TextAreaRef>(null);
  const [draft, setDraft] = useState('');
  const [mentioned, setMentioned] = useState<Map<string, string>>(new Map());
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [cannedClosed, setCannedClosed] = useState(false);
  const [canned, setCanned] = useState<{ at: number; items: CannedResponse[] } | null>(null);
  const [cannedLoading, setCannedLoading] = useState(false);
  const [cannedError, setCannedError] = useState<unknown>(null);
  const [rendering, setRendering] = useState(false);
  const [active, setActive] = useState(0);
  const caretAfter = useRef<number | null>(null);

  useImperativeHandle(
    ref,
    () => ({
      focus: () => input.current?.focus(),
      mention: (a) => {
        const name = agentName(a);
        const tag = `@${name} `;
        setMentioned((m) => new Map(m).set(a.user_id, name));
        setMention(null);
        setDraft((d) => {
          const next = d.includes(`@${name}`) ? d : tag + d;
          caretAfter.current = next.length;
          return next;
        });
        input.current?.focus();
      },
    }),
    [],
  );

  const textarea = () => input.current?.resizableTextArea?.textArea;

  // Put the caret where an insertion ended.
  useEffect(() => {
    if (caretAfter.current === null) return;
    const el = textarea();
    const at = caretAfter.current;
    caretAfter.current = null;
    if (el) {
      el.focus();
      el.setSelectionRange(at, at);
    }
  }, [draft]);

  const cannedMatch = !cannedClosed && !rendering ? CANNED_RE.exec(draft) : null;
  const cannedOpen = !!cannedMatch;
  const cannedQuery = cannedMatch?.[1] ?? '';

  useEffect(() => {
    if (!cannedOpen || cannedLoading) return;
    if (canned && Date.now() - canned.at < CANNED_TTL) return;
    if (cannedError) return;
    setCannedLoading(true);
    workspaceApi
      .canned(tenantId)
      .then(
        (r) => setCanned({ at: Date.now(), items: r.items }),
        (err: unknown) => setCannedError(err),
      )
      .finally(() => setCannedLoading(false));
  }, [cannedOpen, canned, cannedLoading, cannedError, tenantId]);

  const cannedItems = useMemo(() => (cannedOpen ? filterCanned(canned?.items ?? [], cannedQuery).slice(0, MAX_SHOWN) : []), [cannedOpen, canned, cannedQuery]);
  const mentionItems = useMemo(() => {
    if (!mention || mode !== 'note' || cannedOpen) return [];
    const q = mention.query.toLowerCase();
    return (agents ?? []).filter((a) => a.user_id !== me && (!q || a.name.toLowerCase().includes(q) || a.email.toLowerCase().includes(q))).slice(0, 8);
  }, [mention, mode, cannedOpen, agents, me]);
  const mentionOpen = !!mention && mode === 'note' && !cannedOpen;
  const pickerKey = cannedOpen ? `c:${cannedQuery}` : mentionOpen ? `m:${mention!.query}` : '';
  useEffect(() => setActive(0), [pickerKey]);
  const count = cannedOpen ? cannedItems.length : mentionItems.length;

  function change(v: string, caret: number | null) {
    setDraft(v);
    if (!v.startsWith('/')) {
      setCannedClosed(false);
      setCannedError(null);
    }
    const m = mode === 'note' && caret !== null ? mentionAt(v, caret) : null;
    setMention(m);
    if (m && agents === null) onNeedAgents();
    if (mode === 'reply' && v.trim()) onTyping();
  }

  async function pickCanned(c: CannedResponse) {
    setRendering(true);
    try {
      const r = await workspaceApi.renderCanned(tenantId, c.id, conversationId);
      caretAfter.current = r.text.length;
      setDraft(r.text);
    } catch (err) {
      // Unfilled is better than nothing: the agent sees the variables and edits them.
      caretAfter.current = c.text.length;
      setDraft(c.text);
      toast.warning(t('composer.renderFailed', { error: errorMessage(err, t) }));
    } finally {
      setCannedClosed(true);
      setRendering(false);
    }
  }

  function pickMention(a: AgentView) {
    if (!mention) return;
    const name = agentName(a);
    const insert = `@${name} `;
    const next = draft.slice(0, mention.start) + insert + draft.slice(mention.end);
    caretAfter.current = mention.start + insert.length;
    setDraft(next);
    setMentioned((m) => new Map(m).set(a.user_id, name));
    setMention(null);
  }

  function submit() {
    const text = draft.replace(/\s+$/, '');
    if (!text.trim() || disabled || rendering) return;
    const ids = mode === 'note' ? [...mentioned].filter(([, name]) => text.includes(`@${name}`)).map(([id]) => id) : [];
    if (ids.length > MAX_MENTIONS) {
      toast.error(t('composer.tooManyMentions', { max: MAX_MENTIONS }));
      return;
    }
    setDraft('');
    setMentioned(new Map());
    setMention(null);
    onSend(text, mode, ids);
  }

  const note = mode === 'note';
  const listId = `composer-suggest-${conversationId}`;

  return (
    <div className={`kefu-composer${note ? ' is-note' : ''}`}>
      {mode === 'reply' && draft.trim() && collidingWith ? (
        <Alert type="warning" showIcon banner data-testid="collision-warning" message={t('composer.collision', { name: collidingWith })} style={{ marginBottom: 8, borderRadius: 6 }} />
      ) : null}
      <Flex justify="space-between" align="center" gap={8} wrap style={{ marginBottom: 8 }}>
        <Segmented<ComposeMode>
          size="small"
          value={mode}
          onChange={(m) => {
            onMode(m);
            setMention(null);
            input.current?.focus();
          }}
          options={[
            { value: 'reply', label: <span data-testid="reply-mode-reply"><MessageOutlined /> {t('composer.reply')}</span> },
            { value: 'note', label: <span data-testid="reply-mode-note"><LockOutlined /> {t('composer.note')}</span> },
          ]}
          aria-label={t('composer.mode')}
        />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {note ? t('composer.noteHint') : t('composer.cannedHint')}
        </Typography.Text>
      </Flex>
      <div className="kefu-composer-box">
        {cannedOpen ? (
          <Suggestions<CannedResponse>
            id={listId}
            testId="canned-picker"
            label={t('composer.cannedLabel')}
            items={cannedItems}
            active={active}
            loading={cannedLoading && !canned}
            empty={cannedError ? errorMessage(cannedError, t) : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('composer.cannedEmpty')} style={{ margin: 0 }} />}
            keyOf={(c) => c.id}
            optionTestId={(c) => `canned-option-${c.shortcut}`}
            onHover={setActive}
            onPick={(c) => void pickCanned(c)}
            render={(c) => (
              <>
                <Flex gap={6} align="center">
                  <Typography.Text code>/{c.shortcut}</Typography.Text>
                  <Typography.Text strong ellipsis>
                    {c.title}
                  </Typography.Text>
                  {c.scope === 'personal' ? <Tag style={{ marginInlineStart: 'auto' }}>{t('canned.scopes.personal')}</Tag> : null}
                </Flex>
                <Typography.Text type="secondary" ellipsis style={{ fontSize: 12, display: 'block' }}>
                  {c.text}
                </Typography.Text>
              </>
            )}
          />
        ) : mentionOpen ? (
          <Suggestions<AgentView>
            id={listId}
            testId="mention-picker"
            label={t('composer.mentionLabel')}
            items={mentionItems}
            active={active}
            loading={agents === null}
            empty={t('composer.mentionEmpty')}
            keyOf={(a) => a.user_id}
            optionTestId={(a) => `mention-option-${a.email}`}
            onHover={setActive}
            onPick={pickMention}
            render={(a) => (
              <Flex gap={6} align="baseline">
                <Typography.Text strong>{agentName(a)}</Typography.Text>
                {a.name ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {a.email}
                  </Typography.Text>
                ) : null}
              </Flex>
            )}
          />
        ) : null}
        <Flex gap={8} align="end">
          <Input.TextArea
            ref={input}
            value={draft}
            onChange={(e) => change(e.target.value, e.target.selectionStart)}
            onKeyDown={(e) => {
              if (e.nativeEvent.isComposing || e.keyCode === 229) return;
              if (cannedOpen || (mentionOpen && count > 0)) {
                if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                  e.preventDefault();
                  if (count) setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : count - 1)) % count);
                  return;
                }
                if (e.key === 'Enter' || e.key === 'Tab') {
                  e.preventDefault();
                  if (cannedOpen && cannedItems[active]) void pickCanned(cannedItems[active]);
                  else if (mentionOpen && mentionItems[active]) pickMention(mentionItems[active]);
                  return;
                }
                if (e.key === 'Escape') {
                  e.preventDefault();
                  e.stopPropagation();
                  if (cannedOpen) setCannedClosed(true);
                  else setMention(null);
                  return;
                }
              }
              if (isSendChord(e) || (e.key === 'Enter' && !e.shiftKey && !e.altKey)) {
                e.preventDefault();
                submit();
              }
            }}
            autoSize={{ minRows: 1, maxRows: 6 }}
            maxLength={MAX_NOTE}
            placeholder={note ? t('composer.notePlaceholder') : t('conversation.replyPlaceholder')}
            aria-label={note ? t('composer.note') : t('conversation.reply')}
            aria-autocomplete="list"
            aria-controls={cannedOpen || mentionOpen ? listId : undefined}
            aria-activedescendant={(cannedOpen || mentionOpen) && count ? `${listId}-${active}` : undefined}
            data-testid="reply-input"
            data-mode={mode}
            disabled={disabled}
          />
          <Button
            type="primary"
            icon={note ? <LockOutlined /> : <SendOutlined />}
            onClick={submit}
            disabled={!draft.trim() || disabled || rendering}
            data-testid="reply-send"
            className={note ? 'kefu-note-send' : undefined}
          >
            {note ? t('composer.addNote') : t('conversation.send')}
          </Button>
        </Flex>
      </div>
    </div>
  );
});
