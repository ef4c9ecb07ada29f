// order.js - the shopper's order page, reached through the signed link in
// every message (/orders/HF-100042?t=TOKEN): the items, the journey as a
// timeline, the delivery estimate with its range, a delay notice, live
// updates from the order's event stream, the cancel flow (reason -> the
// policy's offers -> keep or cancel -> confirmation -> survey) and a chat.
import { h, mount, notice, field } from '../lib/dom.js';
import { auth, get, post, stream } from '../lib/api.js';
import { money, day, dateTime, label } from '../lib/format.js';
import { surveyForm } from './survey.js';

const STAGES = [
  ['placed', 'Placed'], ['packed', 'Packed'], ['shipped', 'Shipped'],
  ['in_transit', 'In transit'], ['out_for_delivery', 'Out for delivery'], ['delivered', 'Delivered'],
];

const REASONS = [
  ['changed_mind', 'I changed my mind'],
  ['shipping_delay', 'Delivery would take too long'],
  ['found_better_price', 'I found a better price elsewhere'],
  ['ordered_by_mistake', 'I ordered by mistake'],
  ['inaccurate_product_info', 'The product is not what I expected'],
  ['other', 'Something else'],
];

// Timeline events the page refreshes on (the stream names each event).
const LIVE_EVENTS = ['placed', 'status_changed', 'cancelled', 'lines_cancelled', 'shipment_status',
  'eta_changed', 'shipment_delayed', 'discount_applied', 'shipping_upgraded', 'product_swapped',
  'coupon_issued', 'address_corrected', 'customer_notified'];

// How far along the journey the order is: the index in STAGES.
function stageOf(order, shipments) {
  const ship = shipments[0];
  const st = ship ? ship.status : null;
  if (order.status === 'delivered' || st === 'delivered') return 5;
  if (st === 'out_for_delivery') return 4;
  if (st === 'in_transit' || st === 'exception') return 3;
  if (order.status === 'shipped' || ship) return 2;
  if (order.status === 'packed') return 1;
  return 0;
}

function timeline(order, shipments) {
  if (order.status === 'cancelled') {
    return notice(`This order was cancelled${order.cancellation ? ` (${label(order.cancellation.reason).toLowerCase()})` : ''}.`, 'warn');
  }
  const at = stageOf(order, shipments);
  return h('ol', { class: 'timeline', 'aria-label': 'Order journey' },
    STAGES.map(([, name], i) => h('li', {
      class: i < at ? 'done' : i === at ? 'current done' : '',
      'aria-current': i === at ? 'step' : null,
    }, name, i === at ? h('span', { class: 'sr-only' }, ' (current step)') : null)));
}

function eta(order, shipments) {
  const s = shipments.find((x) => x.status !== 'delivered') || shipments[0];
  if (order.status === 'cancelled') return null;
  if (s && s.delivered_at) {
    return h('p', null, 'Delivered ', h('strong', null, day(s.delivered_at)));
  }
  const e = s && s.eta;
  const box = h('div', { class: 'eta-box', 'data-testid': 'eta' },
    h('h2', null, 'Estimated delivery'),
    e ? [h('p', { class: 'eta' }, day(e.expected)),
      h('p', { class: 'muted' }, `Between ${day(e.earliest)} and ${day(e.latest)}`)]
      : h('p', { class: 'eta' }, `By ${day(order.promised_by)}`));
  const delayed = s && s.delayed;
  return [box, delayed ? notice(`Your delivery is running late${s.delay_reason ? `: ${label(s.delay_reason).toLowerCase()}` : ''}. We now expect it ${day(e && e.expected)}.`, 'warn') : null];
}

