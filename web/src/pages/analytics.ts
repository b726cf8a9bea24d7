// Analytics: the cube explorer (measures, dimensions, filter; table and chart), the
// KPI scorecard with the 20:30:30:20 composite and ranks, cluster profiles, and the
// churn model card with its decision-tree rules.
import { type Api, ApiError } from '../api';
import { chart } from '../charts';
import { clear, field, h, showFieldError, table } from '../dom';
import { count, cubeName, dimensionKey, percent, t, yuan } from '../i18n';
import { partOf, type PageContext } from '../page';

const MEASURES = ['commission', 'trade_amount', 'trade_count', 'active_customers', 'new_customers', 'assets'];
const DIMENSIONS = ['month', 'quarter', 'branch', 'broker', 'province', 'tier', 'cluster', 'risk_level', 'channel', 'product_type', 'market', 'age_band'];
const MONEY = new Set(['commission', 'trade_amount', 'assets']);

export async function mount({ main, api, signal }: PageContext): Promise<void> {
  main.append(cubeExplorer(api, signal), await kpiCard(api), await clustersCard(api), await modelCard(api));
}

type CubeAnswer = Awaited<ReturnType<Api['cube']>>;

function cubeExplorer(api: Api, signal: AbortSignal): HTMLElement {
  let shown = partOf(signal);
  const measureBoxes = MEASURES.map((m) => h('label', {}, h('input', { type: 'checkbox', value: m, checked: m === 'commission' }), ' ', cubeName(m)));
  const dim1 = h('select', { name: 'by1' }, ...DIMENSIONS.map((d) => h('option', { value: d, selected: d === 'branch' }, cubeName(d)))) as HTMLSelectElement;
  const dim2 = h('select', { name: 'by2' }, h('option', { value: '' }, '—'), ...DIMENSIONS.map((d) => h('option', { value: d }, cubeName(d)))) as HTMLSelectElement;
  const where = h('input', { name: 'where', placeholder: 'tier=gold;channel=app' }) as HTMLInputElement;
  const output = h('div', { id: 'cube-output' });
  const chartBox = h('div', { class: 'chart' });
  const exportButton = h('button', { type: 'button', class: 'link' }, t('exportCsv'));
  const form = h('form', { class: 'toolbar', id: 'cube' }, h('div', {}, ...measureBoxes),
    field(t('dimensions'), dim1, 'by'), field('', dim2, 'by2'), field(t('where'), where, 'where'),
    h('button', { type: 'submit' }, t('run')), exportButton, h('small', { class: 'form-error' }));
  let last: CubeAnswer | null = null;
  const money = (m: string, v: number) => (MONEY.has(m) ? yuan(v) : count(v));

  // Drill down: a row's first key becomes a filter, and the next dimension is opened.
  const drill = (key: string) => {
    const dimension = dim1.value;
    where.value = [where.value, `${dimension}=${key}`].filter(Boolean).join(';');
    const next = DIMENSIONS[(DIMENSIONS.indexOf(dimension) + 1) % DIMENSIONS.length];
    dim1.value = dim2.value && dim2.value !== dimension ? dim2.value : next;
    dim2.value = '';
    (form as HTMLFormElement).requestSubmit();
  };
  const render = (result: CubeAnswer) => {
    clear(output);
    shown.abort();
    shown = partOf(signal);
    if (result.dimensions.length === 2) {
      // Pivot: first dimension down, second across, first measure in the cells.
      const rowsKeys = [...new Set(result.rows.map((r) => r.keys[0]))];
      const colKeys = [...new Set(result.rows.map((r) => r.keys[1]))];
      const value = new Map(result.rows.map((r) => [r.keys[0] + '\u0000' + r.keys[1], r.values[0]]));
      const [down, across] = result.dimensions;
      output.append(h('p', {}, `${cubeName(result.measures[0])}: ${cubeName(down)} × ${cubeName(across)}`),
        table(rowsKeys, [[cubeName(down), (k: string) => dimensionKey(down, k)],
          ...colKeys.map((c) => [dimensionKey(across, c), (k: string) => { const v = value.get(k + '\u0000' + c); return v === undefined ? '' : money(result.measures[0], v); }] as [string, (k: string) => string])],
          (k) => drill(k)));
      chart(chartBox, {
        tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: rowsKeys.map((k) => dimensionKey(down, k)) }, yAxis: { type: 'value' },
        series: colKeys.map((c) => ({ name: dimensionKey(across, c), type: 'bar', stack: 'pivot', data: rowsKeys.map((k) => value.get(k + '\u0000' + c) ?? 0) })),
      }, shown.signal);
      return;
    }
    output.append(table(result.rows, [
      ...result.dimensions.map((d, i) => [cubeName(d), (r: CubeAnswer['rows'][number]) => dimensionKey(d, r.keys[i])] as [string, (r: CubeAnswer['rows'][number]) => string]),
      ...result.measures.map((m, i) => [cubeName(m), (r: CubeAnswer['rows'][number]) => money(m, r.values[i])] as [string, (r: CubeAnswer['rows'][number]) => string]),
    ], (r) => drill(r.keys[0])));
    chart(chartBox, {
      tooltip: { trigger: 'axis' }, legend: {},
      xAxis: { type: 'category', data: result.rows.map((r) => r.keys.map((k, i) => dimensionKey(result.dimensions[i], k)).join(' / ')) }, yAxis: { type: 'value' },
      series: result.measures.map((m, i) => ({ name: cubeName(m), type: 'bar', data: result.rows.map((r) => r.values[i]) })),
    }, shown.signal);
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const measures = measureBoxes.map((l) => l.querySelector('input') as HTMLInputElement).filter((i) => i.checked).map((i) => i.value);
    const by = [dim1.value, dim2.value].filter(Boolean).join(',');
    try {
      last = await api.cube({ measures: measures.join(','), by, where: where.value });
      showFieldError(form, '', '');
      render(last);
    } catch (error) {
      const e = error as ApiError;
      showFieldError(form, e.field || 'by', e.message);
    }
  });
  exportButton.addEventListener('click', () => {
    if (!last) return;
    const quote = (v: unknown) => `"${String(v).replaceAll('"', '""')}"`;
    const lines = [[...last.dimensions, ...last.measures].map(quote).join(','),
      ...last.rows.map((r) => [...r.keys, ...r.values].map(quote).join(','))];
    const link = h('a', { href: URL.createObjectURL(new Blob(['\uFEFF' + lines.join('\r\n')], { type: 'text/csv' })), download: 'cube.csv' });
    link.click();
  });
  return h('section', { class: 'card' }, h('h3', {}, t('cube')), form, chartBox, output);
}

