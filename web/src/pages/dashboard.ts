// Dashboard: KPI tiles, the value ladder and its moves, churn risk, trends, channels.
import type { Row } from '../api';
import { chart } from '../charts';
import { h, table } from '../dom';
import { count, percent, t, term, yuan } from '../i18n';
import { reasons } from '../reasons';
import type { PageContext } from '../page';

const TIERS = ['bronze', 'silver', 'gold', 'platinum', 'diamond'];

export async function mount({ me, main, go, api, signal }: PageContext): Promise<void> {
  const [clusters, kpi, ladder, churn, monthly, channels, assets, distribution] = await Promise.all([
    api.clusters(),
    api.kpi(me.role === 'broker' ? 'broker' : 'branch', ''),
    api.ladder(),
    api.churn(10),
    api.cube({ measures: 'commission,trade_amount,trade_count,active_customers', by: 'month' }),
    api.cube({ measures: 'trade_count', by: 'channel' }),
    api.cube({ measures: 'assets', by: 'month' }),
    api.churnDistribution(),
  ]);
  const sum = (key: string) => kpi.items.reduce((total, row) => total + Number((row as Row)[key] ?? 0), 0);
  const lastMonth = monthly.rows.at(-1);
  const lastAssets = assets.rows.at(-1);
  // Before the first analysis the scores, tiers and KPIs do not exist yet: their tiles
  // would read 0 beside the live counts, so they wait and the page says why.
  const analysed = clusters.run_id !== null;
  if (!analysed) {
    main.append(h('p', { class: 'notice', id: 'analysis-pending', role: 'status' }, t('analysisPending')));
  }
  main.append(h('div', { class: 'tiles' },
    analysed ? tile(t('customersTotal'), count(sum('customers'))) : null,
    tile(t('active'), lastMonth ? count(lastMonth.values[3]) : '—'),
    tile(t('assets'), lastAssets ? yuan(lastAssets.values[0]) : '—'),
    tile(t('commissionMonth'), lastMonth ? yuan(lastMonth.values[0]) : '—'),
    analysed ? tile(t('newCustomers'), count(sum('new_customers'))) : null,
    analysed ? tile(t('churned'), count(sum('churned'))) : null,
    analysed ? tile(t('upgraded'), count(sum('upgraded'))) : null));

  const months = [...new Set(ladder.items.map((r) => String(r.month_end)))];
  const ladderChart = h('div', { class: 'chart' });
  const movesChart = h('div', { class: 'chart' });
  const trendChart = h('div', { class: 'chart' });
  const channelChart = h('div', { class: 'chart' });
  const riskChart = h('div', { class: 'chart' });
  main.append(h('div', { class: 'grid' },
    h('section', { class: 'card' }, h('h3', {}, t('ladder')), ladderChart),
    h('section', { class: 'card' }, h('h3', {}, t('ladderMoves')), movesChart),
    h('section', { class: 'card' }, h('h3', {}, t('trend')), trendChart),
    h('section', { class: 'card' }, h('h3', {}, t('channelMix')), channelChart),
    h('section', { class: 'card' }, h('h3', {}, t('churnDistribution')), riskChart)));
  main.append(h('section', { class: 'card' }, h('h3', {}, t('churnTop')),
    table(churn.items, [
      [t('customerId'), (r) => String(r.customer_id)],
      [t('name'), (r) => String(r.name)],
      [t('tier'), (r) => term('value_tier', r.tier)],
      [t('churnRisk'), (r) => h('span', { class: Number(r.churn_risk) >= churn.threshold ? 'risk-high' : '' }, percent(r.churn_risk))],
      [t('churnReasons'), (r) => reasons(r.churn_reasons)],
    ], (r) => go('#/customers/' + encodeURIComponent(String(r.customer_id))))));

  chart(ladderChart, {
    tooltip: { trigger: 'axis' }, legend: { data: TIERS.map((tier) => term('value_tier', tier)) },
    xAxis: { type: 'category', data: months }, yAxis: { type: 'value' },
    series: TIERS.map((tier) => ({
      name: term('value_tier', tier), type: 'bar', stack: 'tiers',
      data: months.map((m) => Number(ladder.items.find((r) => r.month_end === m && r.tier === tier)?.customers ?? 0)),
    })),
  }, signal);
  if (months.length >= 2) {
    const moves = await api.ladderMoves(months[months.length - 2], months[months.length - 1]);
    // Last month's tiers on the left, this month's on the right; the margin leaves
    // room for the right column's labels.
    const node = (tier: unknown, side: string) => `${term('value_tier', tier)} ${side}`;
    const links = moves.items.map((m) => ({ source: node(m.from_tier, '◀'), target: node(m.to_tier, '▶'), value: Number(m.customers) }));
    const names = [...new Set(links.flatMap((l) => [l.source, l.target]))];
    chart(movesChart, {
      tooltip: {},
      series: [{ type: 'sankey', left: 8, right: 72, data: names.map((name) => ({ name })), links, emphasis: { focus: 'adjacency' } }],
    }, signal);
  }
  chart(trendChart, {
    tooltip: { trigger: 'axis' }, legend: { data: [t('amount'), t('commissionMonth')] },
    xAxis: { type: 'category', data: monthly.rows.map((r) => r.keys[0]) },
    yAxis: [{ type: 'value' }, { type: 'value' }],
    series: [
      { name: t('amount'), type: 'bar', data: monthly.rows.map((r) => r.values[1]) },
      { name: t('commissionMonth'), type: 'line', yAxisIndex: 1, data: monthly.rows.map((r) => r.values[0]) },
    ],
  }, signal);
  chart(riskChart, {
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: distribution.items.map((b) => `${Math.round(Number(b.from) * 100)}–${Math.round(Number(b.to) * 100)}%`) },
    yAxis: { type: 'log', min: 1 },
    series: [{ type: 'bar', data: distribution.items.map((b) => ({
      value: Math.max(Number(b.customers), 1),
      itemStyle: { color: Number(b.from) >= distribution.threshold ? '#b91c1c' : '#1f5fbf' },
    })) }],
  }, signal);
  chart(channelChart, {
    tooltip: { trigger: 'item' },
    series: [{ type: 'pie', radius: ['40%', '70%'], data: channels.rows.map((r) => ({ name: term('trade_channel', r.keys[0]), value: r.values[0] })) }],
  }, signal);
}

function tile(label: string, value: string): HTMLElement {
  return h('div', { class: 'tile' }, label, h('b', {}, value));
}