function items(order) {
  return h('table', null,
    h('caption', null, 'Items'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Qty'), h('th', { scope: 'col' }, 'Price'))),
    h('tbody', null, order.lines.map((l) => h('tr', null,
      h('th', { scope: 'row' }, l.name, h('small', null, l.cancelled_qty ? `${l.sku} · ${l.cancelled_qty} cancelled` : l.sku)),
      h('td', null, l.qty),
      h('td', null, money(l.unit_price * l.qty, order.currency))))),
    h('tfoot', null,
      order.discount_total ? h('tr', null, h('th', { scope: 'row', colspan: 2 }, 'Discount'), h('td', null, `−${money(order.discount_total, order.currency)}`)) : null,
      h('tr', null, h('th', { scope: 'row', colspan: 2 }, 'Total'), h('td', { 'data-testid': 'total' }, money(order.total, order.currency)))));
}

function history(order) {
  const rows = order.timeline.slice().reverse().slice(0, 12);
  return h('ul', { class: 'history' }, rows.map((e) => h('li', null,
    h('time', { datetime: e.at }, dateTime(e.at)), ' — ', describe(e))));
}

function describe(e) {
  switch (e.type) {
    case 'placed': return 'Order placed';
    case 'status_changed': return `Order ${label(e.to).toLowerCase()}`;
    case 'shipment_status': return `Shipment ${label(e.data && e.data.status).toLowerCase()}`;
    case 'eta_changed': return `New delivery estimate: ${day(e.data && e.data.expected)}`;
    case 'shipment_delayed': return 'Shipment delayed';
    case 'discount_applied': return 'Discount applied';
    case 'shipping_upgraded': return 'Shipping upgraded to expedited';
    case 'product_swapped': return 'Item swapped';
    case 'coupon_issued': return 'Coupon issued for your next order';
    case 'cancelled': return 'Order cancelled';
    default: return label(e.type);
  }
}

export default async function orderPage(main, { number }) {
  const token = new URLSearchParams(location.search).get('t');
  auth.link = token;
  document.title = `Order ${number}`;
  if (!token) {
    mount(main, h('h1', null, `Order ${number}`), notice('Open this page from the link in your order email or text message.', 'error'));
    return;
  }
  const base = `/v1/orders/${encodeURIComponent(number)}`;
  const head = h('div');
  const live = h('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'live' });
  const body = h('div');
  const actions = h('section', { class: 'card', 'aria-labelledby': 'h-help' });
  mount(main, head, body, actions);

  let order;
  async function refresh() {
    try {
      const [o, s] = await Promise.all([get(base), get(`${base}/shipments`)]);
      order = o;
      const shipments = s.data || [];
      // an order that can no longer be cancelled loses its button
      const cancel = main.querySelector('[data-cancel]');
      if (cancel && ['cancelled', 'delivered', 'returned'].includes(o.status)) cancel.remove();
      mount(head, h('h1', null, `Order ${o.number}`),
        h('p', { class: 'muted' }, `Placed ${day(o.placed_at)} · ${label(o.status)}`), live);
      mount(body, h('div', { class: 'grid' },
        h('section', { class: 'card wide', 'aria-label': 'Where your order is' }, timeline(o, shipments), eta(o, shipments)),
        h('section', { class: 'card', 'aria-label': 'Items' }, items(o)),
        h('section', { class: 'card', 'aria-labelledby': 'h-updates' }, h('h2', { id: 'h-updates' }, 'Updates'), history(o))));
    } catch (e) {
      mount(head, h('h1', null, `Order ${number}`),
        notice(e.status === 401 ? 'This link is not valid or has expired. Ask us for a new one.' : e.message, 'error'));
    }
  }
  await refresh();
  if (!order) return;
  helpSection(actions, order, base, refresh);

  const es = stream(`${base}/stream`);
  const onEvent = () => { live.textContent = `Updated ${dateTime(new Date().toISOString())}`; refresh(); };
  LIVE_EVENTS.forEach((t) => es.addEventListener(t, onEvent));
  return () => es.close();
}

// "Need help?": cancel (through the policy's offers) and chat with us.
function helpSection(box, order, base, refresh) {
  const panel = h('div', { 'aria-live': 'polite' });
  const open = !['cancelled', 'delivered', 'returned'].includes(order.status);
  mount(box, h('h2', { id: 'h-help' }, 'Need help?'),
    h('div', { class: 'actions' },
      open ? h('button', { type: 'button', class: 'secondary', 'data-cancel': true, onclick: () => cancelFlow(panel, order, base, refresh) }, 'Cancel order') : null,
      h('button', { type: 'button', class: 'secondary', onclick: () => chat(panel, order) }, 'Chat with us')),
    panel);
}

function cancelFlow(panel, order, base, refresh) {
  const reason = h('select', { name: 'reason', required: true },
    h('option', { value: '' }, 'Choose a reason'),
    REASONS.map(([code, text]) => h('option', { value: code }, text)));
  const note = h('textarea', { name: 'note', rows: 2, maxlength: 1000 });
  const status = h('div');
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      if (!reason.value) { mount(status, notice('Please choose a reason.', 'error')); reason.focus(); return; }
      mount(status, notice('One moment…'));
      try {
        const r = await post(`${base}/cancellation-requests`, { reason: reason.value, note: note.value || undefined });
        showOffers(panel, r, r.id, base, refresh);
      } catch (err) { mount(status, notice(err.message, 'error')); }
    },
  },
  h('h3', null, 'Cancel this order'),
  field('Why do you want to cancel?', reason),
  field('Anything else we should know? (optional)', note),
  h('button', { type: 'submit' }, 'Continue'), status);
  mount(panel, form);
  reason.focus();
}

