import { h, mount } from '../lib/dom.js';

export default function page(main) {
  mount(main, h('h1', null, 'order'));
}
