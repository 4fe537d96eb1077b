// Keyboard shortcuts of the inbox: one-key commands (j/k, r, n, e, a, ?) that must not
// fire while the agent types in a field or works in a dialog.
import { useEffect, useRef } from 'react';

/** Whether a key event happened in something that takes text (or a select, a switch…). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return false;
  if (el.isContentEditable) return true;
  return !!el.closest('input, textarea, select, [contenteditable="true"], [role="combobox"], [role="textbox"], [role="listbox"]');
}

/** Whether a dialog or a drawer is open (its keys are its own). */
export function overlayOpen(): boolean {
  if (typeof document === 'undefined') return false;
  for (const el of document.querySelectorAll<HTMLElement>('.ant-modal-wrap, .ant-drawer-open')) {
    if (el.classList.contains('ant-drawer-open')) return true;
    if (el.style.display !== 'none') return true;
  }
  return false;
}

/** A shortcut that should act: not typed into a field, no dialog, no other modifier. */
export function isShortcut(e: KeyboardEvent, { alt = false }: { alt?: boolean } = {}): boolean {
  if (e.defaultPrevented || e.isComposing) return false;
  if (e.ctrlKey || e.metaKey) return false;
  if (e.altKey !== alt) return false;
  if (isTypingTarget(e.target)) return false;
  return !overlayOpen();
}

/** Ctrl+Enter or ⌘+Enter: send, even from the reply box. */
export function isSendChord(e: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return e.key === 'Enter' && (e.ctrlKey || e.metaKey);
}

/** Listens to keydown on the document while mounted; handler may change between renders. */
export function useKeydown(handler: (e: KeyboardEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const on = (e: KeyboardEvent) => ref.current(e);
    document.addEventListener('keydown', on);
    return () => document.removeEventListener('keydown', on);
  }, []);
}
