import '@testing-library/jest-dom/vitest';
import { afterEach, vi } from 'vitest';
import { cleanup, configure } from '@testing-library/react';
import '../i18n';
import { __resetRealtimeForTests } from '../lib/realtime';
import { __resetConnectorNamesForTests } from '../components/ChannelCapsInput';

// antd in jsdom is slow, and screens load their code lazily.
configure({ asyncUtilTimeout: 5000 });

// jsdom lacks a few browser APIs antd relies on.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: vi.fn(),
      removeListener: vi.fn(),
      addEventListener: vi.fn(),
      removeEventListener: vi.fn(),
      dispatchEvent: vi.fn(),
    }),
  });
}
if (!('ResizeObserver' in window)) {
  class RO {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  (window as unknown as { ResizeObserver: typeof RO }).ResizeObserver = RO;
}
// antd measures scrollbars with getComputedStyle(el, '::-webkit-scrollbar'); jsdom warns.
const gcs = window.getComputedStyle.bind(window);
window.getComputedStyle = (el: Element) => gcs(el);

// The console holds a realtime WebSocket; in tests it never connects unless a test
// puts its own fake in place (vi.stubGlobal('WebSocket', …); unstubbing returns here).
class InertWebSocket {
  onopen: unknown = null;
  onmessage: unknown = null;
  onclose: unknown = null;
  readyState = 0;
  constructor(readonly url: string) {}
  send() {}
  close() {}
}
(window as unknown as { WebSocket: unknown }).WebSocket = InertWebSocket;
(globalThis as unknown as { WebSocket: unknown }).WebSocket = InertWebSocket;

afterEach(() => {
  cleanup();
  __resetRealtimeForTests();
  __resetConnectorNamesForTests();
  localStorage.clear();
  vi.restoreAllMocks();
});
