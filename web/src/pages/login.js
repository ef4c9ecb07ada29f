// login.js - staff sign in with an API key (`holdfast keys create`). The
// key is kept in this browser's localStorage. `make run` prints a link
// with the key in the fragment (#key=...), which never reaches a server.
import { h, mount, field, notice } from '../lib/dom.js';
import { auth, get } from '../lib/api.js';

export default function login(main, _params, { navigate }) {
  document.title = 'Sign in · holdfast';
  const next = new URLSearchParams(location.search).get('next') || '/cx/dashboard';
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'polite' });

  async function signIn(key) {
    auth.setKey(key.trim());
    try {
      await get('/v1/locations'); // any staff read proves the key
      history.replaceState(null, '', location.pathname); // drop the #key
      navigate(next);
    } catch (e) {
      auth.clear();
      mount(status, notice(e.status === 401 ? 'That key is not valid.' : e.message, 'error'));
    }
  }

  const form = h('form', {
    class: 'card narrow',
    onsubmit: (e) => { e.preventDefault(); signIn(input.value); },
  },
  h('h1', null, 'Sign in'),
  h('p', null, 'Enter your holdfast API key (admin or agent).'),
  field('API key', input, 'Create one with: holdfast keys create --role agent'),
  h('button', { type: 'submit' }, 'Sign in'),
  status);
  mount(main, form);
  if (fromHash) signIn(fromHash);
  else input.focus();
}
