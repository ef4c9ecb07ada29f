// dashboard.js - the CX dashboard: the seed's KPI table against its
// targets, trends by day, the reasons customers give, the save rate with
// its interval and the offers kept, a drill-down, the slices cancelling
// above the norm, orders at risk, delayed shipments and the inventory
// outlook.
import { h, mount, notice, field } from '../lib/dom.js';
import { get } from '../lib/api.js';
import { percent, label, day, dateTime, money } from '../lib/format.js';
import { chart } from '../lib/charts.js';

const KPI_ORDER = ['cancellation_rate', 'reason_distribution', 'cancellation_resolution_hours',
  'fulfillment_hours', 'save_rate', 'on_time_rate'];

function kpiValue(k, v) {
  if (v === null || v === undefined) return '—';
  if (k.unit === 'ratio') return percent(v, 2);
  if (k.unit === 'score') return Number(v).toFixed(2);
  return `${Number(v).toFixed(1)} h`;
}

// A rate with its 95% interval, as the KPIs give it (current, low, high).
function withInterval(k) {
  if (!k || k.current === null || k.current === undefined) return '—';
  return k.low === null || k.low === undefined ? percent(k.current)
    : `${percent(k.current)} (${percent(k.low)} – ${percent(k.high)})`;
}

function status(k) {
  if (k.met === true) return h('span', { class: 'badge good' }, 'On target');
  if (k.met === false) return h('span', { class: 'badge bad' }, 'Off target');
  return h('span', { class: 'badge none' }, 'No data');
}

export function kpiTable(kpis) {
  const names = KPI_ORDER.filter((n) => kpis[n]).concat(Object.keys(kpis).filter((n) => !KPI_ORDER.includes(n)));
  return h('table', { class: 'kpis' },
    h('caption', null, 'Key performance indicators, last 30 days'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col' }, 'Target'),
      h('th', { scope: 'col' }, 'Current'), h('th', { scope: 'col' }, 'Status'))),
    h('tbody', null, names.map((n) => {
      const k = kpis[n];
      const cls = k.met === true ? 'good' : k.met === false ? 'bad' : 'none';
      return h('tr', { class: `kpi-${cls}`, 'data-kpi': n },
        h('th', { scope: 'row' }, n === 'csat' ? 'CSAT' : label(n), h('small', null, k.description)),
        h('td', null, k.comparison ? `${k.comparison} ${kpiValue(k, k.target)}` : '—'),
        h('td', { class: `value ${cls}` }, k.low !== undefined ? withInterval(k) : kpiValue(k, k.current)),
        h('td', null, status(k)));
    })));
}

function isoDay(d) { return d.toISOString().slice(0, 10); }

// The last n days' KPIs, one group per day, in one call.
async function trend(n) {
  const to = new Date();
  const from = new Date(to.getTime() - (n - 1) * 86400e3);
  const r = await get(`/v1/kpis?by=day&from=${isoDay(from)}&to=${isoDay(to)}`);
  return r.groups.map((g) => ({ day: g.value, kpis: g.kpis }));
}

