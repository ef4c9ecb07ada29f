// queue.js - the agent queue: conversations the policy handed to a person,
// each with its transcript, the order and its risk; reply (sent to the
// customer and kept on the conversation), act on the order through the
// API's own guarded endpoint (cancelling goes through the order's state
// machine, refund and restock; an offer goes through the policy tools'
// guards, one per order), close with a resolution. An escalation whose
// order is cancelled (here, or by the customer) is closed by that.
import { h, mount, notice, field } from '../lib/dom.js';
import { get, post } from '../lib/api.js';
import { money, dateTime, label, percent } from '../lib/format.js';

function transcript(convo) {
  const items = [];
  for (const e of convo.events || []) {
    const d = e.data || {};
    if (e.kind === 'customer' && d.text) items.push(h('li', { class: 'customer' }, h('span', { class: 'sr-only' }, 'Customer: '), d.text));
    else if ((e.kind === 'started' || e.kind === 'decision') && d.reply) items.push(h('li', { class: 'holdfast' }, h('span', { class: 'sr-only' }, 'holdfast: '), d.reply));
    else if (e.kind === 'agent_reply' || e.kind === 'agent_offer') items.push(h('li', { class: 'agent' }, h('strong', null, 'Agent: '), d.text));
    else if (e.kind === 'tool_call') items.push(h('li', { class: 'holdfast tool-calls' }, `@${d.tool} → ${d.ok ? 'done' : 'refused'}`));
  }
  return h('ol', { class: 'chat-log', 'aria-label': 'Transcript' }, items);
}

