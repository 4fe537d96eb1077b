// Desktop notifications and a short beep for what needs the agent (a conversation
// assigned to them, a mention in a note), with the agent's choice of each remembered
// in localStorage["kefu.notify"]. Everything no-ops where the browser lacks the API
// (jsdom, an insecure origin, a denied permission).
import { useCallback, useEffect, useState } from 'react';
import { readLocal, writeLocal } from './storage';

export const NOTIFY_KEY = 'kefu.notify';

export interface NotifySettings {
  desktop: boolean;
  sound: boolean;
}

const DEFAULTS: NotifySettings = { desktop: false, sound: false };

export function readNotifySettings(): NotifySettings {
  try {
    const v = JSON.parse(readLocal(NOTIFY_KEY) || 'null') as Partial<NotifySettings> | null;
    return { desktop: v?.desktop === true, sound: v?.sound === true };
  } catch {
    return DEFAULTS;
  }
}

const listeners = new Set<(s: NotifySettings) => void>();

export function writeNotifySettings(s: NotifySettings): void {
  writeLocal(NOTIFY_KEY, JSON.stringify(s));
  for (const fn of [...listeners]) fn(s);
}

/** The settings, kept current when another screen (or tab) changes them. */
export function useNotifySettings(): [NotifySettings, (patch: Partial<NotifySettings>) => void] {
  const [s, setS] = useState(readNotifySettings);
  useEffect(() => {
    listeners.add(setS);
    const onStorage = (e: StorageEvent) => {
      if (e.key === NOTIFY_KEY) setS(readNotifySettings());
    };
    window.addEventListener('storage', onStorage);
    return () => {
      listeners.delete(setS);
      window.removeEventListener('storage', onStorage);
    };
  }, []);
  const update = useCallback((patch: Partial<NotifySettings>) => writeNotifySettings({ ...readNotifySettings(), ...patch }), []);
  return [s, update];
}

type NotificationCtor = typeof Notification;

function notificationApi(): NotificationCtor | null {
  return typeof window !== 'undefined' && 'Notification' in window ? (window.Notification as NotificationCtor) : null;
}

/** Whether this browser can show desktop notifications at all. */
export function desktopSupported(): boolean {
  return notificationApi() !== null;
}

export function desktopPermission(): NotificationPermission | 'unsupported' {
  return notificationApi()?.permission ?? 'unsupported';
}

/** Asks for the permission (when switched on); true when granted. */
export async function requestDesktopPermission(): Promise<boolean> {
  const N = notificationApi();
  if (!N) return false;
  if (N.permission === 'granted') return true;
  if (N.permission === 'denied') return false;
  try {
    return (await N.requestPermission()) === 'granted';
  } catch {
    return false;
  }
}

/** Shows a desktop notification if the agent wants them and the browser allows it. */
export function showDesktop(title: string, o: { body?: string; tag?: string; onClick?: () => void } = {}): boolean {
  if (!readNotifySettings().desktop) return false;
  const N = notificationApi();
  if (!N || N.permission !== 'granted') return false;
  try {
    const n = new N(title, { body: o.body, tag: o.tag });
    n.onclick = () => {
      try {
        window.focus();
      } catch {
        /* ignore */
      }
      o.onClick?.();
      n.close();
    };
    return true;
  } catch {
    // Some browsers only allow notifications from a service worker.
    return false;
  }
}

type AudioCtor = typeof AudioContext;
let audio: AudioContext | null = null;

/** A short two-tone beep made with WebAudio (no audio file), if sound is on. */
export function beep(): boolean {
  if (!readNotifySettings().sound) return false;
  const w = typeof window !== 'undefined' ? (window as unknown as { AudioContext?: AudioCtor; webkitAudioContext?: AudioCtor }) : undefined;
  const Ctor = w?.AudioContext ?? w?.webkitAudioContext;
  if (!Ctor) return false;
  try {
    audio ??= new Ctor();
    const ctx = audio;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => null);
    const now = ctx.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      const start = now + i * 0.12;
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.1);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.11);
    }
    return true;
  } catch {
    return false;
  }
}

// ---- who a conversation belonged to ------------------------------------------------
//
// "Assigned to me" is an assignee change, but a realtime event carries only the new
// state: the last assignee seen (in lists, in events) is remembered here, and an
// assignment the agent made themselves ("assign to me") is announced in advance.

const assignees = new Map<string, string | null>();
const selfAssigned = new Map<string, number>();
const SELF_MS = 15_000;

/** Remembers a conversation's assignee as a list or a view saw it. */
export function noteAssignee(conversationId: string, assigneeId: string | null): void {
  assignees.set(conversationId, assigneeId);
  if (assignees.size > 5000) assignees.delete(assignees.keys().next().value!);
}

/** The last assignee seen; undefined when unknown. */
export function knownAssignee(conversationId: string): string | null | undefined {
  return assignees.get(conversationId);
}

/** The agent is taking this conversation themselves: no notification for it. */
export function expectSelfAssign(conversationId: string): void {
  selfAssigned.set(conversationId, Date.now());
}

export function isSelfAssign(conversationId: string): boolean {
  const at = selfAssigned.get(conversationId);
  return at !== undefined && Date.now() - at < SELF_MS;
}

/** Test helper. */
export function __resetNotifyForTests(): void {
  assignees.clear();
  selfAssigned.clear();
  audio = null;
}
