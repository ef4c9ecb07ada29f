// experiments.js - retention experiments: define arms (a policy each, or
// the holdout, which offers nothing), list the experiments, open one's
// results (each arm's save rate with its interval, revenue kept, discounts
// given and CSAT, and each arm against the holdout) and stop one.
import { h, mount, notice, field } from '../lib/dom.js';
import { get, post } from '../lib/api.js';
import { dateTime, money, percent } from '../lib/format.js';

const HOLDOUT = '';

function rate(s) {
  if (!s || s.value === null || s.value === undefined) return '—';
  return `${percent(s.value)} (${percent(s.low)} – ${percent(s.high)})`;
}

function signed(x) {
  return `${x > 0 ? '+' : ''}${percent(x)}`;
}

function comparison(c) {
  if (c.difference === null || c.difference === undefined) return `${c.arm} vs ${c.versus}: no request has reached its 30 days yet`;
  return `${c.arm} vs ${c.versus}: save rate ${signed(c.difference)} (${signed(c.low)} – ${signed(c.high)}), p = ${c.p_value === null ? '—' : Number(c.p_value).toFixed(3)}`;
}

function th(...cols) {
  return h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col' }, c))));
}

// One experiment's results into box; onChange after it is stopped.
async function results(box, id, onChange) {
  mount(box, notice('Loading results…'));
  try {
    // the results name the arms; the experiment has their policies and dates
    const [r, x] = await Promise.all([get(`/v1/experiments/${id}/results`), get(`/v1/experiments/${id}`)]);
    const policy = Object.fromEntries(x.arms.map((a) => [a.name, a.policy]));
    const money2 = (v, a) => money(v, a.currency || 'USD');
    const stop = async (e) => {
      e.target.disabled = true;
      try {
        await post(`/v1/experiments/${id}/stop`);
        await results(box, id, onChange);
        onChange();
      } catch (err) { box.append(notice(err.message, 'error')); e.target.disabled = false; }
    };
    mount(box,
      h('h3', { id: 'results-title', tabindex: '-1' }, `Results: ${r.name}`),
      h('p', { class: 'muted' }, `Started ${dateTime(x.created_at)}${x.stopped_at ? `, stopped ${dateTime(x.stopped_at)}` : ', running'}. A request counts as saved when its order is not cancelled within 30 days; until then it is not yet in the save rate.`),
      h('div', { class: 'scroll' }, h('table', { class: 'results' },
        th('Arm', 'Customers', 'Requests', 'After 30 days', 'Saved', 'Save rate (95% interval)', 'Revenue kept', 'Discounts', 'CSAT'),
        h('tbody', null, r.arms.map((a) => h('tr', { 'data-arm': a.name },
          h('th', { scope: 'row' }, a.name, h('small', null, a.holdout ? 'holdout, no offer' : policy[a.name])),
          h('td', null, a.customers), h('td', null, a.requests), h('td', null, a.mature_requests ?? '—'), h('td', null, a.saved),
          h('td', null, rate(a.save_rate)),
          h('td', null, money2(a.revenue_kept, a)), h('td', null, money2(a.discounts_given, a)),
          h('td', null, a.csat && a.csat.mean !== null ? `${Number(a.csat.mean).toFixed(2)} (n=${a.csat.n})` : '—')))))),
      r.cooldown_requests ? h('p', { class: 'muted' }, `${r.cooldown_requests} requests in no arm (the customer kept an offer within the cooldown).`) : null,
      r.comparisons && r.comparisons.length
        ? h('ul', { class: 'comparisons' }, r.comparisons.map((c) => h('li', null, comparison(c))))
        : h('p', { class: 'muted' }, 'No holdout arm: nothing to compare against.'),
      r.status === 'running' ? h('button', { type: 'button', class: 'secondary', onclick: stop }, 'Stop the experiment') : null);
    box.querySelector('#results-title').focus();
  } catch (e) { mount(box, notice(e.message, 'error')); }
}