async function kpiCard(api: Api): Promise<HTMLElement> {
  const level = h('select', { name: 'level' }, h('option', { value: 'branch' }, t('branch')), h('option', { value: 'broker' }, t('broker'))) as HTMLSelectElement;
  const period = h('input', { name: 'period', placeholder: '2026-10' }) as HTMLInputElement;
  const box = h('div', { id: 'kpi-table' });
  const load = async () => {
    const rows = (await api.kpi(level.value, period.value)).items;
    clear(box);
    box.append(table(rows, [[t('rank'), (r) => String(r.rank)], [level.value === 'branch' ? t('branch') : t('broker'), (r) => String(r.unit)],
      [t('composite'), (r) => Number(r.composite).toFixed(1)], [t('customersTotal'), (r) => count(r.customers)],
      [t('newCustomers'), (r) => percent(r.new_rate)], [t('retention'), (r) => percent(r.retention_rate)],
      [t('upgraded'), (r) => percent(r.upgrade_rate)], [t('profit'), (r) => yuan(r.average_profit)]]));
  };
  level.addEventListener('change', load);
  period.addEventListener('change', load);
  await load();
  return h('section', { class: 'card' }, h('h3', {}, `${t('kpi')} (20:30:30:20)`), h('div', { class: 'toolbar' }, level, period), box);
}

async function clustersCard(api: Api): Promise<HTMLElement> {
  const clusters = await api.clusters();
  return h('section', { class: 'card' }, h('h3', {}, t('clusters')),
    table(clusters.items, [[t('cluster'), (r) => String(r.cluster)], [t('label'), (r) => String(r.label)], [t('customersTotal'), (r) => count(r.size)]]));
}

async function modelCard(api: Api): Promise<HTMLElement> {
  try {
    const model = await api.model('churn');
    return h('section', { class: 'card' }, h('h3', {}, `${t('model')} ${model.version}`), h('pre', {}, String(model.card_text)),
      h('h4', {}, t('rules')), h('pre', {}, String(model.rules_text)));
  } catch {
    return h('section', { class: 'card' }, h('h3', {}, t('model')), t('noData'));
  }
}
