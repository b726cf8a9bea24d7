// Customer 360: profile and household, accounts, assets chart, recent trades, the
// unified timeline with a channel filter, tier, cluster, churn risk and credit with
// reasons, RFM and profit; holdings, the suitability standing and the next-best actions
// (accept or dismiss); logging a contact adds it to the timeline at once.
import { type Api, ApiError, type Row } from '../api';
import { chart } from '../charts';
import { clear, field, h, showFieldError, table } from '../dom';
import { date, percent, t, term, yuan } from '../i18n';
import { reasons } from '../reasons';
import type { PageContext } from '../page';

const CHANNELS = ['counter', 'call_center', 'account_manager', 'broker', 'website', 'app', 'analyst', 'sms', 'email'];
const TYPES = ['inquiry', 'complaint', 'visit', 'return_visit', 'marketing', 'advisory', 'web_visit'];

export async function mount({ me, main, api, signal, params }: PageContext): Promise<void> {
  const id = params.id;
  const [view, assets] = await Promise.all([api.customer(id), api.assets(id)]);
  const profile = view.profile as Row;
  const scores = (view.scores ?? {}) as Row;
  const dl = (pairs: [string, unknown][]) => h('dl', { class: 'pairs' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v ?? '—'))]));

  main.append(h('h2', {}, `${profile.name} · ${profile.customer_id}`));
  const assetChart = h('div', { class: 'chart' });
  const timelineBox = h('div', {});
  const channel = h('select', { 'aria-label': t('channel') }, h('option', { value: '' }, t('all')),
    ...CHANNELS.map((c) => h('option', { value: c }, term('interaction_channel', c)))) as HTMLSelectElement;
  main.append(h('div', { class: 'grid' },
    h('section', { class: 'card', id: 'profile' }, h('h3', {}, t('profile')), dl([
      [t('mobile'), profile.mobile], [t('idNumber'), profile.id_number], [t('email'), profile.email],
      [t('address'), profile.address], [t('riskLevel'), `${profile.risk_level} ${term('risk_level', profile.risk_level)}`],
      [t('status'), term('customer_status', profile.status)],
      [t('branch'), profile.branch_id], [t('broker'), profile.broker_id], [t('openDate'), date(profile.open_date)]]),
      h('h4', {}, t('household')),
      table(view.household as Row[], [[t('relation'), (r) => term('relation', r.relation)], [t('name'), (r) => String(r.member_name ?? r.member_customer_id ?? '')]])),
    h('section', { class: 'card', id: 'scores' }, h('h3', {}, t('scores')), dl([
      [t('tier'), term('value_tier', scores.tier)], [t('cluster'), scores.cluster],
      [t('churnRisk'), percent(scores.churn_risk)], [t('churnReasons'), reasons(scores.churn_reasons)],
      [t('credit'), `${scores.credit_grade ?? '—'} ${reasons(scores.credit_reasons)}`],
      [t('rfm'), scores.rfm], [t('profit'), scores.profit === undefined ? '—' : yuan(scores.profit)],
      [t('assets'), scores.latest_assets === undefined ? '—' : yuan(scores.latest_assets)]])),
    h('section', { class: 'card' }, h('h3', {}, t('assets')), assetChart),
    h('section', { class: 'card' }, h('h3', {}, t('accounts')),
      table(view.accounts as Row[], [[t('accountId'), (r) => String(r.account_id)], [t('type'), (r) => term('account_type', r.type)],
        [t('openDate'), (r) => date(r.open_date)], [t('closeDate'), (r) => date(r.close_date)]]))));
  const advice = h('div', { class: 'grid' });
  main.append(advice);
  void adviceCards(api, advice, id, me.permissions.write_customers === true);
  main.append(h('section', { class: 'card' }, h('h3', {}, t('recentTrades')),
    table(view.recent_trades as Row[], [[t('time'), (r) => date(r.trade_time)], [t('symbol'), (r) => String(r.symbol)],
      [t('side'), (r) => term('trade_side', r.side)], [t('amount'), (r) => yuan(r.amount)], [t('channel'), (r) => term('trade_channel', r.channel)]])));

  const timelineSection = h('section', { class: 'card', id: 'timeline' }, h('h3', {}, t('timeline')), h('div', { class: 'toolbar' }, channel), timelineBox);
  if (me.permissions.write_customers) timelineSection.append(contactForm(api, id, () => loadTimeline()));
  main.append(timelineSection);

  const points = [...(assets.items as Row[])].reverse();
  chart(assetChart, {
    tooltip: { trigger: 'axis' }, xAxis: { type: 'category', data: points.map((p) => String(p.snapshot_date)) },
    yAxis: { type: 'value' }, series: [{ type: 'line', showSymbol: false, areaStyle: {}, data: points.map((p) => Number(p.total_assets)) }],
  }, signal);
  async function loadTimeline(): Promise<void> {
    const items = (await api.timeline(id, channel.value)).items;
    clear(timelineBox);
    timelineBox.append(table(items, [[t('time'), (r) => date(r.occurred_at)], [t('channel'), (r) => term('interaction_channel', r.channel)],
      [t('type'), (r) => term('interaction_type', r.type)], [t('subject'), (r) => String(r.subject ?? '')], [t('notes'), (r) => String(r.notes ?? '')]]));
  }
  channel.addEventListener('change', () => loadTimeline());
  await loadTimeline();
}

