// The console's shell: sign-in, the menu by role, language, and a hash router.
import './style.css';
import { api, ApiError, Me, setSignedOutHandler } from './api';
import { disposeCharts } from './charts';
import { clear, field, h, showFieldError } from './dom';
import { language, setVocabulary, t, toggleLanguage } from './i18n';
import { adminPage } from './pages/admin';
import { analyticsPage } from './pages/analytics';
import { customerPage } from './pages/customer360';
import { customersPage } from './pages/customers';
import { dashboardPage } from './pages/dashboard';

const app = document.getElementById('app')!;
let me: Me | null = null;
let notice = '';

export interface Context {
  me: Me;
  main: HTMLElement;
  go: (hash: string) => void;
}

setSignedOutHandler(() => {
  if (!me) return;
  me = null;
  notice = t('sessionExpired');
  render();
});
window.addEventListener('hashchange', () => render());

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
      go('#/dashboard');
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

function menu(current: string): HTMLElement {
  const items: [string, string, boolean][] = [
    ['#/dashboard', t('dashboard'), !!me?.permissions.read_analytics || !!me?.permissions.read_customers],
    ['#/customers', t('customers'), !!me?.permissions.read_customers],
    ['#/analytics', t('analytics'), !!me?.permissions.read_analytics],
    ['#/admin', t('admin'), !!me?.permissions.manage_users || !!me?.permissions.read_audit],
  ];
  return h('nav', {},
    h('a', { href: '#content', class: 'skip', onclick: (e: Event) => { e.preventDefault(); focusContent(document.getElementById('content')!); } }, t('skipToContent')),
    h('strong', { class: 'brand' }, 'FinCRM'),
    ...items.filter(([, , allowed]) => allowed).map(([hash, label]) =>
      h('a', { href: hash, class: current.startsWith(hash) ? 'active' : '' }, label)),
    h('span', { class: 'spacer' }),
    h('span', { class: 'who' }, `${me?.login} · ${me?.role}`),
    h('button', { class: 'link', onclick: () => { toggleLanguage(); render(); } }, t('language')),
    h('button', { class: 'link', onclick: async () => { await api.logout().catch(() => {}); me = null; go('#/login'); } }, t('signOut')));
}

let vocabularyLoaded = false;
// Renders overlap when the user moves on before a slow page has loaded: only the
// newest may touch the shell, or a late one would wipe the page now shown.
let renders = 0;

async function render(): Promise<void> {
  const mine = ++renders;
  if (!vocabularyLoaded) {
    setVocabulary(await api.vocabulary().catch(() => ({})));
    vocabularyLoaded = true;
    if (mine !== renders) return;
  }
  disposeCharts();
  clear(app);
  document.documentElement.lang = language() === 'zh' ? 'zh-CN' : 'en';
  if (!me) {
    try {
      me = await api.me();  // the session cookie may still be valid
    } catch {
      if (mine !== renders) return;
      app.appendChild(loginView());
      focusContent(app);
      return;
    }
    if (mine !== renders) return;
  }
  const hash = location.hash || '#/dashboard';
  const main = h('main', { id: 'content', tabindex: -1 });
  app.append(menu(hash), main);
  const context: Context = { me: me!, main, go };
  const [, page, arg] = hash.split('/');
  try {
    if (page === 'customers' && arg) await customerPage(context, decodeURIComponent(arg));
    else if (page === 'customers') await customersPage(context);
    else if (page === 'analytics') await analyticsPage(context);
    else if (page === 'admin') await adminPage(context);
    else await dashboardPage(context);
  } catch (error) {
    main.appendChild(h('p', { class: 'form-error', role: 'alert' }, (error as Error).message));
  }
  // A user who tabbed into the menu while the page loaded keeps their place.
  const untouched = !document.activeElement || document.activeElement === document.body || document.activeElement === main;
  if (mine === renders && untouched) focusContent(main);
}

render();
