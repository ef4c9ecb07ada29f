// reviews.js - the review queues: orders screening held for a person
// (fraud scores, duplicates) with approve/reject and a note, and every
// order on hold, with why.
import { h, mount, notice } from '../lib/dom.js';
import { get, post } from '../lib/api.js';
import { dateTime, label, money } from '../lib/format.js';

export default async function reviews(main) {
  const queue = h('div');
  const held = h('div');
  mount(main, h('h1', null, 'Review queues'),
    h('section', { class: 'card', 'aria-labelledby': 'h-rev' }, h('h2', { id: 'h-rev' }, 'Fraud and duplicate reviews'), queue),
    h('section', { class: 'card', 'aria-labelledby': 'h-held' }, h('h2', { id: 'h-held' }, 'Orders on hold'), held));

  async function loadQueue() {
    try {
      const r = await get('/v1/reviews?status=open&limit=100');
      if (!r.reviews.length) return mount(queue, notice('No order is waiting for a review.'));
      mount(queue, h('ul', { class: 'offers', role: 'list' }, r.reviews.map((rv) => {
        const note = h('input', { type: 'text', name: 'note', maxlength: 1000, 'aria-label': `Note on ${rv.order_number}` });
        const st = h('div', { 'aria-live': 'polite' });
        const decide = async (approve) => {
          try {
            await post(`/v1/reviews/${rv.id}/decision`, approve ? { approve: true, note: note.value || undefined } : { reject: true, note: note.value || undefined });
            mount(st, notice(approve ? 'Approved: the order goes on.' : 'Rejected: the order is cancelled.', 'good'));
            setTimeout(loadQueue, 800);
          } catch (e) { mount(st, notice(e.message, 'error')); }
        };
        return h('li', { class: 'offer', 'data-review': rv.id },
          h('h3', null, `${rv.order_number} · ${label(rv.kind)}${rv.kind === 'fraud' ? ` (score ${rv.score})` : ''}`),
          h('small', null, `held ${dateTime(rv.created_at)}`),
          h('ul', null, rv.reasons.map((x) => h('li', null, `${x.message}${x.points ? ` (+${x.points})` : ''}`))),
          note,
          h('div', { class: 'actions' },
            h('button', { type: 'button', onclick: () => decide(true) }, 'Approve'),
            h('button', { type: 'button', class: 'danger', onclick: () => decide(false) }, 'Reject')), st);
      })));
    } catch (e) { mount(queue, notice(e.message, 'error')); }
  }
  async function loadHeld() {
    try {
      const r = await get('/v1/orders?status=on_hold&limit=50');
      if (!r.data.length) return mount(held, notice('No order is on hold.'));
      mount(held, h('table', null,
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Order'), h('th', { scope: 'col' }, 'Placed'), h('th', { scope: 'col' }, 'Total'), h('th', { scope: 'col' }, 'Why'))),
        h('tbody', null, r.data.map((o) => {
          const why = o.timeline.slice().reverse().find((e) => e.to === 'on_hold');
          return h('tr', null, h('th', { scope: 'row' }, o.number), h('td', null, dateTime(o.placed_at)),
            h('td', null, money(o.total, o.currency)), h('td', null, why && why.reason ? why.reason : '—'));
        }))));
    } catch (e) { mount(held, notice(e.message, 'error')); }
  }
  await Promise.all([loadQueue(), loadHeld()]);
}