function section(title, ...body) {
  const id = `h-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

export default async function dashboard(main) {
  mount(main, h('h1', null, 'Dashboard'), notice('Loading…'));
  let report;
  try {
    report = await get('/v1/kpis');
  } catch (e) {
    mount(main, h('h1', null, 'Dashboard'), notice(e.message, 'error'));
    return;
  }
  const trendBox = h('div', { class: 'chart-box', 'data-chart': 'trend' }, notice('Loading the trend…'));
  const reasonBox = h('div', { class: 'chart-box' });
  const offerBox = h('div', { 'data-box': 'offers' });
  const drillBox = h('div');
  const driverBox = h('div', { 'data-box': 'drivers' });
  const riskBox = h('div');
  const delayBox = h('div');
  const outlookBox = h('div', { 'data-box': 'outlook' });
  mount(main,
    h('h1', null, 'Dashboard'),
    h('p', { class: 'muted' }, `From ${report.from} to ${report.to}`),
    h('div', { class: 'grid' },
      section('KPIs', kpiTable(report.kpis)),
      section('Trend, last 14 days', trendBox),
      section('Why customers cancel', reasonBox),
      section('Save rate and offers', offerBox),
      section('Drill-down', drillBox),
      section('Cancelling above the norm', driverBox),
      section('Orders at risk', riskBox),
      section('Delayed shipments', delayBox),
      section('Inventory outlook', outlookBox)));

  const shares = report.kpis.reason_distribution && report.kpis.reason_distribution.shares;
  if (shares && Object.keys(shares).length) {
    const entries = Object.entries(shares).sort((a, b) => b[1] - a[1]);
    chart(reasonBox, 'bar', entries.map(([k]) => label(k)), [{ label: 'Share of cancellations (%)', data: entries.map(([, v]) => +(v * 100).toFixed(1)) }],
      'Share of cancellations by reason', { indexAxis: 'y' });
  } else mount(reasonBox, notice('No cancellations in this period.'));

  trend(14).then((t) => {
    const pct = (name, digits) => t.map((x) => {
      const k = x.kpis[name];
      return k && k.current !== null ? +(k.current * 100).toFixed(digits) : null;
    });
    mount(trendBox);
    trendBox.dataset.days = t.length;
    chart(trendBox, 'line', t.map((x) => x.day.slice(5)), [
      { label: 'Cancellation rate (%)', data: pct('cancellation_rate', 2) },
      { label: 'On-time rate (%)', data: pct('on_time_rate', 1) },
      { label: 'Save rate (%)', data: pct('save_rate', 1) },
    ], 'Cancellation, on-time and save rates by day');
  }).catch((e) => mount(trendBox, notice(e.message, 'error')));

  loadOffers(offerBox, report);
  loadDrill(drillBox);
  loadDrivers(driverBox);
  loadRisk(riskBox);
  loadDelayed(delayBox);
  loadOutlook(outlookBox);
}

function table(heads, rows, attrs) {
  return h('table', attrs,
    h('thead', null, h('tr', null, heads.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows));
}

// The save rate with its interval, each kind of offer with how often it
// was kept when shown (and its interval), revenue kept, and the save rate
// of each policy version.
async function loadOffers(box, report) {
  const k = report.kpis;
  const c = report.counts || {};
  // every kind shown or kept, most kept first
  const takes = report.offer_take_rates || {};
  const kinds = [...new Set([...Object.keys(takes), ...Object.keys(c.offers_accepted || {})])].filter((kind) => kind !== 'none')
    .map((kind) => [kind, (c.offers_accepted || {})[kind] || 0]).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
  const revenue = Object.entries(report.revenue_kept || {});
  const parts = [
    h('p', { 'data-kpi': 'save_rate' }, h('strong', null, 'Save rate: '), withInterval(k.save_rate),
      h('small', null, `${k.save_rate ? k.save_rate.n : 0} requests whose 30 days have passed; 95% interval in brackets`)),
    h('p', null, h('strong', null, 'Offers made: '), `${c.offers_made ?? 0} (to ${percent(k.offer_rate && k.offer_rate.current)} of requests), kept: ${percent(k.offer_acceptance_rate && k.offer_acceptance_rate.current)}`),
    kinds.length ? table(['Offer', 'Kept', 'Shown', 'Kept when shown (95% interval)'], kinds.map(([kind, n]) => {
      const t = takes[kind];
      return h('tr', { 'data-offer': kind },
        h('th', { scope: 'row' }, label(kind)), h('td', null, n), h('td', null, t ? t.shown : '—'),
        h('td', { 'data-take-rate': kind }, t && t.shown ? `${percent(t.rate)} (${percent(t.low)}–${percent(t.high)})` : '—'));
    }), { class: 'offers-kept' })
      : notice('No offer was shown in this period.'),
    revenue.length ? h('p', null, h('strong', null, 'Revenue kept: '),
      revenue.map(([cur, v]) => `${money(v.kept, cur)} (discounts ${money(v.discounts_given, cur)})`).join('; ')) : null,
  ];
  const byPolicy = h('div', { 'aria-live': 'polite' }, notice('Loading the save rate by policy…'));
  mount(box, ...parts, h('h3', null, 'Save rate by policy version'), byPolicy);
  try {
    const r = await get('/v1/kpis?by=policy_version');
    const rows = r.groups.filter((g) => g.kpis.save_rate && g.kpis.save_rate.n);
    if (!rows.length) return mount(byPolicy, notice('No request has reached its 30 days in this period.'));
    mount(byPolicy, table(['Policy version', 'Save rate (95% interval)', 'Requests'], rows.map((g) => h('tr', null,
      h('th', { scope: 'row', class: 'id' }, g.value || '—'), h('td', null, withInterval(g.kpis.save_rate)), h('td', null, g.kpis.save_rate.n)))));
  } catch (e) {
    mount(byPolicy, notice(e.message, 'error'));
  }
}

function loadDrill(box) {
  const select = h('select', { name: 'by' }, ['channel', 'region', 'category', 'product'].map((b) => h('option', { value: b }, label(b))));
  const out = h('div', { 'aria-live': 'polite' });
  let shown = 0; // the latest choice's answer wins, whatever order they come in
  async function show() {
    const mine = ++shown;
    const by = select.value;
    mount(out, notice('Loading…'));
    try {
      const r = await get(`/v1/kpis?by=${by}`);
      if (mine !== shown) return;
      const groups = (r.groups || []).slice().sort((a, b) => (b.kpis.cancellation_rate?.n || 0) - (a.kpis.cancellation_rate?.n || 0)).slice(0, 15);
      mount(out, table([label(by), 'Orders', 'Cancellation rate', 'On time', 'Save rate'], groups.map((g) => {
        const c = g.kpis.cancellation_rate || {};
        return h('tr', null, h('th', { scope: 'row' }, g.value || '—'), h('td', null, c.n ?? '—'),
          h('td', { class: c.met === false ? 'bad' : c.met ? 'good' : '' }, percent(c.current, 2)),
          h('td', null, percent(g.kpis.on_time_rate && g.kpis.on_time_rate.current)),
          h('td', null, withInterval(g.kpis.save_rate)));
      }), { class: 'drill' }));
    } catch (e) {
      if (mine === shown) mount(out, notice(e.message, 'error'));
    }
  }
  select.addEventListener('change', show);
  mount(box, field('Break down by', select), out);
  show();
}

// Fills box with render(the answer to GET path), or the error.
async function fill(box, path, render) {
  try {
    mount(box, render(await get(path)));
  } catch (e) {
    mount(box, notice(e.message, 'error'));
  }
}

// Products, categories and regions whose orders cancel more than the
// shop's rate would expect, most surprising first, and how the daily
// cancellation rate moves with response time and delays.
function loadDrivers(box) {
  return fill(box, '/v1/kpis/drivers', (r) => {
    const slices = [['product', r.products], ['category', r.categories], ['region', r.regions]]
      .flatMap(([dim, list]) => (list || []).map((x) => ({ dim, ...x })))
      .sort((a, b) => a.p_value - b.p_value).slice(0, 10);
    const corr = Object.entries(r.correlations || {}).filter(([, c]) => c.r !== null);
    return [
      h('p', { class: 'muted' }, `Shop-wide: ${percent(r.rate, 2)} of ${r.orders} orders cancelled.`),
      slices.length ? table(['Slice', 'Orders', 'Cancelled (expected)', 'Rate', 'p-value'], slices.map((x) => h('tr', null,
        h('th', { scope: 'row' }, `${label(x.dim)} ${x.value}`), h('td', null, x.orders),
        h('td', null, `${x.cancelled} (${Number(x.expected).toFixed(1)})`),
        h('td', { class: x.significant ? 'bad' : '' }, percent(x.rate, 1)),
        h('td', null, `${Number(x.p_value).toFixed(3)}${x.significant ? ' *' : ''}`))), { class: 'drivers' })
        : notice('No slice cancels above the norm.'),
      slices.some((x) => x.significant) ? h('small', null, '* significant after adjusting for the number of slices tested') : null,
      corr.length ? h('ul', null, corr.map(([name, c]) => h('li', null,
        `${label(name)}: r = ${Number(c.r).toFixed(2)} over ${c.days} days (p = ${c.p_value === null ? '—' : Number(c.p_value).toFixed(3)})`))) : null,
    ];
  });
}

function loadOutlook(box) {
  return fill(box, '/v1/inventory/outlook?limit=8', (r) => (!r.skus.length ? notice('No active SKU.') : [
    h('p', { class: 'muted' }, `Forecast for the next ${r.horizon_days} days from the last ${r.history_days}; least covered first.`),
    table(['SKU', 'Available', 'Demand a day', 'Days of cover', 'Runs out'], r.skus.map((x) => h('tr', null,
      h('th', { scope: 'row' }, x.sku), h('td', null, x.available),
      h('td', null, Number(x.mean_daily_demand).toFixed(2)),
      h('td', { class: x.days_of_cover !== null && x.days_of_cover < 7 ? 'bad' : '' }, x.days_of_cover === null ? '—' : Number(x.days_of_cover).toFixed(1)),
      h('td', null, x.stockout_date ? day(x.stockout_date) : 'not within the horizon'))), { class: 'outlook' }),
  ]));
}

function loadRisk(box) {
  return fill(box, '/v1/risk/orders?limit=10', (r) => (!r.data.length ? notice('No open order is scored at risk.')
    : table(['Order', 'Status', 'Risk', 'Why'], r.data.map((o) => h('tr', null, h('th', { scope: 'row' }, o.number), h('td', null, label(o.status)),
      h('td', null, percent(Number(o.risk.score))), h('td', null, label(o.risk.reason)))))));
}

function loadDelayed(box) {
  return fill(box, '/v1/shipments?delayed=true&limit=10', (r) => (!r.data.length ? notice('No shipment is running late.')
    : table(['Order', 'Carrier', 'Promised', 'Expected'], r.data.map((s) => h('tr', null, h('th', { scope: 'row' }, s.order_number || s.order_id),
      h('td', null, `${s.carrier} ${s.tracking_number}`), h('td', null, day(s.promised_by)),
      h('td', null, s.eta ? day(s.eta.expected) : '—'))))));
}

export { dateTime };
