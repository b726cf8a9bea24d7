// Customers: one search box with results as you type, a filtered list with keyset
// paging, and CSV export of the current filter (masked exactly as shown).
import type { Page, Row } from '../api';
import { clear, h, table } from '../dom';
import { date, language, percent, t, term, yuan } from '../i18n';
import { onLeave, type PageContext } from '../page';

export async function mount({ main, go, api, signal }: PageContext): Promise<void> {
  const search = h('input', { type: 'search', placeholder: t('search'), 'aria-label': t('search'), autofocus: true }) as HTMLInputElement;
  const select = (name: string, label: string, options: string[], kind = '') =>
    h('select', { name, 'aria-label': label, title: label }, h('option', { value: '' }, `${label}: ${t('all')}`),
      ...options.map((o) => h('option', { value: o }, kind ? term(kind, o) : o))) as HTMLSelectElement;
  const branches = await api.branches();
  const branch = select('branch_id', t('branch'), branches.items.map((b) => String(b.branch_id)));
  const tier = select('tier', t('tier'), ['bronze', 'silver', 'gold', 'platinum', 'diamond'], 'value_tier');
  const risk = select('risk_level', t('riskLevel'), ['C1', 'C2', 'C3', 'C4', 'C5'], 'risk_level');
  const status = select('status', t('status'), ['active', 'dormant', 'closed'], 'customer_status');
  const churn = h('input', { type: 'number', min: 0, max: 1, step: 0.1, name: 'min_churn_risk', 'aria-label': t('minChurn'), placeholder: t('minChurn') }) as HTMLInputElement;
  const results = h('div', {});
  const more = h('button', { type: 'button' }, t('next'));
  const exportCsv = h('button', { type: 'button', id: 'export-csv' }, t('exportCsv'));
  const exportExcel = h('button', { type: 'button', id: 'export-xlsx' }, t('exportExcel'));
  main.append(h('section', { class: 'card' },
    h('div', { class: 'toolbar' }, search),
    h('div', { class: 'toolbar' }, branch, tier, risk, status, churn, exportCsv, exportExcel),
    results, more));

  let after: string | null = null;
  let generation = 0;
  const filters = (): Record<string, string> => {
    const query: Record<string, string> = {};
    for (const control of [branch, tier, risk, status, churn]) {
      if ((control as HTMLInputElement).value) query[(control as HTMLInputElement).name] = (control as HTMLInputElement).value;
    }
    return query;
  };
  const show = (page: Page, append: boolean) => {
    if (!append) clear(results);
    results.appendChild(table(page.items, [
      [t('customerId'), (r) => String(r.customer_id)],
      [t('name'), (r) => String(r.name)],
      [t('mobile'), (r) => String(r.mobile ?? '—')],
      [t('branch'), (r) => String(r.branch_id)],
      [t('tier'), (r) => term('value_tier', r.tier)],
      [t('churnRisk'), (r) => percent(r.churn_risk)],
      [t('assets'), (r) => (r.latest_assets === undefined ? '—' : yuan(r.latest_assets))],
      [t('openDate'), (r) => date(r.open_date)],
    ], (r: Row) => go('#/customers/' + encodeURIComponent(String(r.customer_id)))));
    after = (page.next_after as string | null) ?? null;
    more.style.display = after ? '' : 'none';
  };
  const load = async (append: boolean) => {
    const mine = ++generation;
    const q = search.value.trim();
    const page = q ? await api.customers({ q, limit: '20' })
                   : await api.customers({ ...filters(), limit: '50', ...(append && after ? { after } : {}) });
    if (mine === generation) show(page, append);  // a newer keystroke wins
  };
  let timer = 0;
  onLeave(signal, () => clearTimeout(timer));
  search.addEventListener('input', () => { clearTimeout(timer); timer = window.setTimeout(() => load(false), 200); });
  for (const control of [branch, tier, risk, status, churn]) control.addEventListener('change', () => load(false));
  more.addEventListener('click', () => load(true));
  // The server writes the whole current filter, in scope and masked as shown.
  const download = (format: string) => {
    const query = new URLSearchParams({ ...filters(), format, headers: language() });
    window.location.href = '/api/v1/customers/export?' + query.toString();
  };
  exportCsv.addEventListener('click', () => download('csv'));
  exportExcel.addEventListener('click', () => download('xlsx'));
  await load(false);
}
