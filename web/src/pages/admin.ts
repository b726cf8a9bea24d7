// Administration and compliance: logins (create, disable, reset password) and the
// audit trail with filters and the chain's verification status.
import { type Api, ApiError, type Row } from '../api';
import { clear, field, h, showFieldError, table } from '../dom';
import { date, t, term } from '../i18n';
import type { PageContext } from '../page';

const ROLES = ['admin', 'hq_analyst', 'branch_manager', 'broker', 'agent', 'research_analyst', 'compliance', 'integration'];

export async function mount({ me, main, api }: PageContext): Promise<void> {
  if (me.permissions.manage_users) main.append(await usersCard(api));
  if (me.permissions.read_audit) main.append(await auditCard(api));
}

async function usersCard(api: Api): Promise<HTMLElement> {
  const box = h('div', {});
  const load = async () => {
    const users = (await api.users()).items;
    clear(box);
    box.append(table(users, [[t('login'), (r) => String(r.login)], [t('role'), (r) => term('role', r.role)],
      [t('branch'), (r) => String(r.branch_id ?? '')], [t('broker'), (r) => String(r.staff_id ?? '')],
      [t('status'), (r) => (r.disabled ? t('disabled') : r.locked_until ? t('locked') : t('enabled'))],
      ['', (r: Row) => h('span', {},
        h('button', { class: 'link', onclick: async () => { await api.updateUser(String(r.login), { disabled: !r.disabled }); await load(); } },
          r.disabled ? t('enable') : t('disable')),
        h('button', { class: 'link', onclick: (event: Event) => {
          // An inline form in the row, so the API's answer shows next to the field.
          const cell = (event.target as HTMLElement).closest('td')!;
          const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', autofocus: true }) as HTMLInputElement;
          const form = h('form', { class: 'toolbar reset-password' }, field(t('resetPassword'), password, 'password'),
            h('button', { type: 'submit' }, t('save')), h('small', { class: 'form-error' }));
          form.addEventListener('submit', async (submitted) => {
            submitted.preventDefault();
            try {
              await api.updateUser(String(r.login), { password: password.value });
              await load();
            } catch (error) {
              const e = error as ApiError;
              showFieldError(form, e.field || 'password', e.message);
            }
          });
          cell.append(form);
          password.focus();
        } }, t('resetPassword')))]]));
  };
  const login = h('input', { name: 'login' }) as HTMLInputElement;
  const role = h('select', { name: 'role' }, ...ROLES.map((r) => h('option', { value: r }, term('role', r)))) as HTMLSelectElement;
  const branch = h('input', { name: 'branch_id' }) as HTMLInputElement;
  const staff = h('input', { name: 'staff_id' }) as HTMLInputElement;
  const password = h('input', { name: 'password', type: 'password' }) as HTMLInputElement;
  const form = h('form', { class: 'toolbar' }, field(t('login'), login, 'login'), field(t('role'), role, 'role'),
    field(t('branch'), branch, 'branch_id'), field(t('broker'), staff, 'staff_id'), field(t('password'), password, 'password'),
    h('button', { type: 'submit' }, t('create')), h('small', { class: 'form-error' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.createUser({ login: login.value, role: role.value, branch_id: branch.value, staff_id: staff.value, password: password.value });
      form.querySelectorAll('input').forEach((i) => ((i as HTMLInputElement).value = ''));
      await load();
    } catch (error) {
      const e = error as ApiError;
      showFieldError(form, e.field, e.message);
    }
  });
  await load();
  return h('section', { class: 'card' }, h('h3', {}, t('users')), form, box);
}

async function auditCard(api: Api): Promise<HTMLElement> {
  const status = h('p', { id: 'chain-status' });
  const actor = h('input', { name: 'actor', placeholder: t('actor') }) as HTMLInputElement;
  const action = h('input', { name: 'action', placeholder: 'customer.read' }) as HTMLInputElement;
  const customer = h('input', { name: 'customer_id', placeholder: t('customerId') }) as HTMLInputElement;
  const box = h('div', {});
  const load = async () => {
    const query: Record<string, string> = { limit: '200' };
    if (actor.value) query.actor = actor.value;
    if (action.value) query.action = action.value;
    if (customer.value) query.customer_id = customer.value;
    const entries = (await api.audit(query)).items.reverse();
    clear(box);
    box.append(table(entries, [['#', (r) => String(r.sequence)], [t('time'), (r) => date(r.at)], [t('actor'), (r) => String(r.actor)],
      [t('action'), (r) => String(r.action)], [t('customerId'), (r) => String(r.customer_id ?? '')], [t('source'), (r) => String(r.source ?? '')]]));
  };
  for (const input of [actor, action, customer]) input.addEventListener('change', load);
  // Verifying reads the whole chain (seconds for millions of entries): the log is
  // usable at once and the status follows.
  status.textContent = `${t('chain')}: ${t('verifying')}`;
  status.setAttribute('aria-live', 'polite');
  api.auditVerify().then((verified) => {
    status.textContent = `${t('chain')}: ${verified.entries} — ${verified.intact ? t('intact') : `${t('broken')} #${verified.first_bad}: ${verified.problem}`}`;
    status.className = verified.intact ? 'verified' : 'risk-high verified';
  }).catch((e: Error) => { status.textContent = `${t('chain')}: ${e.message}`; });
  await load();
  return h('section', { class: 'card' }, h('h3', {}, t('audit')), status, h('div', { class: 'toolbar' }, actor, action, customer), box);
}
