// scenarios.mjs - what issue #8 asks the UI to do, one function each:
// (page, env) -> throws on failure. env: base URL, admin and agent keys,
// api/agentApi (staff API clients), shoot(name) for screenshots.

function check(cond, message) { if (!cond) throw new Error(message); }

// Signs a staff member in through the login page with key.
async function signIn(page, env, key, next = '/cx/dashboard') {
  await page.goto(`${env.base}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${next}`);
}

let orderSeq = 0;

// A fresh order placed through the API (one unit of a stocked product),
// with the signed link its shopper gets; returns {number, path}.
async function newOrder(env, sku = 'HOM-1030') {
  const n = ++orderSeq;
  const o = await env.api('POST', '/v1/orders', {
    customer: { email: `e2e.shopper${n}@example.com`, name: `Sam Shopper${n}` },
    lines: [{ sku, qty: 1 }],
    shipping_address: { name: 'Sam Shopper', line1: '1 Main St', city: 'Springfield', region: 'IL', postal_code: '62701', country: 'US' },
    payment: { method: 'card', gateway: 'manual' },
  });
  const link = await env.api('POST', `/v1/orders/${o.number}/links`, {});
  return { number: o.number, path: link.path };
}

// The journey step the page marks as current.
async function currentStep(page) {
  return (await page.locator('.timeline li[aria-current="step"]').innerText()).replace(/\s*\(current step\)/, '').trim();
}

// Opens the cancel flow and asks to cancel for reason.
async function askToCancel(page, reason) {
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await page.getByLabel('Why do you want to cancel?').selectOption(reason);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Before you go: would one of these help?' }).waitFor();
}

