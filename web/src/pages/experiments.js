// experiments.js - retention experiments: define arms (a policy each, or
// a holdout), see each arm's save rate with its interval, revenue kept,
// discounts given and CSAT, and the comparisons against the holdout.
// Built against the contract in the analytics helper's API; where the
// server has no experiments yet (404) it says so.
import { h, mount, notice, field } from '../lib/dom.js';
import { get, post } from '../lib/api.js';
import { dateTime, money, percent } from '../lib/format.js';

function interval(s) {
  if (!s || s.value === null || s.value === undefined) return '—';
  return `${percent(s.value)} (${percent(s.low)} – ${percent(s.high)})`;
}

async function results(box, exp) {
  mount(box, notice('Loading results…'));
  try {
    const r = await get(`/v1/experiments/${exp.id}/results`);
    mount(box,
      h('table', null,
        h('caption', null, `${r.name}: ${r.status}`),
        h('thead', null, h('tr', null, ['Arm', 'Customers', 'Requests', 'Saved', 'Save rate (95% interval)', 'Revenue kept', 'Discounts', 'CSAT'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, r.arms.map((a) => h('tr', null,
          h('th', { scope: 'row' }, a.name, a.holdout ? h('small', null, 'holdout') : null),
          h('td', null, a.customers), h('td', null, a.requests), h('td', null, a.saved),
          h('td', null, interval(a.save_rate)),
          h('td', null, money(a.revenue_kept, a.currency || 'USD')), h('td', null, money(a.discounts_given, a.currency || 'USD')),
          h('td', null, a.csat && a.csat.mean !== null && a.csat.mean !== undefined ? `${Number(a.csat.mean).toFixed(2)} (n=${a.csat.n})` : '—'))))),
      r.comparisons && r.comparisons.length ? h('ul', null, r.comparisons.map((c) => h('li', null,
        `${c.arm || c.name} vs holdout: ${c.difference && c.difference.value !== undefined ? `${percent(c.difference.value)} (${percent(c.difference.low)} – ${percent(c.difference.high)})` : JSON.stringify(c.difference)}${c.p_value !== undefined ? `, p = ${Number(c.p_value).toFixed(3)}` : ''}`))) : null,
      exp.status === 'running' ? h('button', { type: 'button', class: 'secondary', onclick: async () => { await post(`/v1/experiments/${exp.id}/stop`); exp.status = 'stopped'; results(box, exp); } }, 'Stop the experiment') : null);
  } catch (e) { mount(box, notice(e.message, 'error')); }
}

function defineForm(onMade) {
  const name = h('input', { type: 'text', name: 'name', required: true, placeholder: 'discount-depth' });
  const arms = h('textarea', { name: 'arms', rows: 4, spellcheck: 'false' });
  arms.value = 'ten: Retention_ten, 1\nfifteen: Retention_fifteen, 1\nholdout: holdout, 1';
  const cooldown = h('input', { type: 'number', name: 'cooldown', min: 0, value: 90 });
  const status = h('div', { 'aria-live': 'polite' });
  return h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      const parsed = arms.value.split('\n').map((l) => l.match(/^\s*([\w-]+)\s*:\s*([\w-]+)\s*(?:,\s*(\d+))?\s*$/)).filter(Boolean)
        .map(([, n, p, w]) => (p === 'holdout' ? { name: n, holdout: true, weight: Number(w || 1) } : { name: n, policy: p, weight: Number(w || 1) }));
      if (parsed.length < 2) { mount(status, notice('Give at least two arms, one a line: "name: Policy_name, weight" (or "name: holdout, weight").', 'error')); return; }
      try {
        const x = await post('/v1/experiments', { name: name.value, arms: parsed, offer_cooldown_days: Number(cooldown.value) });
        mount(status, notice(`Started ${x.name}.`, 'good'));
        onMade();
      } catch (err) { mount(status, notice(err.message, 'error')); }
    },
  },
  h('h2', null, 'Define an experiment'),
  field('Name', name),
  field('Arms', arms, 'One a line: "name: Policy_name, weight", or "name: holdout, weight".'),
  field('Offer cooldown (days)', cooldown),
  h('button', { type: 'submit' }, 'Start'), status);
}

export default async function experiments(main) {
  const listBox = h('div');
  const resultBox = h('div', { 'aria-live': 'polite' });
  async function load() {
    try {
      const r = await get('/v1/experiments');
      if (!r.experiments.length) return mount(listBox, notice('No experiments yet.'));
      mount(listBox, h('ul', null, r.experiments.map((x) => h('li', null,
        h('button', { type: 'button', class: 'link', onclick: () => results(resultBox, x) }, x.name),
        ` — ${x.status}, ${x.arms.length} arms, since ${dateTime(x.created_at)}`))));
    } catch (e) {
      if (e.status === 404) {
        mount(main, h('h1', null, 'Experiments'), notice('This server does not run experiments yet: its API has no /v1/experiments. Update holdfast to define arms and see results here.', 'warn'));
        return;
      }
      mount(listBox, notice(e.message, 'error'));
    }
  }
  mount(main, h('h1', null, 'Experiments'),
    h('div', { class: 'grid' },
      h('section', { class: 'card', 'aria-label': 'Experiments' }, h('h2', null, 'Experiments'), listBox, resultBox),
      h('section', { class: 'card', 'aria-label': 'New experiment' }, defineForm(load))));
  await load();
}
