// dashboard.js - the CX dashboard: the seed's KPI table against its
// targets, trends by day, the reasons customers give, save rate by offer,
// a drill-down, orders at risk and delayed shipments.
import { h, mount, notice, field } from '../lib/dom.js';
import { get } from '../lib/api.js';
import { percent, label, day, dateTime } from '../lib/format.js';
import { chart } from '../lib/charts.js';

const KPI_ORDER = ['cancellation_rate', 'reason_distribution', 'cancellation_resolution_hours',
  'fulfillment_hours', 'save_rate', 'on_time_rate'];

function kpiValue(k, v) {
  if (v === null || v === undefined) return '—';
  return k.unit === 'ratio' ? percent(v, 2) : `${Number(v).toFixed(1)} h`;
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
        h('th', { scope: 'row' }, label(n), h('small', null, k.description)),
        h('td', null, `${k.comparison} ${kpiValue(k, k.target)}`),
        h('td', { class: `value ${cls}` }, kpiValue(k, k.current)),
        h('td', null, status(k)));
    })));
}

function isoDay(d) { return d.toISOString().slice(0, 10); }

// The last n days' KPIs: one GET ?by=day when the server offers it, else
// one GET per day.
async function trend(n) {
  const to = new Date();
  const from = new Date(to.getTime() - (n - 1) * 86400e3);
  try {
    const r = await get(`/v1/kpis?by=day&from=${isoDay(from)}&to=${isoDay(to)}`);
    if (r.groups) return r.groups.map((g) => ({ day: g.value, kpis: g.kpis }));
  } catch { /* older server: per-day calls below */ }
  const days = [];
  for (let i = 0; i < n; i++) days.push(isoDay(new Date(from.getTime() + i * 86400e3)));
  const rs = await Promise.all(days.map((d) => get(`/v1/kpis?from=${d}&to=${d}`).catch(() => null)));
  return days.map((d, i) => ({ day: d, kpis: rs[i] ? rs[i].kpis : {} }));
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
  const trendBox = h('div', { class: 'chart-box' }, notice('Loading the trend…'));
  const reasonBox = h('div', { class: 'chart-box' });
  const offerBox = h('div');
  const drillBox = h('div');
  const riskBox = h('div');
  const delayBox = h('div');
  mount(main,
    h('h1', null, 'Dashboard'),
    h('p', { class: 'muted' }, `From ${report.from} to ${report.to}`),
    h('div', { class: 'grid' },
      section('KPIs', kpiTable(report.kpis)),
      section('Trend, last 14 days', trendBox),
      section('Why customers cancel', reasonBox),
      section('Save rate by offer', offerBox),
      section('Drill-down', drillBox),
      section('Orders at risk', riskBox),
      section('Delayed shipments', delayBox)));

  const shares = report.kpis.reason_distribution && report.kpis.reason_distribution.shares;
  if (shares && Object.keys(shares).length) {
    const entries = Object.entries(shares).sort((a, b) => b[1] - a[1]);
    chart(reasonBox, 'bar', entries.map(([k]) => label(k)), [{ label: 'Share of cancellations (%)', data: entries.map(([, v]) => +(v * 100).toFixed(1)) }],
      'Share of cancellations by reason', { indexAxis: 'y' });
  } else mount(reasonBox, notice('No cancellations in this period.'));

  trend(14).then((t) => {
    mount(trendBox);
    chart(trendBox, 'line', t.map((x) => x.day.slice(5)), [
      { label: 'Cancellation rate (%)', data: t.map((x) => x.kpis.cancellation_rate && x.kpis.cancellation_rate.current !== null ? +(x.kpis.cancellation_rate.current * 100).toFixed(2) : null) },
      { label: 'On-time rate (%)', data: t.map((x) => x.kpis.on_time_rate && x.kpis.on_time_rate.current !== null ? +(x.kpis.on_time_rate.current * 100).toFixed(1) : null) },
    ], 'Cancellation and on-time rates by day');
  }).catch((e) => mount(trendBox, notice(e.message, 'error')));

  loadOffers(offerBox);
  loadDrill(drillBox);
  loadRisk(riskBox);
  loadDelayed(delayBox);
}

