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

export const scenarios = [
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
