// The console's shell: sign-in, the menu and the router, both derived from the route
// table (routes.ts), and the language. Each navigation aborts the page that was shown
// (its requests, charts and timers: page.ts) before the next one mounts.
import './style.css';
import { api, ApiError, apiClient, Me, setSignedOutHandler } from './api';
import { liveCharts } from './charts';
import { clear, field, h, showFieldError } from './dom';
import { language, setVocabulary, t, toggleLanguage } from './i18n';
import { homeFor, matchRoute, menuFor } from './routes';

const app = document.getElementById('app')!;
let me: Me | null = null;
let notice = '';
let current: AbortController | null = null;

setSignedOutHandler(() => {
  if (!me) return;
  me = null;
  notice = t('sessionExpired');
  render();
});
window.addEventListener('hashchange', () => render());
// For the browser tests: what the shell knows about the page shown.
(window as unknown as { fincrm: object }).fincrm = { liveCharts, route: () => matchRoute(location.hash)?.route.path ?? null };

function go(hash: string): void {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function loginView(): HTMLElement {
  const login = h('input', { name: 'login', autocomplete: 'username', required: true, autofocus: true }) as HTMLInputElement;
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true }) as HTMLInputElement;
  const form = h('form', { class: 'login card' },
    h('h1', {}, t('app')),
    notice ? h('p', { class: 'notice' }, notice) : null,
    field(t('login'), login, 'login'),
    field(t('password'), password, 'password'),
    h('p', { class: 'form-error' }),
    h('button', { type: 'submit' }, t('signIn')),
    h('button', { type: 'button', class: 'link', onclick: () => { toggleLanguage(); render(); } }, t('language')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.login(login.value, password.value);
      me = await api.me();
      notice = '';
      go(homeFor(me) ?? '#/');
    } catch (error) {
      const e = error as ApiError;
      showFieldError(form, e.field || 'password', e.message);
    }
  });
  return h('div', { class: 'center' }, form);
}

// Keyboard users land where the page wants them (its search box, say) or at the
// start of the new content, not back at the top of the menu.
function focusContent(container: HTMLElement): void {
  const target = container.querySelector<HTMLElement>('[autofocus]') ?? container;
  target.focus({ preventScroll: true });
}

function menu(user: Me, hash: string): HTMLElement {
  return h('nav', {},
    h('a', { href: '#content', class: 'skip', onclick: (e: Event) => { e.preventDefault(); focusContent(document.getElementById('content')!); } }, t('skipToContent')),
    h('strong', { class: 'brand' }, 'FinCRM'),
    ...menuFor(user).map((route) =>
      h('a', { href: route.path, class: hash.startsWith(route.path) ? 'active' : '' }, t(route.title))),
    h('span', { class: 'spacer' }),
    h('span', { class: 'who' }, `${user.login} · ${user.role}`),
    h('button', { class: 'link', onclick: () => { toggleLanguage(); render(); } }, t('language')),
    h('button', { class: 'link', onclick: async () => { await api.logout().catch(() => {}); me = null; go('#/login'); } }, t('signOut')));
}

let vocabularyLoaded = false;
// Renders overlap when the user moves on before a slow page has loaded: only the
// newest may touch the shell, or a late one would wipe the page now shown.
let renders = 0;

async function render(): Promise<void> {
  const mine = ++renders;
  current?.abort();
  current = new AbortController();
  const signal = current.signal;
  if (!vocabularyLoaded) {
    setVocabulary(await api.vocabulary().catch(() => ({})));
    vocabularyLoaded = true;
    if (mine !== renders) return;
  }
  document.documentElement.lang = language() === 'zh' ? 'zh-CN' : 'en';
  if (!me) {
    // Asked without a 401: nobody signed in is not an error in the browser's console.
    const session = await api.session().catch(() => ({ signed_in: false, me: undefined }));
    if (mine !== renders) return;
    if (!session.signed_in || !session.me) {
      clear(app);
      app.appendChild(loginView());
      focusContent(app);
      return;
    }
    me = session.me;
  }
  const user = me;
  const home = homeFor(user);
  const match = matchRoute(location.hash);
  if (!match || !match.route.allowed(user)) {
    // An unknown or forbidden address (or none) leads home; a login with no page at
    // all is told so rather than shown an empty shell.
    if (home && location.hash !== home) return go(home);
  }
  clear(app);
  const hash = location.hash;
  const main = h('main', { id: 'content', tabindex: -1 });
  app.append(menu(user, hash), main);
  if (!match || !match.route.allowed(user)) {
    main.appendChild(h('p', { class: 'notice', role: 'status' }, home ? t('pageNotFound') : t('noPages')));
    return;
  }
  document.title = `${t(match.route.title)} · FinCRM`;
  try {
    const page = await match.route.load();
    if (signal.aborted) return;
    await page.mount({ main, me: user, api: apiClient(signal), signal, params: match.params, go });
  } catch (error) {
    if (signal.aborted) return;  // left before it finished: nothing to report
    main.appendChild(h('p', { class: 'form-error', role: 'alert' }, `${t('pageFailed')}: ${(error as Error).message}`));
  }
  // A user who tabbed into the menu while the page loaded keeps their place.
  const untouched = !document.activeElement || document.activeElement === document.body || document.activeElement === main;
  if (mine === renders && untouched) focusContent(main);
}

render();