// The policy's answer: offers to keep the order, or the outcome.
function showOffers(panel, r, id, base, refresh) {
  if (r.outcome === 'retained') return kept(panel, r, refresh);
  if (r.outcome === 'cancelled') return cancelled(panel, r, base, refresh);
  if (r.outcome === 'escalated') {
    return mount(panel, notice(r.reply || 'A member of our team will get back to you shortly.', 'good'));
  }
  if (r.eligible === false || !r.offers || !r.offers.length) {
    return mount(panel, notice(r.reply || 'This order can no longer be cancelled.', 'warn'));
  }
  const status = h('div', { 'aria-live': 'polite' });
  async function decide(path, body) {
    mount(status, notice('One moment…'));
    panel.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      showOffers(panel, await post(path, body), id, base, refresh);
    } catch (err) {
      mount(status, notice(err.message, 'error'));
      panel.querySelectorAll('button').forEach((b) => { b.disabled = false; });
    }
  }
  const heading = h('h3', { tabindex: '-1' }, 'Before you go: would one of these help?');
  mount(panel, heading,
    h('p', { class: 'muted' }, r.reply ? r.reply.split('\n')[0] : ''),
    h('ul', { class: 'offers', role: 'list' }, r.offers.map((o) => h('li', { class: 'offer', 'data-offer': o.id },
      h('h4', null, offerTitle(o)),
      o.kind === 'swap' ? h('p', null, `Instead of ${o.replaces}: `, h('strong', null, o.name), ` (${o.sku}), at no extra cost.`) : h('p', null, o.description),
      h('button', { type: 'button', onclick: () => decide(`/v1/cancellation-requests/${id}/decision`, { accept: o.id }) }, 'Keep my order with this')))),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => decide(`/v1/conversations/${id}/messages`, { text: 'No, thanks' }) }, 'No thanks'),
      h('button', { type: 'button', class: 'danger', onclick: () => decide(`/v1/cancellation-requests/${id}/decision`, { decline: true }) }, 'Cancel my order')),
    status);
  heading.focus();
}

function offerTitle(o) {
  switch (o.kind) {
    case 'discount': return `${o.percent}% off this order`;
    case 'shipping_upgrade': return 'Free expedited shipping';
    case 'swap': return `Swap to ${o.name}`;
    case 'coupon': return `${o.percent}% off your next order`;
    default: return label(o.kind);
  }
}

function kept(panel, r, refresh) {
  const heading = h('h3', { tabindex: '-1' }, 'Your order is kept');
  mount(panel, heading, notice(r.reply || 'Your order has been updated.', 'good'));
  heading.focus();
  refresh();
}

async function cancelled(panel, r, base, refresh) {
  const heading = h('h3', { tabindex: '-1' }, 'Your order is cancelled');
  const surveyBox = h('div');
  mount(panel, heading, notice(r.reply || 'Your order has been cancelled.', 'good'), surveyBox);
  heading.focus();
  refresh();
  try {
    const link = await get(`${base}/survey`);
    const survey = await get(`/v1/surveys/${encodeURIComponent(link.token)}`);
    if (!survey.answered) mount(surveyBox, surveyForm(survey, link.token));
  } catch { /* the survey is optional: the confirmation stands */ }
}

// A chat with holdfast about this order (the conversations API).
async function chat(panel, order) {
  const log = h('ol', { class: 'chat-log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
  const input = h('input', { type: 'text', name: 'message', autocomplete: 'off', maxlength: 4000 });
  const say = (from, text) => { log.append(h('li', { class: from }, h('span', { class: 'sr-only' }, from === 'customer' ? 'You: ' : 'holdfast: '), text)); log.scrollTop = log.scrollHeight; };
  let convo;
  const form = h('form', {
    class: 'chat-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text || !convo) return;
      input.value = '';
      say('customer', text);
      try {
        const r = await post(`/v1/conversations/${convo.id}/messages`, { text });
        if (r.reply) say('holdfast', r.reply);
      } catch (err) { say('holdfast', `Sorry, something went wrong: ${err.message}`); }
    },
  }, h('label', { for: 'chat-input', class: 'sr-only' }, 'Your message'), input, h('button', { type: 'submit' }, 'Send'));
  input.id = 'chat-input';
  mount(panel, h('h3', null, 'Chat with us'), log, form);
  try {
    convo = await post('/v1/conversations', { order: order.number, channel: 'chat' });
    if (convo.reply) say('holdfast', convo.reply);
    input.focus();
  } catch (err) { mount(panel, notice(err.message, 'error')); }
}
