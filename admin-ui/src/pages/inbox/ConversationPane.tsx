// One conversation: its messages (older ones load when scrolling up) and internal
// notes, a reply box (Enter sends; the reply shows at once under a client_id and is
// replaced by the server's copy; a reply the channel could not deliver is marked failed
// with a notice; a note mode with @mentions; canned responses after "/"), assign to me
// ("take over" when someone else has it) / whisper (a supervisor's note mentioning the
// assigned agent: they are notified, the customer never sees it) / transfer / resolve
// (with a wrap-up when the tenant asks for one) / reopen, who is
// typing (the customer, colleagues: a warning when a colleague types while you write a
// reply), the inbox's keyboard shortcuts for the open conversation (r, n, e, a), and the
// customer panel.
//
// The conversation's tenant may differ from the page's (the inbox spans tenants): its
// own role and permissions decide what the agent may do here.
import { useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { App, Avatar, Button, Collapse, Drawer, Empty, Flex, Grid, Spin, Tag, Tooltip, Typography } from 'antd';
import {
  ArrowLeftOutlined,
  CheckOutlined,
  ExclamationCircleFilled,
  IdcardOutlined,
  InfoCircleOutlined,
  LockOutlined,
  RedoOutlined,
  RobotOutlined,
  SwapOutlined,
  TagOutlined,
  UserAddOutlined,
  SoundOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { chatApi, type ConversationItem, type Message } from '../../api/chat';
import { routingApi, type AgentView } from '../../api/routing';
import { workspaceApi, type ContactRecord, type WrapUpSettings } from '../../api/workspace';
import { useMe } from '../../auth/AuthContext';
import { ErrorState } from '../../components/ErrorState';
import { Forbidden } from '../../components/Forbidden';
import { tenantColor } from '../../components/TenantSwitcher';
import { byTime, contactName, mergeMessages, newClientId, withState } from '../../lib/chat';
import { errorMessage, hasCode } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { expectSelfAssign, noteAssignee } from '../../lib/notify';
import { myAgentChanged } from '../../lib/presence';
import { useRealtime } from '../../lib/realtime';
import { isShortcut, useKeydown } from '../../lib/shortcuts';
import { useOptionalTenant, useTenantAccess } from '../../tenant/TenantContext';
import { AttachmentView } from './AttachmentView';
import { BotTurns } from './BotTurns';
import { Composer, type ComposeMode, type ComposerHandle } from './Composer';
import { ContactPanel } from './ContactPanel';
import { statusLabel, STATUS_COLORS, TenantTag } from './parts';
import { TransferModal } from './TransferModal';
import { WrapUpModal } from './WrapUpModal';

/** A message on screen: the server's, or a reply of ours it has not confirmed. */
type ViewMessage = Message & { local?: 'sending' | 'failed'; localError?: string };

const PAGE = 50;
const TYPING_SHOW_MS = 6000;
const TYPING_SEND_MS = 3000;
/** A colleague who typed this recently is "also writing": the collision warning. */
export const COLLISION_MS = 5000;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A note's text with the mentioned members' "@Name" set apart. */
function withMentions(text: string, names: string[]) {
  const list = names.filter(Boolean).sort((a, b) => b.length - a.length);
  if (!list.length) return text;
  const re = new RegExp(`(@(?:${list.map(escapeRe).join('|')}))`, 'g');
  return text.split(re).map((part, i) =>
    i % 2 === 1 ? (
      <span key={i} className="kefu-mention" data-testid="message-mention">
        {part}
      </span>
    ) : (
      part
    ),
  );
}

/**
 * An internal note: a yellow bubble on the agents' side, marked as internal (the
 * customer never sees it), with its author and mentions.
 */
function NoteBubble({ m, me, names, onRetry }: { m: ViewMessage; me: string; names: Map<string, string>; onRetry: (m: ViewMessage) => void }) {
  const { t } = useTranslation();
  const state = m.local ?? m.status;
  const failed = state === 'failed';
  const author = m.sender_id === me ? t('conversation.you') : (m.sender_id && names.get(m.sender_id)) || t('conversation.agent');
  const mentioned = (m.mentions ?? []).map((id) => names.get(id) ?? '').filter(Boolean);
  return (
    <div
      className={`kefu-msg is-out is-note${failed ? ' is-failed' : ''}`}
      data-testid="message"
      data-type="note"
      data-sender={m.sender_type}
      data-id={m.local ? undefined : m.id}
      data-client-id={m.client_id || undefined}
      data-direction={m.direction}
      data-status={state}
      data-mentions={(m.mentions ?? []).join(',') || undefined}
    >
      <div className="kefu-msg-who">
        <span className="kefu-msg-note-label" data-testid="message-note-badge">
          <LockOutlined /> {t('conversation.internalNote')}
        </span>{' '}
        · {author}
      </div>
      <div className="kefu-msg-bubble">
        <div className="kefu-msg-text">{withMentions(m.text, mentioned)}</div>
      </div>
      <div className="kefu-msg-meta">
        <Tooltip title={formatDateTime(m.created_at)}>
          <span>{new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</span>
        </Tooltip>
        {m.local === 'sending' ? <span data-testid="message-status">{t('conversation.delivery.sending')}</span> : null}
        <span>{t('conversation.onlyAgents')}</span>
      </div>
      {failed ? (
        <div className="kefu-msg-failed" role="alert" data-testid="message-failed">
          <ExclamationCircleFilled /> {m.localError ? t('conversation.failedBecause', { error: m.localError }) : t('conversation.failedPlain')}
          <Button type="link" size="small" icon={<RedoOutlined />} onClick={() => onRetry(m)} data-testid="message-retry">
            {t('conversation.retry')}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

/** Keeps the names a bare update (assign, read, realtime) does not carry. */
function mergeConv(prev: ConversationItem | null, next: ConversationItem): ConversationItem {
  if (!prev) return next;
  return { ...prev, ...next, contact: { ...prev.contact, ...next.contact } };
}

const HANDOFF = /^Bot hand-off:\s*/;
const GUESS = /^\s*\d+\.\s+(.*?)\s+\((\d+)%\)\s*$/;
/** The server's reasons (bot.handoffNote), to say them in the agent's language. */
const HANDOFF_REASONS: Record<string, string> = {
  'the customer asked for a person': 'asked_for_human',
  'the bot could not answer several times': 'repeated_fallbacks',
  'the customer sounds upset': 'negative_sentiment',
  'the customer sent something the bot cannot read': 'not_text',
};

/**
 * A note for agents in the conversation (type system), centred and set apart from the
 * chat. The bot's hand-off note ("Bot hand-off: <why>. Bot's guesses:\n1. <question>
 * (42%)…") shows its reason and its guesses as a list.
 */
function SystemNote({ m }: { m: Message }) {
  const { t } = useTranslation();
  const handoff = HANDOFF.test(m.text);
  let reason = m.text;
  const guesses: { q: string; score: string }[] = [];
  if (handoff) {
    const [head = '', ...rest] = m.text.replace(HANDOFF, '').split('\n');
    reason = head.replace(/\s*Bot's guesses:\s*$/, '');
    const known = HANDOFF_REASONS[reason.replace(/\.$/, '')];
    if (known) reason = t(`bot.reasons.${known}`);
    for (const line of rest) {
      const g = GUESS.exec(line);
      if (g) guesses.push({ q: g[1]!, score: `${g[2]}%` });
      else if (line.trim()) reason += `\n${line}`;
    }
  }
  return (
    <div className={`kefu-msg-note${handoff ? ' is-handoff' : ''}`} data-testid="message" data-id={m.id} data-direction="system" data-kind={handoff ? 'handoff' : 'note'} role="note">
      <div className="kefu-msg-note-title">
        {handoff ? <SwapOutlined /> : <InfoCircleOutlined />} {handoff ? t('conversation.handoffNote') : t('conversation.systemNote')}
        <span className="kefu-msg-note-time">{new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</span>
      </div>
      <div className="kefu-msg-note-text" data-testid="message-note-text">
        {reason}
      </div>
      {guesses.length ? (
        <div className="kefu-msg-note-guesses" data-testid="message-handoff-guesses">
          <div className="kefu-msg-note-sub">{t('conversation.botGuesses')}</div>
          <ol>
            {guesses.map((g, i) => (
              <li key={i}>
                {g.q} <span className="kefu-msg-note-score">{g.score}</span>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </div>
  );
}

function MessageBubble({
  m,
  tenantId,
  customer,
  me,
  names,
  onRetry,
}: {
  m: ViewMessage;
  tenantId: string;
  customer: string;
  me: string;
  names: Map<string, string>;
  onRetry: (m: ViewMessage) => void;
}) {
  const { t } = useTranslation();
  if (m.type === 'note') return <NoteBubble m={m} me={me} names={names} onRetry={onRetry} />;
  if (m.type === 'system' || m.sender_type === 'system') return <SystemNote m={m} />;
  const out = m.direction === 'out';
  const bot = m.sender_type === 'bot';
  const who = !out ? (
    customer
  ) : bot ? (
    <span className="kefu-msg-bot-label">
      <RobotOutlined /> {t('conversation.bot')}
    </span>
  ) : m.sender_id === me ? (
    t('conversation.you')
  ) : (
    (m.sender_id && names.get(m.sender_id)) || t('conversation.agent')
  );
  const state = m.local ?? m.status;
  const failed = state === 'failed';
  const error = m.local === 'failed' ? m.localError : m.error;
  return (
    <div
      className={`kefu-msg${out ? ' is-out' : ''}${bot ? ' is-bot' : ''}${failed ? ' is-failed' : ''}`}
      data-testid="message"
      data-sender={m.sender_type}
      data-id={m.local ? undefined : m.id}
      data-client-id={m.client_id || undefined}
      data-direction={m.direction}
      data-status={state}
    >
      <div className="kefu-msg-who">{who}</div>
      <div className="kefu-msg-bubble">
        {m.text ? <div className="kefu-msg-text">{m.text}</div> : null}
        {(m.attachments ?? []).map((a) => (
          <div key={a.id || a.url} className="kefu-msg-file">
            <AttachmentView tenantId={tenantId} a={a} />
          </div>
        ))}
      </div>
      <div className="kefu-msg-meta">
        <Tooltip title={formatDateTime(m.created_at)}>
          <span>{new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</span>
        </Tooltip>
        {out ? (
          <span data-testid="message-status" className={`kefu-msg-status is-${state}`}>
            {t(`conversation.delivery.${state}`, { defaultValue: state })}
          </span>
        ) : null}
      </div>
      {failed ? (
        <div className="kefu-msg-failed" role="alert" data-testid="message-failed">
          <ExclamationCircleFilled /> {error ? t('conversation.failedBecause', { error }) : t('conversation.failedPlain')}
          <Button type="link" size="small" icon={<RedoOutlined />} onClick={() => onRetry(m)} data-testid="message-retry">
            {t('conversation.retry')}
          </Button>
        </div>
      ) : null}
    </div>
  );
}

export function ConversationPane({
  tenantId,
  conversationId,
  backHref,
  onItem,
}: {
  tenantId: string;
  conversationId: string;
  /** Narrow screens: the link back to the list. */
  backHref?: string;
  /** Tells the list about a change made here (read, assigned, resolved). */
  onItem: (c: ConversationItem) => void;
}) {
  const { t } = useTranslation();
  const { message: toast } = App.useApp();
  const me = useMe();
  // The page's tenant is loaded already; another tenant's access is fetched.
  const pageTenant = useOptionalTenant();
  const own = pageTenant?.tenantId === tenantId ? pageTenant : null;
  const fetched = useTenantAccess(own ? undefined : tenantId);
  const access = own ?? fetched;
  const perms: string[] = access?.access?.permissions ?? [];
  const can = (p: string) => perms.includes(p);
  const screens = Grid.useBreakpoint();
  const sidePanel = screens.xl !== false;

  const [conv, setConv] = useState<ConversationItem | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [pending, setPending] = useState<ViewMessage[]>([]);
  const [typing, setTyping] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [contactOpen, setContactOpen] = useState(false);
  const [mode, setMode] = useState<ComposeMode>('reply');
  const [agents, setAgents] = useState<AgentView[] | null>(null);
  const [wantAgents, setWantAgents] = useState(false);
  /** Colleagues typing here: user id → name and when. */
  const [colleagues, setColleagues] = useState<Record<string, { name: string; at: number }>>({});
  const [, tick] = useReducer((x: number) => x + 1, 0);
  const [transferOpen, setTransferOpen] = useState(false);
  const [wrapUp, setWrapUp] = useState<WrapUpSettings | null>(null);
  const [contactVersion, setContactVersion] = useState(0);
  /** Whisper asked for: the assignee to mention once the members are loaded. */
  const [whisperTo, setWhisperTo] = useState<string | null>(null);

  const listRef = useRef<HTMLDivElement>(null);
  const composer = useRef<ComposerHandle>(null);
  const stick = useRef(true);
  const keepFromBottom = useRef<number | null>(null);
  const notified = useRef(new Set<string>());
  const lastTypingSent = useRef(0);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const colleagueTimers = useRef<ReturnType<typeof setTimeout>[]>([]);
  const readTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const messagesRef = useRef<Message[]>([]);
  messagesRef.current = messages;
  const onItemRef = useRef(onItem);
  onItemRef.current = onItem;

  /** Notices for replies that failed while we watched; older failures only show inline. */
  const noteFailures = useCallback(
    (list: Message[], notify: boolean) => {
      for (const m of list) {
        if (m.direction !== 'out' || m.status !== 'failed' || notified.current.has(m.id)) continue;
        notified.current.add(m.id);
        if (notify) toast.error({ content: t('conversation.failedNotice', { error: m.error || t('conversation.unknownReason') }), key: `failed-${m.id}` });
      }
    },
    [t, toast],
  );

  /** The conversation changed here: on screen, in the list, and remembered as seen. */
  const changed = useCallback((c: ConversationItem) => {
    setConv((prev) => mergeConv(prev, c));
    noteAssignee(c.id, c.assignee_id);
    onItemRef.current(c);
  }, []);

  const markRead = useCallback(() => {
    clearTimeout(readTimer.current);
    readTimer.current = setTimeout(() => {
      chatApi.read(tenantId, conversationId).then(changed, () => null);
    }, 300);
  }, [tenantId, conversationId, changed]);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const [c, page] = await Promise.all([
        chatApi.conversation(tenantId, conversationId),
        chatApi.messages(tenantId, conversationId, { limit: PAGE }),
      ]);
      const items = [...page.items].sort(byTime);
      setConv(c);
      noteAssignee(c.id, c.assignee_id);
      setMessages(items);
      setOlder(page.next_cursor);
      stick.current = true;
      noteFailures(items, false);
      if (c.unread > 0) markRead();
    } catch (err) {
      setLoadError(err);
    }
  }, [tenantId, conversationId, noteFailures, markRead]);

  useEffect(() => {
    void load();
    return () => {
      clearTimeout(readTimer.current);
      clearTimeout(typingTimer.current);
      for (const timer of colleagueTimers.current) clearTimeout(timer);
    };
  }, [load]);

  // The tenant's members: names of note authors and mentions, the @ picker. Loaded when
  // first needed (a note on screen, note mode).
  const hasNotes = messages.some((m) => m.type === 'note');
  useEffect(() => {
    if (agents !== null || !(wantAgents || hasNotes || mode === 'note')) return;
    let cancelled = false;
    routingApi.agents(tenantId).then(
      (r) => !cancelled && setAgents(r.items),
      () => !cancelled && setAgents([]),
    );
    return () => {
      cancelled = true;
    };
  }, [agents, wantAgents, hasNotes, mode, tenantId]);
  const names = useMemo(() => new Map((agents ?? []).map((a) => [a.user_id, a.name || a.email])), [agents]);

  // Whisper: note mode with the assignee mentioned, once the composer and the members are there.
  useEffect(() => {
    if (!whisperTo || agents === null || mode !== 'note') return;
    const a = agents.find((x) => x.user_id === whisperTo);
    if (a) composer.current?.mention(a);
    else composer.current?.focus();
    setWhisperTo(null);
  }, [whisperTo, agents, mode]);

  function whisper(assignee: string) {
    setMode('note');
    setWantAgents(true);
    setWhisperTo(assignee);
  }

  /** After a resync or a reconnect: what arrived meanwhile, and the current state. */
  const catchUp = useCallback(async () => {
    const last = messagesRef.current[messagesRef.current.length - 1];
    try {
      const [c, page] = await Promise.all([
        chatApi.conversation(tenantId, conversationId),
        last ? chatApi.messages(tenantId, conversationId, { after: last.id, limit: 100 }) : chatApi.messages(tenantId, conversationId, { limit: PAGE }),
      ]);
      setConv((prev) => mergeConv(prev, c));
      setMessages((list) => mergeMessages(list, page.items));
      noteFailures(page.items, true);
    } catch {
      /* the next event or resync tries again */
    }
  }, [tenantId, conversationId, noteFailures]);

  function colleagueTyping(userId: string, name: string | undefined) {
    const now = Date.now();
    setColleagues((all) => ({ ...all, [userId]: { name: name || names.get(userId) || t('conversation.agent'), at: now } }));
    // Re-render when the news expires: the warning first, then the indicator.
    for (const timer of colleagueTimers.current) clearTimeout(timer);
    colleagueTimers.current = [setTimeout(tick, COLLISION_MS + 50), setTimeout(tick, TYPING_SHOW_MS + 50)];
  }

  useRealtime((f) => {
    if (f.type === 'resync') {
      void catchUp();
      return;
    }
    if (!('conversation_id' in f) || f.conversation_id !== conversationId) return;
    switch (f.type) {
      case 'message.created':
      case 'message.updated': {
        const m = f.message;
        if (f.conversation) setConv((c) => (c ? withState(c, f.conversation) : c));
        if (!m) return;
        setMessages((list) => mergeMessages(list, [m]));
        if (m.client_id) setPending((p) => p.filter((x) => x.client_id !== m.client_id));
        noteFailures([m], true);
        if (f.type === 'message.created' && m.direction === 'in') {
          setTyping(false);
          if (typeof document === 'undefined' || document.visibilityState !== 'hidden') markRead();
        }
        if (f.type === 'message.created' && m.sender_type === 'agent' && m.sender_id) {
          const who = m.sender_id;
          setColleagues((all) => {
            if (!(who in all)) return all;
            const { [who]: _gone, ...rest } = all;
            return rest;
          });
        }
        break;
      }
      case 'conversation.updated':
        if (f.conversation) setConv((c) => (c ? withState(c, f.conversation) : c));
        break;
      case 'typing':
        if (f.from === 'contact') {
          setTyping(true);
          clearTimeout(typingTimer.current);
          typingTimer.current = setTimeout(() => setTyping(false), TYPING_SHOW_MS);
        } else if (f.from === 'agent' && f.user_id && f.user_id !== me.user.id) {
          colleagueTyping(f.user_id, f.name);
        }
        break;
    }
  });

  // Scrolling: stay at the bottom while the agent is there; keep the position when
  // older messages are put above.
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    if (keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages, pending, typing]);

  async function loadOlder() {
    if (!older || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = await chatApi.messages(tenantId, conversationId, { before: older, limit: PAGE });
      const el = listRef.current;
      keepFromBottom.current = el ? el.scrollHeight - el.scrollTop : null;
      setMessages((list) => mergeMessages(list, page.items));
      setOlder(page.next_cursor);
      noteFailures(page.items, false);
    } catch (err) {
      toast.error(errorMessage(err, t));
    } finally {
      setLoadingOlder(false);
    }
  }

  /** A reply or a note, shown at once under its client_id until the server confirms it. */
  async function send(text: string, kind: ComposeMode = 'reply', mentions: string[] = [], clientId = newClientId()) {
    const note = kind === 'note';
    const local: ViewMessage = {
      id: `local:${clientId}`,
      conversation_id: conversationId,
      direction: 'out',
      sender_type: 'agent',
      sender_id: me.user.id,
      type: note ? 'note' : 'text',
      text,
      mentions: note ? mentions : undefined,
      attachments: [],
      status: 'queued',
      client_id: clientId,
      created_at: new Date().toISOString(),
      local: 'sending',
    };
    setPending((p) => [...p.filter((x) => x.client_id !== clientId), local]);
    stick.current = true;
    try {
      const m = note
        ? await workspaceApi.note(tenantId, conversationId, { text, mentions, client_id: clientId })
        : await chatApi.reply(tenantId, conversationId, { text, client_id: clientId });
      setMessages((list) => mergeMessages(list, [m]));
      setPending((p) => p.filter((x) => x.client_id !== clientId));
      noteFailures([m], true);
    } catch (err) {
      setPending((p) => p.map((x) => (x.client_id === clientId ? { ...x, local: 'failed', localError: errorMessage(err, t) } : x)));
      // Replying to a waiting conversation takes it; that needs room in the capacity.
      if (hasCode(err, 'agent.at-capacity')) atCapacity();
    }
  }

  function retry(m: ViewMessage) {
    const kind: ComposeMode = m.type === 'note' ? 'note' : 'reply';
    // Never accepted: the same client_id (the server de-duplicates). Accepted but not
    // delivered: a new message, since the failed one stays failed.
    if (m.local === 'failed' && m.client_id) void send(m.text, kind, m.mentions ?? [], m.client_id);
    else void send(m.text, kind, m.mentions ?? []);
  }

  function typed() {
    const now = Date.now();
    if (now - lastTypingSent.current > TYPING_SEND_MS && can('conversations:reply')) {
      lastTypingSent.current = now;
      chatApi.typing(tenantId, conversationId).catch(() => null);
    }
  }

  async function act(kind: 'assign' | 'resolve' | 'reopen') {
    setBusy(kind);
    try {
      if (kind === 'assign') expectSelfAssign(conversationId);
      const c =
        kind === 'assign'
          ? await chatApi.assign(tenantId, conversationId, 'me')
          : kind === 'resolve'
            ? await chatApi.resolve(tenantId, conversationId)
            : await chatApi.reopen(tenantId, conversationId);
      changed(c);
      toast.success(t(`conversation.done.${kind}`));
    } catch (err) {
      if (hasCode(err, 'agent.at-capacity')) atCapacity();
      else toast.error(errorMessage(err, t));
    } finally {
      setBusy(null);
    }
  }

  /** Resolve: straight away, or through the wrap-up dialog when the tenant asks for one. */
  async function resolve() {
    if (busy) return;
    setBusy('resolve');
    let settings: WrapUpSettings | null = null;
    try {
      settings = await workspaceApi.wrapUp(tenantId);
    } catch {
      // A server without wrap-up (or a hiccup): resolve as before; the server still
      // refuses when a wrap-up is required, and the error says so.
    }
    if (settings && settings.mode !== 'off') {
      setBusy(null);
      setWrapUp(settings);
      return;
    }
    setBusy(null);
    await act('resolve');
  }

  /** 409 agent.at-capacity: say why, and let the header show the load that caused it. */
  function atCapacity() {
    toast.error({ content: <span data-testid="conversation-at-capacity">{t('conversation.atCapacity')}</span>, key: 'at-capacity', duration: 6 });
    myAgentChanged();
  }

  const status = conv?.status;
  const isClosed = status === 'closed';
  const isResolved = status === 'resolved' || status === 'closed';
  const isMine = conv?.assignee_id === me.user.id;

  // r: reply, n: note, e: resolve, a: assign to me (j/k and ? belong to the inbox).
  useKeydown((e) => {
    if (!conv || !isShortcut(e)) return;
    const replying = can('conversations:reply') && !isClosed;
    switch (e.key) {
      case 'r':
        if (!replying) return;
        setMode('reply');
        composer.current?.focus();
        break;
      case 'n':
        if (!replying) return;
        setMode('note');
        composer.current?.focus();
        break;
      case 'e':
        if (!can('conversations:reply') || isResolved) return;
        void resolve();
        break;
      case 'a':
        if (isMine || isClosed || !can('conversations:assign') || busy) return;
        void act('assign');
        break;
      default:
        return;
    }
    e.preventDefault();
  });

  if (access?.error) return <section className="kefu-conv"><ErrorState error={access.error} onRetry={() => void access.reload()} /></section>;
  if (access?.access && !can('conversations:read')) return <section className="kefu-conv"><Forbidden /></section>;
  if (loadError) return <section className="kefu-conv"><ErrorState error={loadError} onRetry={() => void load()} /></section>;
  if (!conv) {
    return (
      <section className="kefu-conv kefu-conv-empty" data-testid="conversation-loading">
        <Spin />
      </section>
    );
  }

  const customer = contactName(t, conv.contact);
  const shown: ViewMessage[] = [...messages, ...pending.filter((p) => !messages.some((m) => m.client_id && m.client_id === p.client_id))];
  const closed = isClosed;
  const canReply = can('conversations:reply') && !closed;
  const mine = isMine;
  const resolved = isResolved;
  // The bot took part: its turns are worth a look (after a hand-off above all).
  const botInvolved = conv.status === 'bot' || messages.some((m) => m.sender_type === 'bot' || m.sender_type === 'system');
  const now = Date.now();
  const typingColleagues = Object.values(colleagues).filter((c) => now - c.at < TYPING_SHOW_MS);
  const colliding = Object.values(colleagues).find((c) => now - c.at < COLLISION_MS)?.name ?? null;

  const contactPanel = (
    <ContactPanel
      conv={conv}
      pageTenantId={pageTenant?.tenantId}
      canManage={can('contacts:manage')}
      canMerge={can('conversations:manage')}
      version={contactVersion}
      onContact={(rec: ContactRecord) => setConv((prev) => (prev ? { ...prev, contact: { ...prev.contact, ...rec } } : prev))}
      onMerged={(kept, other) => {
        changed(kept);
        onItemRef.current(other);
        setContactVersion((v) => v + 1);
        // The other conversation's messages are here now, wherever they fall in time.
        void load();
      }}
    />
  );

  return (
    <section className="kefu-conv" data-testid="conversation" data-conversation={conv.id} aria-label={t('conversation.label', { name: customer })}>
      <header className="kefu-conv-head">
        {backHref ? (
          <Link to={backHref} aria-label={t('conversation.back')} data-testid="conversation-back">
            <ArrowLeftOutlined />
          </Link>
        ) : null}
        <Avatar src={conv.contact.avatar_url || undefined} style={{ background: tenantColor(conv.tenant_id), flex: 'none' }}>
          {[...customer][0]?.toUpperCase()}
        </Avatar>
        <div style={{ minWidth: 0, flex: 1 }}>
          <Typography.Text strong ellipsis style={{ display: 'block' }} data-testid="conversation-title">
            {customer}
          </Typography.Text>
          <Flex gap={4} wrap align="center">
            <TenantTag id={conv.tenant_id} name={conv.tenant_name} />
            {conv.channel_name ? <Tag style={{ marginInlineEnd: 0 }}>{conv.channel_name}</Tag> : null}
            <Tag color={STATUS_COLORS[conv.status]} style={{ marginInlineEnd: 0 }} data-testid="conversation-status" data-status={conv.status}>
              {statusLabel(t, conv.status)}
            </Tag>
            {conv.wrapup_category || conv.wrapup_summary ? (
              <Tooltip title={conv.wrapup_summary || undefined}>
                <Tag icon={<TagOutlined />} color="green" style={{ marginInlineEnd: 0 }} data-testid="conversation-wrapup" data-category={conv.wrapup_category || undefined}>
                  {conv.wrapup_category || t('wrapup.summaryOnly')}
                </Tag>
              </Tooltip>
            ) : null}
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="conversation-assignee">
              {mine ? t('conversation.assignedToMe') : conv.assignee_id ? t('conversation.assignedToOther') : t('conversation.unassigned')}
            </Typography.Text>
          </Flex>
        </div>
        <Flex gap={8} wrap justify="end">
          {!mine && !closed && can('conversations:assign') ? (
            <Tooltip title={conv.assignee_id ? `${t('conversation.takeOverHint')} (${t('shortcuts.hint', { key: 'a' })})` : t('shortcuts.hint', { key: 'a' })}>
              <Button icon={<UserAddOutlined />} loading={busy === 'assign'} onClick={() => void act('assign')} data-testid="conversation-assign-me" data-take-over={conv.assignee_id ? 'true' : undefined}>
                {conv.assignee_id ? t('conversation.takeOver') : t('conversation.assignMe')}
              </Button>
            </Tooltip>
          ) : null}
          {conv.assignee_id && !mine && !closed && can('conversations:assign') && can('conversations:reply') ? (
            <Tooltip title={t('conversation.whisperHint')}>
              <Button icon={<SoundOutlined />} onClick={() => whisper(conv.assignee_id!)} data-testid="conversation-whisper">
                {t('conversation.whisper')}
              </Button>
            </Tooltip>
          ) : null}
          {!resolved && can('conversations:assign') ? (
            <Button icon={<UserSwitchOutlined />} onClick={() => setTransferOpen(true)} data-testid="conversation-transfer">
              {t('transfer.open')}
            </Button>
          ) : null}
          {can('conversations:reply') ? (
            resolved ? (
              <Button icon={<RedoOutlined />} loading={busy === 'reopen'} onClick={() => void act('reopen')} data-testid="conversation-reopen">
                {t('conversation.reopen')}
              </Button>
            ) : (
              <Tooltip title={t('shortcuts.hint', { key: 'e' })}>
                <Button type="primary" ghost icon={<CheckOutlined />} loading={busy === 'resolve'} onClick={() => void resolve()} data-testid="conversation-resolve">
                  {t('conversation.resolve')}
                </Button>
              </Tooltip>
            )
          ) : null}
          {!sidePanel ? (
            <Button icon={<IdcardOutlined />} onClick={() => setContactOpen(true)} aria-label={t('contact.title')} data-testid="conversation-contact-open" />
          ) : null}
        </Flex>
      </header>
      <div className="kefu-conv-body">
        <div className="kefu-conv-main">
          {botInvolved ? (
            <Collapse
              size="small"
              bordered={false}
              className="kefu-bot-turns-panel"
              data-testid="bot-turns"
              items={[
                {
                  key: 'turns',
                  label: <span data-testid="bot-turns-toggle">{t('conversation.botTurns.title')}</span>,
                  children: <BotTurns tenantId={tenantId} conversationId={conversationId} linkEntries={can('kb:read')} />,
                },
              ]}
            />
          ) : null}
          <div
            className="kefu-msgs"
            ref={listRef}
            role="log"
            aria-live="polite"
            aria-label={t('conversation.messages')}
            data-testid="message-list"
            onScroll={(e) => {
              const el = e.currentTarget;
              stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
              if (el.scrollTop < 40 && older) void loadOlder();
            }}
          >
            {older ? (
              <div style={{ textAlign: 'center', padding: 8 }}>
                <Button size="small" loading={loadingOlder} onClick={() => void loadOlder()} data-testid="message-load-older">
                  {t('conversation.loadOlder')}
                </Button>
              </div>
            ) : shown.length ? (
              <div className="kefu-msg-system">{t('conversation.start', { date: formatDateTime(conv.created_at) })}</div>
            ) : null}
            {shown.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('conversation.noMessages')} /> : null}
            {shown.map((m) => (
              <MessageBubble key={m.client_id && m.local ? `c:${m.client_id}` : m.id} m={m} tenantId={tenantId} customer={customer} me={me.user.id} names={names} onRetry={retry} />
            ))}
          </div>
          <div className="kefu-typing" data-testid="typing-indicator" hidden={!typing} aria-live="polite">
            {typing ? t('conversation.typing', { name: customer }) : ''}
          </div>
          <div className="kefu-typing is-agent" data-testid="agent-typing" hidden={!typingColleagues.length} aria-live="polite">
            {typingColleagues.length ? t('conversation.typing', { name: typingColleagues.map((c) => c.name).join(', ') }) : ''}
          </div>
          <div className="kefu-reply">
            {closed ? (
              <Typography.Text type="secondary" data-testid="reply-closed">
                {t('conversation.closedHint')}
              </Typography.Text>
            ) : !can('conversations:reply') ? (
              <Typography.Text type="secondary" data-testid="reply-readonly">
                {access?.access ? t('conversation.readOnly') : ''}
              </Typography.Text>
            ) : (
              <Composer
                ref={composer}
                tenantId={tenantId}
                conversationId={conversationId}
                me={me.user.id}
                disabled={!canReply}
                mode={mode}
                onMode={setMode}
                agents={agents}
                onNeedAgents={() => setWantAgents(true)}
                onSend={(text, kind, mentions) => void send(text, kind, mentions)}
                onTyping={typed}
                collidingWith={colliding}
              />
            )}
          </div>
        </div>
        {sidePanel ? (
          <aside className="kefu-conv-side" aria-label={t('contact.title')}>
            {contactPanel}
          </aside>
        ) : (
          <Drawer open={contactOpen} onClose={() => setContactOpen(false)} title={t('contact.title')} width={320}>
            {contactPanel}
          </Drawer>
        )}
      </div>
      <TransferModal
        open={transferOpen}
        tenantId={tenantId}
        conversation={conv}
        me={me.user.id}
        onClose={() => setTransferOpen(false)}
        onDone={(c) => {
          setTransferOpen(false);
          changed(c);
          toast.success(t('transfer.done'));
        }}
      />
      <WrapUpModal
        tenantId={tenantId}
        conversationId={conversationId}
        settings={wrapUp}
        onClose={() => setWrapUp(null)}
        onDone={(c) => {
          setWrapUp(null);
          changed(c);
          toast.success(t('conversation.done.resolve'));
        }}
      />
    </section>
  );
}