export const scenarios = [
  {
    name: 'a customer opens the order page from a signed link and sees the timeline and ETA',
    async run(page, env) {
      const o = await newOrder(env);
      const ship = await env.api('POST', `/v1/orders/${o.number}/shipments`, { carrier: 'ups', tracking_number: `1ZE2E${o.number.slice(3)}`, service_level: 'ground' });
      await page.goto(env.base + o.path);
      await page.getByRole('heading', { name: `Order ${o.number}` }).waitFor();
      check(await currentStep(page) === 'Shipped', `the current step is ${await currentStep(page)}`);
      const eta = await page.getByTestId('eta').innerText();
      const fmt = (iso) => new Date(iso).toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' });
      check(eta.includes(fmt(ship.eta.expected)) && eta.includes(`Between ${fmt(ship.eta.earliest)} and ${fmt(ship.eta.latest)}`), `the ETA reads: ${eta}`);
      check(await page.getByText('Oak Table Lamp').count() > 0, 'the item is not listed');
      await env.shoot('order-page');
      // a link for another order, or a tampered one, opens nothing
      await page.goto(`${env.base}/orders/${o.number}?t=${o.path.split('t=')[1]}x`);
      await page.getByText('This link is not valid or has expired').waitFor();
    },
  },
  {
    name: 'a shipment event posted to the API appears on the open page without reload',
    async run(page, env) {
      const o = await newOrder(env);
      const tracking = `1ZLIVE${o.number.slice(3)}`;
      await env.api('POST', `/v1/orders/${o.number}/shipments`, { carrier: 'ups', tracking_number: tracking, service_level: 'ground' });
      await page.goto(env.base + o.path);
      await page.getByRole('heading', { name: `Order ${o.number}` }).waitFor();
      check(await currentStep(page) === 'Shipped', 'the order does not start as shipped');
      await page.evaluate(() => { window.__sameDocument = true; });
      await page.waitForTimeout(300); // the stream is open
      const later = new Date(Date.now() + 12 * 86400e3);
      later.setUTCHours(18, 0, 0, 0);
      await env.api('POST', '/v1/carriers/ups/events', {
        tracking_number: tracking, status: 'out_for_delivery', time: new Date().toISOString(),
        location: { city: 'Springfield', region: 'IL', country: 'US' }, estimated_delivery: later.toISOString(),
      });
      await page.waitForFunction(() => {
        const li = document.querySelector('.timeline li[aria-current="step"]');
        return li && li.textContent.startsWith('Out for delivery');
      });
      check(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
      await page.getByText('Shipment out for delivery').first().waitFor();
      await env.shoot('order-live-update');
    },
  },
  {
    name: 'a customer cancels, is offered alternatives, takes the 15% discount and keeps the order',
    async run(page, env) {
      const o = await newOrder(env);
      await page.goto(env.base + o.path);
      await askToCancel(page, 'changed_mind');
      for (const offer of ['10% off this order', 'Free expedited shipping', '20% off your next order']) {
        check(await page.getByRole('heading', { name: offer }).count() === 1, `the offer "${offer}" is not shown`);
      }
      check(await page.locator('[data-offer^="swap-"]').count() === 1, 'no swap is offered');
      await env.shoot('cancel-offers');
      await page.getByRole('button', { name: 'No thanks' }).click();
      await page.getByRole('heading', { name: '15% off this order' }).waitFor();
      await page.locator('[data-offer="discount-15"]').getByRole('button', { name: 'Keep my order with this' }).click();
      await page.getByRole('heading', { name: 'Your order is kept' }).waitFor();
      const order = await env.api('GET', `/v1/orders/${o.number}`);
      check(order.status !== 'cancelled', `the order is ${order.status}`);
      check(Math.abs(order.discount_total - order.subtotal * 0.15) < 1, `the discount is ${order.discount_total} on ${order.subtotal}, not 15%`);
      await page.getByText('Discount').first().waitFor();
      const total = await page.getByTestId('total').innerText();
      check(total.includes((order.total / 100).toFixed(2)), `the page shows the total ${total}, the order has ${order.total}`);
      await env.shoot('cancel-kept');
    },
  },
  {
    name: 'another customer declines, cancels and answers the survey',
    async run(page, env) {
      const o = await newOrder(env);
      await page.goto(env.base + o.path);
      await askToCancel(page, 'found_better_price');
      await page.getByRole('button', { name: 'Cancel my order' }).click();
      await page.getByRole('heading', { name: 'Your order is cancelled' }).waitFor();
      const order = await env.api('GET', `/v1/orders/${o.number}`);
      check(order.status === 'cancelled', `the order is ${order.status}`);
      await page.getByLabel('Why did you cancel your order?').selectOption('found_better_price');
      await page.getByLabel('How could we have done better?').fill('A lower price would have kept me.');
      await page.getByRole('radio', { name: '4' }).check();
      await page.getByRole('radio', { name: 'No' }).check();
      await env.shoot('cancel-survey');
      await page.getByRole('button', { name: 'Send answers' }).click();
      await page.getByText('Thank you for your answers.').waitFor();
      const events = await env.api('GET', `/v1/orders/${o.number}/events`);
      check(events.data.some((e) => e.type === 'survey_answered'), 'the survey answer is not on the order');
    },
  },
  {
    name: 'the dashboard shows the KPI table',
    async run(page, env) {
      await signIn(page, env, env.admin);
      const table = page.locator('table.kpis');
      await table.waitFor();
      const rate = table.locator('tr[data-kpi="cancellation_rate"]');
      await rate.waitFor();
      const text = await rate.innerText();
      check(/Cancellation rate/.test(text) && /< 1\.00%/.test(text), `the cancellation-rate row reads: ${text}`);
      const report = await env.api('GET', '/v1/kpis');
      const k = report.kpis.cancellation_rate;
      check(text.includes(`${(k.current * 100).toFixed(2)}%`), `the table does not show the current rate ${k.current}`);
      const cls = await rate.getAttribute('class');
      check(cls === (k.met ? 'kpi-good' : 'kpi-bad'), `the row is coloured ${cls} though met is ${k.met}`);
      await page.locator('canvas[aria-label="Cancellation and on-time rates by day"]').waitFor();
      await env.shoot('dashboard');
    },
  },
];