// One arm's row of the form: name, policy (or the holdout), weight.
function armRow(policies, n, { name = '', policy = policies[0] || HOLDOUT, weight = 1 } = {}) {
  const nameIn = h('input', { type: 'text', name: `arm-${n}-name`, required: true, maxlength: 100, value: name });
  const policyIn = h('select', { name: `arm-${n}-policy` },
    policies.map((p) => h('option', { value: p, selected: p === policy }, p)),
    h('option', { value: HOLDOUT, selected: policy === HOLDOUT }, 'Holdout (no offer)'));
  const weightIn = h('input', { type: 'number', name: `arm-${n}-weight`, min: 1, max: 1000, required: true, value: weight });
  const row = h('fieldset', { class: 'arm' }, h('legend', null, `Arm ${n}`),
    field('Arm name', nameIn), field('Policy', policyIn), field('Weight', weightIn),
    h('button', { type: 'button', class: 'secondary', onclick: () => row.remove() }, `Remove arm ${n}`));
  row.value = () => (policyIn.value === HOLDOUT
    ? { name: nameIn.value.trim(), holdout: true, weight: Number(weightIn.value) }
    : { name: nameIn.value.trim(), policy: policyIn.value, weight: Number(weightIn.value) });
  return row;
}

function defineForm(policies, onMade) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 100, placeholder: 'discount-depth' });
  const arms = h('div', { class: 'arms' });
  let n = 0;
  const add = (init) => arms.append(armRow(policies, ++n, init));
  add({ name: 'a', policy: policies[0] });
  add({ name: 'b', policy: policies[1] || policies[0] });
  add({ name: 'holdout', policy: HOLDOUT });
  const cooldown = h('input', { type: 'number', name: 'cooldown', min: 0, max: 3650, value: 90 });
  const status = h('div', { 'aria-live': 'polite' });
  return h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      const list = [...arms.children].map((r) => r.value());
      try {
        const x = await post('/v1/experiments', { name: name.value.trim(), arms: list, offer_cooldown_days: Number(cooldown.value) });
        mount(status, notice(`Started ${x.name}.`, 'good'));
        onMade(x);
      } catch (err) {
        mount(status, notice(err.field ? `${err.message} (${err.field})` : err.message, 'error'));
      }
    },
  },
  h('h2', null, 'Define an experiment'),
  field('Name', name),
  arms,
  h('button', { type: 'button', class: 'secondary', onclick: () => add({ name: '', weight: 1 }) }, 'Add an arm'),
  field('Offer cooldown (days)', cooldown, 'A customer who kept an offer this recently is offered nothing and joins no arm.'),
  h('button', { type: 'submit' }, 'Start the experiment'), status);
}

export default async function experiments(main) {
  mount(main, h('h1', null, 'Experiments'), notice('Loading…'));
  let policies;
  try {
    const list = await get('/v1/policies');
    // every policy file may run in an arm, the one in force first
    policies = [list.policy, ...(list.files || []).filter((p) => p !== list.policy)];
  } catch (e) {
    // without policies loaded the server cannot start experiments
    policies = [];
    if (e.status !== 503) { mount(main, h('h1', null, 'Experiments'), notice(e.message, 'error')); return; }
  }
  const listBox = h('div');
  const resultBox = h('div', { 'aria-live': 'polite' });
  async function load() {
    try {
      const r = await get('/v1/experiments');
      if (!r.experiments.length) return mount(listBox, notice('No experiments yet.'));
      mount(listBox, h('div', { class: 'scroll' }, h('table', { class: 'experiments' },
        th('Experiment', 'Status', 'Arms', 'Started'),
        h('tbody', null, r.experiments.map((x) => h('tr', { 'data-experiment': x.id },
          h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => results(resultBox, x.id, load) }, x.name)),
          h('td', null, x.status),
          h('td', null, x.arms.map((a) => `${a.name} (${a.holdout ? 'holdout' : a.policy}, ${a.weight})`).join(', ')),
          h('td', null, dateTime(x.created_at))))))));
    } catch (e) {
      mount(listBox, notice(e.message, 'error'));
    }
  }
  mount(main, h('h1', null, 'Experiments'),
    h('div', { class: 'grid' },
      h('section', { class: 'card wide', 'aria-label': 'Experiments' }, h('h2', null, 'Experiments'), listBox, resultBox),
      h('section', { class: 'card wide', 'aria-label': 'New experiment' },
        policies.length ? defineForm(policies, load) : notice('No retention policy is loaded: the server cannot start experiments.', 'warn'))));
  await load();
}
