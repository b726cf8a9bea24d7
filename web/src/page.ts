// What the router hands a page, and what a page module exports. A page lives from
// mount() until the user leaves it: then the router aborts `signal`, which cancels
// the page's requests (its `api` is bound to the signal) and disposes its charts,
// timers and streams (each registers on the signal: see charts.ts, onLeave below).
import type { Api, Me } from './api';

export interface PageContext {
  main: HTMLElement;
  me: Me;
  api: Api;
  signal: AbortSignal;
  params: Record<string, string>;  // from the route's path (":id")
  go: (hash: string) => void;
}

export interface PageModule {
  mount(page: PageContext): Promise<void>;
}

// Runs `undo` when the page is left (a timer cleared, a stream closed).
export function onLeave(signal: AbortSignal, undo: () => void): void {
  if (signal.aborted) undo();
  else signal.addEventListener('abort', undo, { once: true });
}

// A part of a page that is redrawn (a query's chart) gets its own controller, aborted
// on each redraw and with the page.
export function partOf(signal: AbortSignal): AbortController {
  const part = new AbortController();
  onLeave(signal, () => part.abort());
  return part;
}