async function detail(box, esc, reload, said = null) {
  mount(box, notice('Loading…'));
  let convo, order, risk = null;
  try {
    [convo, order] = await Promise.all([get(`/v1/conversations/${esc.conversation}`), get(`/v1/orders/${esc.order_id}`)]);
    risk = await get(`/v1/orders/${esc.order_id}/risk`).catch(() => null);
  } catch (e) {
    mount(box, notice(e.message, 'error'));
    return;
  }
  const reply = h('textarea', { name: 'reply', rows: 3, maxlength: 4000, required: true });
  const kind = h('select', { name: 'offer-kind' },
    h('option', { value: 'discount' }, 'Discount on this order'),
    h('option', { value: 'shipping_upgrade' }, 'Free expedited shipping'),
    h('option', { value: 'coupon' }, 'Coupon for the next order'),
    h('option', { value: 'swap' }, 'Swap an item'));
  const pct = h('input', { type: 'number', name: 'offer-percent', min: 1, max: 100, value: 10 });
  const fromSku = h('select', { name: 'offer-from' }, order.lines.map((l) => h('option', { value: l.sku }, `${l.name} (${l.sku})`)));
  const toSku = h('input', { type: 'text', name: 'offer-to', maxlength: 64, autocomplete: 'off' });
  const pctField = field('Percent', pct);
  const swapFields = h('div', { hidden: true }, field('Item', fromSku), field('Swap to SKU', toSku));
  kind.addEventListener('change', () => {
    pctField.hidden = kind.value === 'shipping_upgrade' || kind.value === 'swap';
    swapFields.hidden = kind.value !== 'swap';
  });
  const offerBody = () => kind.value === 'swap' ? { kind: 'swap', from_sku: fromSku.value, sku: toSku.value.trim() }
    : kind.value === 'shipping_upgrade' ? { kind: kind.value } : { kind: kind.value, percent: Number(pct.value) };
  const resolution = h('input', { type: 'text', name: 'resolution', maxlength: 1000 });
  const status = h('div', { 'aria-live': 'polite' }, said);
  const act = async (what, fn) => {
    mount(status, notice(`${what}…`));
    try { await fn(); } catch (e) { mount(status, notice(e.message, 'error')); return; }
    await detail(box, esc, reload, notice(`${what}: done.`, 'good'));
  };
  const open = esc.status === 'open';
  mount(box,
    h('h2', { id: 'h-esc' }, `Order ${order.number}`, h('small', null, `${esc.reason} · opened ${dateTime(esc.created_at)}`)),
    h('div', { class: 'grid' },
      h('section', { 'aria-label': 'Conversation' }, h('h3', null, 'Transcript'), transcript(convo),
        open ? h('form', {
          onsubmit: (e) => { e.preventDefault(); if (!reply.value.trim()) return; act('Reply sent', () => post(`/v1/escalations/${esc.id}/replies`, { text: reply.value.trim() })); },
        }, field('Reply to the customer', reply), h('button', { type: 'submit' }, 'Send reply')) : notice(`Closed: ${esc.resolution || ''}`)),
      h('section', { 'aria-label': 'Order and risk' },
        h('h3', null, 'Order'),
        h('p', null, `${label(order.status)} · ${money(order.total, order.currency)} · ${order.customer.name || order.customer.email}`),
        h('ul', null, order.lines.map((l) => h('li', null, `${l.qty} × ${l.name} (${l.sku})`))),
        h('h3', null, 'Risk'),
        risk && risk.score !== undefined && risk.score !== null
          ? h('p', null, `Cancellation risk ${percent(Number(risk.score))}`, risk.features ? h('small', null, risk.features.slice(0, 3).map((f) => label(f.name || f.feature)).join(', ')) : null)
          : h('p', { class: 'muted' }, 'Not scored.'),
        open ? h('div', { class: 'actions' },
          // cancelling the order closes its escalation, as this agent's
          h('button', { type: 'button', class: 'danger', onclick: () => act('Order cancelled, escalation closed', async () => { await post(`/v1/orders/${order.id}/cancel`, { reason: 'changed_mind', note: 'cancelled by an agent from the queue' }); esc.status = 'closed'; esc.resolution = 'the order was cancelled'; reload(); }) }, 'Cancel the order')) : null,
        open ? h('form', {
          'aria-label': 'Make an offer',
          onsubmit: (e) => { e.preventDefault(); act('Offer applied', () => post(`/v1/escalations/${esc.id}/offers`, offerBody())); },
        }, h('h3', null, 'Make an offer'), field('Offer', kind), pctField, swapFields, h('button', { type: 'submit' }, 'Apply the offer')) : null,
        open ? h('form', {
          onsubmit: (e) => { e.preventDefault(); act('Closed', async () => { await post(`/v1/escalations/${esc.id}/close`, { resolution: resolution.value || undefined }); esc.status = 'closed'; reload(); }); },
        }, field('Resolution', resolution), h('button', { type: 'submit' }, 'Close')) : null)),
    status);
}

export default async function queue(main) {
  const list = h('div');
  const box = h('section', { class: 'card', 'aria-labelledby': 'h-esc' });
  const which = h('select', { name: 'status' }, h('option', { value: 'open' }, 'Open'), h('option', { value: 'closed' }, 'Closed'));
  async function load() {
    mount(list, notice('Loading…'));
    try {
      const r = await get(`/v1/escalations?status=${which.value}&limit=100`);
      if (!r.escalations.length) { mount(list, notice(which.value === 'open' ? 'Nobody is waiting: the queue is empty.' : 'No closed escalations.')); return; }
      mount(list, h('table', null,
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Opened'), h('th', { scope: 'col' }, 'Why'), h('th', { scope: 'col' }, ''))),
        h('tbody', null, r.escalations.map((e) => h('tr', { 'data-escalation': e.id },
          h('td', null, dateTime(e.created_at)), h('td', null, e.reason),
          h('td', null, h('button', { type: 'button', class: 'secondary', onclick: () => detail(box, e, load) }, 'Open')))))));
    } catch (e) {
      mount(list, notice(e.message, 'error'));
    }
  }
  which.addEventListener('change', load);
  mount(main, h('h1', null, 'Agent queue'), h('section', { class: 'card' }, field('Show', which), list), box);
  mount(box, h('h2', { id: 'h-esc' }, 'Conversation'), h('p', { class: 'muted' }, 'Open an escalation to see its transcript, order and risk.'));
  await load();
}
