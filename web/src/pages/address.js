// address.js - a held order's shopper corrects its delivery address
// (/orders/HF-100042/address?t=TOKEN, the link in the "check your delivery
// address" message). The token is the authority; the order goes on once
// the address passes the checks.
import { h, mount, notice, field } from '../lib/dom.js';
import { api } from '../lib/api.js';
import { label } from '../lib/format.js';

const FIELDS = [
  ['name', 'Full name', 'name'], ['line1', 'Address line 1', 'address-line1'],
  ['line2', 'Address line 2 (optional)', 'address-line2'], ['city', 'City', 'address-level2'],
  ['region', 'State or region', 'address-level1'], ['postal_code', 'Postal code', 'postal-code'],
  ['country', 'Country (2-letter code, such as US)', 'country'], ['phone', 'Phone (optional)', 'tel'],
];

export default function addressPage(main, { number }) {
  const token = new URLSearchParams(location.search).get('t');
  document.title = `Delivery address · ${number}`;
  if (!token) {
    mount(main, h('h1', null, 'Delivery address'), notice('Open this page from the link in your message.', 'error'));
    return;
  }
  const inputs = Object.fromEntries(FIELDS.map(([k, , ac]) => [k, h('input', {
    type: 'text', name: k, autocomplete: ac, required: !['line2', 'phone'].includes(k), maxlength: k === 'country' ? 2 : 200,
  })]));
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', {
    class: 'card narrow',
    onsubmit: async (e) => {
      e.preventDefault();
      const address = {};
      for (const [k] of FIELDS) if (inputs[k].value.trim()) address[k] = inputs[k].value.trim();
      if (address.country) address.country = address.country.toUpperCase();
      mount(status, notice('Checking…'));
      try {
        const o = await api('POST', `/v1/orders/${encodeURIComponent(number)}/address?t=${encodeURIComponent(token)}`, { shipping_address: address });
        mount(main, h('h1', null, 'Thank you'),
          notice(`Order ${o.number} will be delivered to ${o.shipping_address.line1}, ${o.shipping_address.city}. It is ${label(o.status).toLowerCase()} and on its way to being shipped.`, 'good'));
      } catch (err) {
        const reasons = err.body && err.body.error && err.body.error.reasons;
        mount(status, notice(err.status === 401 ? 'This link is not valid or has expired.' : err.message, 'error'),
          reasons ? h('ul', null, reasons.map((r) => h('li', null, r.message || label(r.code)))) : null);
      }
    },
  },
  h('h1', null, `Delivery address for order ${number}`),
  h('p', null, 'We could not confirm the address you gave. Please check it and correct what is wrong.'),
  FIELDS.map(([k, text]) => field(text, inputs[k])),
  h('button', { type: 'submit' }, 'Confirm the address'), status);
  mount(main, form);
  inputs.name.focus();
}