async function loadOffers(box) {
  try {
    const r = await get('/v1/kpis?by=offer');
    const rows = (r.groups || []).filter((g) => g.kpis.save_rate);
    if (!rows.length) return mount(box, notice('No offers made in this period.'));
    mount(box, h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Offer'), h('th', { scope: 'col' }, 'Save rate'), h('th', { scope: 'col' }, '95% interval'), h('th', { scope: 'col' }, 'Requests'))),
      h('tbody', null, rows.map((g) => {
        const s = g.kpis.save_rate;
        const iv = s.interval || (s.low !== undefined ? { low: s.low, high: s.high } : null);
        return h('tr', null, h('th', { scope: 'row' }, label(g.value)), h('td', null, percent(s.current)),
          h('td', null, iv ? `${percent(iv.low)} – ${percent(iv.high)}` : '—'), h('td', null, s.n));
      }))));
  } catch (e) {
    mount(box, notice(e.status === 422 ? 'Save rate by offer needs a newer server (KPIs by offer).' : e.message, e.status === 422 ? 'info' : 'error'));
  }
}

function loadDrill(box) {
  const select = h('select', { name: 'by' }, ['channel', 'region', 'category', 'product'].map((b) => h('option', { value: b }, label(b))));
  const out = h('div', { 'aria-live': 'polite' });
  async function show() {
    mount(out, notice('Loading…'));
    try {
      const r = await get(`/v1/kpis?by=${select.value}`);
      const groups = (r.groups || []).slice().sort((a, b) => (b.kpis.cancellation_rate?.n || 0) - (a.kpis.cancellation_rate?.n || 0)).slice(0, 15);
      mount(out, h('table', null,
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, label(select.value)), h('th', { scope: 'col' }, 'Orders'), h('th', { scope: 'col' }, 'Cancellation rate'), h('th', { scope: 'col' }, 'On time'))),
        h('tbody', null, groups.map((g) => {
          const c = g.kpis.cancellation_rate || {};
          const o = g.kpis.on_time_rate || {};
          return h('tr', null, h('th', { scope: 'row' }, g.value || '—'), h('td', null, c.n ?? '—'),
            h('td', { class: c.met === false ? 'bad' : c.met ? 'good' : '' }, percent(c.current, 2)),
            h('td', null, percent(o.current)));
        }))));
    } catch (e) {
      mount(out, notice(e.status === 422 ? `The server cannot break KPIs down by ${select.value} yet.` : e.message, e.status === 422 ? 'info' : 'error'));
    }
  }
  select.addEventListener('change', show);
  mount(box, field('Break down by', select), out);
  show();
}

async function loadRisk(box) {
  try {
    const r = await get('/v1/risk/orders?limit=10');
    if (!r.data.length) return mount(box, notice('No open order is scored at risk.'));
    mount(box, h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Order'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Risk'), h('th', { scope: 'col' }, 'Why'))),
      h('tbody', null, r.data.map((o) => h('tr', null, h('th', { scope: 'row' }, o.number), h('td', null, label(o.status)),
        h('td', null, percent(Number(o.risk.score))), h('td', null, label(o.risk.reason)))))));
  } catch (e) {
    mount(box, notice(e.message, 'error'));
  }
}

async function loadDelayed(box) {
  try {
    const r = await get('/v1/shipments?delayed=true&limit=10');
    if (!r.data.length) return mount(box, notice('No shipment is running late.'));
    mount(box, h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Order'), h('th', { scope: 'col' }, 'Carrier'), h('th', { scope: 'col' }, 'Promised'), h('th', { scope: 'col' }, 'Expected'))),
      h('tbody', null, r.data.map((s) => h('tr', null, h('th', { scope: 'row' }, s.order_number || s.order_id),
        h('td', null, `${s.carrier} ${s.tracking_number}`), h('td', null, day(s.promised_by)),
        h('td', null, s.eta ? day(s.eta.expected) : '—'))))));
  } catch (e) {
    mount(box, notice(e.message, 'error'));
  }
}

export { dateTime };