// Holdings, suitability and next-best actions: each card loads by itself, so that one
// the role may not read (or that fails) leaves the others and the page standing.
async function adviceCards(api: Api, box: HTMLElement, id: string, canDecide: boolean): Promise<void> {
  const [holdings, suitability, actions] = await Promise.allSettled([api.holdings(id), api.suitability(id), api.nextBestActions(id)]);
  if (holdings.status === 'fulfilled') {
    box.append(h('section', { class: 'card', id: 'holdings' }, h('h3', {}, t('holdings')),
      table(holdings.value.items, [[t('symbol'), (r) => `${r.market} ${r.symbol}`], [t('quantity'), (r) => String(r.quantity)],
        [t('snapshotOn'), (r) => date(r.snapshot_on)]])));
  }
  if (suitability.status === 'fulfilled') {
    const s = (suitability.value.standing ?? {}) as Row;
    const category = s.category ? `${s.category} ${s.lowest_category ? t('lowestCategory') : term('risk_level', s.category)}` : t('notAssessed');
    box.append(h('section', { class: 'card', id: 'suitability' }, h('h3', {}, t('suitability')),
      h('dl', { class: 'pairs' },
        h('dt', {}, t('riskLevel')), h('dd', {}, category),
        h('dt', {}, t('validUntil')), h('dd', {}, `${date(s.valid_until)}${s.expired ? ' · ' + t('expired') : ''}`),
        h('dt', {}, t('professional')), h('dd', {}, s.professional ? '✓' : '—'),
        h('dt', {}, t('mayPromote')), h('dd', {}, ((s.may_promote ?? []) as string[]).join(' ') || '—'))));
  }
  if (actions.status === 'fulfilled') {
    const list = h('ol', { class: 'actions' });
    for (const a of (actions.value.actions ?? []) as Row[]) {
      const item = h('li', {}, h('strong', {}, String(a.title)), ' ', h('span', {}, String(a.reason)),
        h('small', {}, ` · ${t('priority')} ${Math.round(Number(a.priority))}`));
      if (canDecide) {
        for (const accept of [true, false]) {
          const button = h('button', { type: 'button' }, t(accept ? 'accept' : 'dismiss')) as HTMLButtonElement;
          button.addEventListener('click', async () => {
            await api.decideAction(id, String(a.action), accept);
            clear(item);
            item.append(h('span', {}, `${String(a.title)} · ${t('recorded')}`));
          });
          item.append(' ', button);
        }
      }
      list.append(item);
    }
    box.append(h('section', { class: 'card', id: 'next-best-actions' }, h('h3', {}, t('nextBestActions')),
      list.childElementCount ? list : h('p', {}, t('noData'))));
  }
}

function contactForm(api: Api, id: string, done: () => Promise<void>): HTMLElement {
  const channel = h('select', { name: 'channel' }, ...CHANNELS.map((c) => h('option', { value: c }, term('interaction_channel', c)))) as HTMLSelectElement;
  const type = h('select', { name: 'type' }, ...TYPES.map((c) => h('option', { value: c }, term('interaction_type', c)))) as HTMLSelectElement;
  const subject = h('input', { name: 'subject', required: true }) as HTMLInputElement;
  const notes = h('textarea', { name: 'notes', rows: 2 }) as HTMLTextAreaElement;
  const form = h('form', { class: 'toolbar', id: 'log-contact' }, h('strong', {}, t('logContact')),
    field(t('channel'), channel, 'channel'), field(t('type'), type, 'type'), field(t('subject'), subject, 'subject'),
    field(t('notes'), notes, 'notes'), h('button', { type: 'submit' }, t('save')), h('small', { class: 'form-error' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.logContact(id, { channel: channel.value, direction: 'outbound', type: type.value, subject: subject.value, notes: notes.value });
      subject.value = '';
      notes.value = '';
      await done();
    } catch (error) {
      const e = error as ApiError;
      showFieldError(form, e.field, e.message);
    }
  });
  return form;
}
