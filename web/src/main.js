// main.js - the UI's entry: a small router from the path to a page.
//
//   /orders/HF-100042?t=TOKEN   the shopper's order page (signed link)
//   /orders/HF-100042/address?t=TOKEN   a held order's address, corrected
//   /surveys/TOKEN              the cancellation survey (signed link)
//   /login                      staff sign-in with an API key
//   /cx/...                     the CX team's pages (API key)
import './style.css';
import { h, mount } from './lib/dom.js';
import { auth } from './lib/api.js';

const staffPages = [
  { path: '/cx/dashboard', title: 'Dashboard', load: () => import('./pages/dashboard.js') },
  { path: '/cx/policies', title: 'Policies', load: () => import('./pages/policies.js') },
  { path: '/cx/queue', title: 'Agent queue', load: () => import('./pages/queue.js') },
  { path: '/cx/reviews', title: 'Reviews', load: () => import('./pages/reviews.js') },
  { path: '/cx/experiments', title: 'Experiments', load: () => import('./pages/experiments.js') },
];

const app = document.getElementById('app');

export function navigate(path) {
  history.pushState(null, '', path);
  render();
}

// Links inside the app change the page without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[data-nav]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', () => render());

function staffShell(current, main) {
  const nav = h('nav', { 'aria-label': 'CX pages', class: 'topnav' },
    h('span', { class: 'brand' }, 'holdfast'),
    h('ul', null, staffPages.map((p) => h('li', null,
      h('a', { href: p.path, 'data-nav': true, 'aria-current': p.path === current ? 'page' : null }, p.title)))),
    h('button', { type: 'button', class: 'link', onclick: () => { auth.clear(); navigate('/login'); } }, 'Sign out'));
  return [h('header', { class: 'top' }, nav), main];
}

let cleanup = null; // what the current page asks to be done when left

async function render() {
  if (cleanup) { cleanup(); cleanup = null; }
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const main = h('main', { id: 'main', tabindex: '-1' });
  let page;
  let params = {};
  let m;
  if ((m = path.match(/^\/orders\/([^/]+)\/address$/))) {
    page = await import('./pages/address.js');
    params = { number: decodeURIComponent(m[1]) };
    mount(app, main);
  } else if ((m = path.match(/^\/orders\/([^/]+)$/))) {
    page = await import('./pages/order.js');
    params = { number: decodeURIComponent(m[1]) };
    mount(app, main);
  } else if ((m = path.match(/^\/surveys\/([^/]+)$/))) {
    page = await import('./pages/survey.js');
    params = { token: decodeURIComponent(m[1]) };
    mount(app, main);
  } else if (path === '/login') {
    page = await import('./pages/login.js');
    mount(app, main);
  } else {
    const entry = staffPages.find((p) => p.path === path);
    if (!entry) { history.replaceState(null, '', '/cx/dashboard'); return render(); }
    if (!auth.key()) { history.replaceState(null, '', `/login?next=${encodeURIComponent(path)}`); return render(); }
    document.title = `${entry.title} · holdfast`;
    page = await entry.load();
    mount(app, ...staffShell(path, main));
  }
  const ret = await page.default(main, params, { navigate });
  if (typeof ret === 'function') cleanup = ret;
}

render();
