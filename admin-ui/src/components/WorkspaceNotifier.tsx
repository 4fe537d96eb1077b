// Tells the agent, wherever they are in the console, about what needs them: a
// colleague mentioned them in an internal note ({type:"mention"} on the console socket),
// or a conversation became theirs (a conversation.updated whose assignee is now them
// and was not before). Each shows a notification with a link to the conversation, a
// desktop notification when the console is not in front, and a beep, as the agent chose
// (lib/notify.ts).
import { useRef } from 'react';
import { App, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { chatApi, type Message } from '../api/chat';
import { routingApi, type AgentView } from '../api/routing';
import { useMe } from '../auth/AuthContext';
import { contactName } from '../lib/chat';
import { beep, isSelfAssign, knownAssignee, noteAssignee, showDesktop } from '../lib/notify';
import { useRealtime } from '../lib/realtime';

const ACTIVE = new Set(['bot', 'queued', 'open', 'pending']);
const AGENTS_TTL = 60_000;
const EXCERPT = 140;

interface NoteSeen {
  sender_id: string | null;
  text: string;
}

function excerpt(s: string): string {
  const r = [...s.replace(/\s+/g, ' ').trim()];
  return r.length > EXCERPT ? `${r.slice(0, EXCERPT - 1).join('')}…` : r.join('');
}

function inFront(): boolean {
  if (typeof document === 'undefined') return true;
  try {
    return document.visibilityState !== 'hidden' && document.hasFocus();
  } catch {
    return true;
  }
}

export function WorkspaceNotifier({ tenantId }: { tenantId?: string }) {
  const { t } = useTranslation();
  const { notification } = App.useApp();
  const me = useMe();
  const navigate = useNavigate();
  const notes = useRef(new Map<string, NoteSeen>());
  const agents = useRef(new Map<string, { at: number; list: Promise<AgentView[]> }>());
  const pageTenant = useRef(tenantId);
  pageTenant.current = tenantId;

  function agentsOf(tenant: string): Promise<AgentView[]> {
    const hit = agents.current.get(tenant);
    if (hit && Date.now() - hit.at < AGENTS_TTL) return hit.list;
    const list = routingApi.agents(tenant).then((r) => r.items);
    agents.current.set(tenant, { at: Date.now(), list });
    list.catch(() => agents.current.delete(tenant));
    return list;
  }

  function href(tenant: string, conversation: string): string {
    return `/t/${pageTenant.current || tenant}/inbox/${tenant}/${conversation}`;
  }

  function link(to: string, key: string, testId: string) {
    return (
      <Typography.Link
        href={to}
        data-testid={testId}
        onClick={(e) => {
          e.preventDefault();
          notification.destroy(key);
          navigate(to);
        }}
      >
        {t('notify.open')}
      </Typography.Link>
    );
  }

  async function mention(tenant: string, conversation: string, messageId: string) {
    let note = notes.current.get(messageId);
    if (!note) {
      try {
        const page = await chatApi.messages(tenant, conversation, { limit: 50 });
        const m = page.items.find((x) => x.id === messageId);
        if (m) note = { sender_id: m.sender_id, text: m.text };
      } catch {
        /* named as "a colleague" below */
      }
    }
    let who = '';
    if (note?.sender_id) {
      try {
        const a = (await agentsOf(tenant)).find((x) => x.user_id === note!.sender_id);
        who = a?.name || a?.email || '';
      } catch {
        /* unknown */
      }
    }
    const title = who ? t('notify.mentioned', { name: who }) : t('notify.mentionedAnon');
    const to = href(tenant, conversation);
    const key = `mention-${messageId}`;
    notification.info({
      key,
      message: title,
      description: (
        <div>
          {note?.text ? <div className="kefu-notify-excerpt">{excerpt(note.text)}</div> : null}
          {link(to, key, 'mention-notification-open')}
        </div>
      ),
      duration: 10,
      props: { 'data-testid': 'mention-notification', 'data-conversation': conversation } as Record<string, string>,
    });
    if (!inFront()) showDesktop(title, { body: note?.text ? excerpt(note.text) : undefined, tag: key, onClick: () => navigate(to) });
    beep();
  }

  async function assigned(tenant: string, conversation: string) {
    let name = '';
    try {
      name = contactName(t, (await chatApi.conversation(tenant, conversation)).contact);
    } catch {
      /* a generic text below */
    }
    const title = name ? t('notify.assigned', { name }) : t('notify.assignedAnon');
    const to = href(tenant, conversation);
    const key = `assigned-${conversation}`;
    notification.info({
      key,
      message: title,
      description: link(to, key, 'assignment-notification-open'),
      duration: 8,
      props: { 'data-testid': 'assignment-notification', 'data-conversation': conversation } as Record<string, string>,
    });
    if (!inFront()) showDesktop(title, { tag: key, onClick: () => navigate(to) });
    beep();
  }

  useRealtime((f) => {
    if (f.type === 'mention') {
      if (f.user_id === me.user.id) void mention(f.tenant_id, f.conversation_id, f.message_id);
      return;
    }
    if (f.type !== 'message.created' && f.type !== 'message.updated' && f.type !== 'conversation.updated') return;
    const m: Message | undefined = f.message;
    if (m && m.type === 'note') {
      notes.current.set(m.id, { sender_id: m.sender_id, text: m.text });
      if (notes.current.size > 200) notes.current.delete(notes.current.keys().next().value!);
    }
    const c = f.conversation;
    if (!c) return;
    const before = knownAssignee(f.conversation_id);
    noteAssignee(f.conversation_id, c.assignee_id);
    if (
      f.type === 'conversation.updated' &&
      c.assignee_id === me.user.id &&
      before !== me.user.id &&
      ACTIVE.has(c.status) &&
      !isSelfAssign(f.conversation_id)
    ) {
      void assigned(f.tenant_id, f.conversation_id);
    }
  });

  return null;
}
