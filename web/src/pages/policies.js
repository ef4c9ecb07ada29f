// policies.js - the policy editor and test screen: edit a policy with its
// lint messages on their lines as you type, the explain view beside it,
// and a chat pane that runs the text being edited against a real order
// with editable $context (a dry run: nothing stays), showing each tool
// call the engine would make. Publishing makes a new version; the history
// lists the versions on record, and any of them can be opened in the
// editor (and published again to roll back).
import { h, mount, notice, field } from '../lib/dom.js';
import { get, post } from '../lib/api.js';
import { label, dateTime } from '../lib/format.js';

function debounce(fn, ms) {
  let t;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

// "key = value" lines -> {key: value}
function parseContext(text) {
  const ctx = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*\$?([\w.]+)\s*[=:]\s*(.*?)\s*$/);
    if (m) ctx[m[1]] = m[2];
  }
  return ctx;
}

export default async function policies(main) {
  mount(main, h('h1', null, 'Policies'), notice('Loading…'));
  let list;
  try {
    list = await get('/v1/policies');
  } catch (e) {
    mount(main, h('h1', null, 'Policies'), notice(e.message, 'error'));
    return;
  }
  const texts = Object.fromEntries(list.policies.map((p) => [p.name, p.text]));
  const select = h('select', { name: 'policy' }, list.policies.map((p) => h('option', { value: p.name, selected: p.name === list.policy }, p.name.replace(/_/g, ' '))));
  const editor = h('textarea', { name: 'text', spellcheck: 'false', 'aria-describedby': 'lint-status', wrap: 'off' });
  const gutter = h('pre', { class: 'gutter', 'aria-hidden': 'true' });
  const status = h('div', { id: 'lint-status', 'aria-live': 'polite' });
  const diags = h('ul', { class: 'diags', 'aria-label': 'Problems' });
  const explain = h('div', { class: 'explain', tabindex: '0', 'aria-label': 'How each line was read' });
  const version = h('p', { class: 'muted' });
  const publishStatus = h('div', { 'aria-live': 'polite' });

  function showVersion(l) {
    mount(version, `Version in force: ${l.version}${l.published ? ' (published here)' : ' (from the policy files)'}`);
  }
  showVersion(list);

  function gutterLines(problems) {
    const bad = new Map(problems.map((d) => [d.line, d.message]));
    const n = editor.value.split('\n').length;
    mount(gutter, Array.from({ length: n }, (_, i) => h('span', { class: bad.has(i + 1) ? 'bad' : '', 'data-line': i + 1, title: bad.get(i + 1) || null }, `${i + 1}`)));
    gutter.scrollTop = editor.scrollTop;
  }

  function goTo(line, col) {
    const lines = editor.value.split('\n');
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    editor.focus();
    editor.setSelectionRange(pos + col - 1, pos + col - 1);
  }

  let lintSeq = 0;
  async function lint() {
    const mine = ++lintSeq;
    try {
      const r = await post('/v1/policies/lint', { name: select.value, text: editor.value }, { idempotent: false });
      if (mine !== lintSeq) return; // a newer text is on its way
      gutterLines(r.diagnostics);
      mount(status, r.ok ? notice('No problems.', 'good') : notice(`${r.diagnostics.length} problem${r.diagnostics.length > 1 ? 's' : ''}.`, 'error'));
      mount(diags, r.diagnostics.map((d) => h('li', { 'data-line': d.line },
        h('button', { type: 'button', class: 'link', onclick: () => goTo(d.line, d.col) }, `Line ${d.line}, column ${d.col}`), `: ${d.message}`)));
      mount(explain, h('table', null,
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Read as'), h('th', { scope: 'col' }, 'Reading'))),
        h('tbody', null, r.lines.map((l) => h('tr', null, h('td', null, l.line), h('td', null, `${label(l.kind)}${l.branch !== 'always' ? ` (${l.branch.replace(/_/g, ' ')})` : ''}`), h('td', null, l.reading))))),
      h('h3', null, 'Offers, in the order made'),
      h('ol', null, r.plan.offers.map((o) => h('li', null, `${label(o.kind)}${o.percents.length ? ` ${o.percents.join('% then ')}%` : ''}${o.valid_days ? `, valid ${o.valid_days} days` : ''} (line ${o.line})`))));
      publish.disabled = !r.ok;
    } catch (e) {
      if (mine === lintSeq) mount(status, notice(e.message, 'error'));
    }
  }
  const lintSoon = debounce(lint, 250);
  editor.addEventListener('input', () => { texts[select.value] = editor.value; gutterLines([]); lintSoon(); });
  editor.addEventListener('scroll', () => { gutter.scrollTop = editor.scrollTop; });
  select.addEventListener('change', () => { editor.value = texts[select.value]; lint(); });

  const history = h('div', { 'aria-live': 'polite' });
  async function showHistory() {
    try {
      const r = await get('/v1/policies/versions?limit=20');
      if (r.versions.length === 0) {
        mount(history, h('p', { class: 'muted' }, 'No version on record yet: one is kept once published or run by a conversation.'));
        return;
      }
      mount(history, h('table', { 'aria-label': 'Policy versions' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Since'), h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, ''))),
        h('tbody', null, r.versions.map((v) => h('tr', { 'data-version': v.id },
          h('td', null, h('code', null, v.id)),
          h('td', null, dateTime(v.created_at)),
          h('td', null, v.current ? 'in force' : ''),
          h('td', null, h('button', { type: 'button', class: 'link', onclick: () => openVersion(v.id) }, 'Open in editor')))))));
    } catch (e) {
      mount(history, notice(e.message, 'error'));
    }
  }
  // Puts a version's texts in the editor; publishing them again rolls back.
  async function openVersion(id) {
    try {
      const v = await get(`/v1/policies/versions/${encodeURIComponent(id)}`);
      for (const p of v.policies) texts[p.name] = p.text;
      editor.value = texts[select.value] ?? '';
      mount(publishStatus, notice(`Version ${id} is in the editor: publish it to make it the one in force.`));
      lint();
    } catch (e) {
      mount(publishStatus, notice(e.message, 'error'));
    }
  }

  const publish = h('button', {
    type: 'button',
    onclick: async () => {
      mount(publishStatus, notice('Publishing…'));
      try {
        const r = await post('/v1/policies/publish', { name: select.value, text: editor.value });
        mount(publishStatus, notice(`Published version ${r.version}: new conversations run it; those under way keep theirs.`, 'good'));
        showVersion(await get('/v1/policies'));
        showHistory();
      } catch (e) {
        mount(publishStatus, notice(e.status === 403 ? 'Only an admin may publish.' : e.message, 'error'));
      }
    },
  }, 'Publish');

  mount(main,
    h('h1', null, 'Policies'), version,
    h('div', { class: 'editor' },
      h('section', { class: 'card', 'aria-labelledby': 'h-edit' },
        h('h2', { id: 'h-edit' }, 'Edit'),
        field('Policy', select),
        h('label', { for: 'policy-text', class: 'sr-only' }, 'Policy text (Markdown)'),
        h('div', { class: 'code' }, gutter, editor),
        status, diags,
        h('div', { class: 'actions' }, publish), publishStatus),
      h('section', { class: 'card', 'aria-labelledby': 'h-explain' },
        h('h2', { id: 'h-explain' }, 'Explain'), explain)),
    h('section', { class: 'card', 'aria-labelledby': 'h-history' },
      h('h2', { id: 'h-history' }, 'History'), history),
    testScreen(() => ({ name: select.value, text: editor.value })));
  editor.id = 'policy-text';
  editor.value = texts[select.value];
  lint();
  showHistory();
}

// The test screen: a chat with the text being edited, about a real order.
function testScreen(current) {
  const order = h('input', { type: 'text', name: 'order', placeholder: 'HF-100042', autocomplete: 'off', required: true });
  const context = h('textarea', { name: 'context', rows: 3, spellcheck: 'false' });
  context.value = 'max_discount_percent = 20';
  const input = h('input', { type: 'text', name: 'say', autocomplete: 'off' });
  const log = h('ol', { class: 'chat-log', 'aria-live': 'polite', 'aria-label': 'Test conversation' });
  const status = h('div', { 'aria-live': 'polite' });
  let said = [];

  function showRun(r) {
    const items = [];
    if (r.greeting) items.push(h('li', { class: 'holdfast' }, r.greeting));
    for (const t of r.turns) {
      items.push(h('li', { class: 'customer' }, t.say));
      items.push(h('li', { class: 'holdfast' },
        h('div', null, t.reply),
        h('small', null, `read as ${t.intent ? `${label(t.intent.intent)} (${Number(t.intent.confidence).toFixed(2)})` : '—'} · ${label(t.decision)} · ${t.state}, ${t.outcome}`),
        t.tool_calls && t.tool_calls.length ? h('ul', { class: 'tool-calls', 'aria-label': 'Tool calls' }, t.tool_calls.map((c) => h('li', null,
          `@${c.tool}(${Object.entries(c.args || {}).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}) → ${c.ok ? 'done' : `refused${c.error ? `: ${c.error.message || c.error}` : ''}`}`))) : null));
    }
    mount(log, items);
  }

  async function run() {
    if (!order.value.trim()) { mount(status, notice('Choose an order to test against.', 'error')); order.focus(); return; }
    mount(status, notice('Running…'));
    try {
      const r = await post('/v1/policies/test', { ...current(), order: order.value.trim(), context: parseContext(context.value), messages: said });
      showRun(r);
      mount(status, notice('Dry run: nothing was changed.', 'info'));
    } catch (e) {
      said = said.slice(0, -1);
      mount(status, notice(e.message, 'error'));
    }
  }

  return h('section', { class: 'card', 'aria-labelledby': 'h-test' },
    h('h2', { id: 'h-test' }, 'Test screen'),
    h('div', { class: 'grid' },
      h('div', null,
        field('Order', order, 'The number of a real order; nothing is changed.'),
        field('Context ($ values, one "name = value" a line)', context)),
      h('div', null,
        log,
        h('form', {
          class: 'chat-form',
          onsubmit: (e) => { e.preventDefault(); if (!input.value.trim()) return; said = [...said, input.value.trim()]; input.value = ''; run(); },
        }, h('label', { for: 'test-say', class: 'sr-only' }, 'Customer says'), Object.assign(input, { id: 'test-say', placeholder: 'Customer says…' }), h('button', { type: 'submit' }, 'Send')),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => { said = []; mount(log); mount(status); } }, 'Start over')),
        status)));
}
