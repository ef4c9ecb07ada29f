// survey.js - the cancellation survey (the seed's four questions), on its
// own page (/surveys/TOKEN, the link in the cancellation message) or
// inside the order page right after a cancellation.
import { h, mount, notice, field } from '../lib/dom.js';
import { api, get } from '../lib/api.js';

export function surveyForm(survey, token) {
  const status = h('div', { 'aria-live': 'polite' });
  const controls = {};
  const parts = survey.questions.map((q) => {
    if (q.kind === 'choice') {
      controls[q.id] = h('select', { name: q.id, required: true },
        h('option', { value: '' }, 'Choose one'), q.choices.map((c) => h('option', { value: c.code }, c.label)));
      return field(q.text, controls[q.id]);
    }
    if (q.kind === 'text') {
      controls[q.id] = h('textarea', { name: q.id, rows: 3, maxlength: 2000 });
      return field(q.text, controls[q.id]);
    }
    const choices = q.kind === 'rating' ? ['1', '2', '3', '4', '5'] : ['yes', 'no'];
    return h('fieldset', { class: 'choices' }, h('legend', null, q.text),
      choices.map((v) => h('label', { class: 'choice' }, h('input', { type: 'radio', name: q.id, value: v, required: true }), ` ${v === 'yes' ? 'Yes' : v === 'no' ? 'No' : v}`)));
  });
  const form = h('form', {
    class: 'survey',
    'aria-labelledby': 'h-survey',
    onsubmit: async (e) => {
      e.preventDefault();
      const fd = new FormData(form);
      const body = {
        reason: fd.get('reason'),
        improve: fd.get('improve') || undefined,
        service_rating: Number(fd.get('service_rating')),
        recommend: fd.get('recommend') === 'yes',
      };
      try {
        await api('POST', `/v1/surveys/${encodeURIComponent(token)}`, body);
        mount(form, notice('Thank you for your answers.', 'good'));
      } catch (err) {
        mount(status, notice(err.status === 409 ? 'You have already answered this survey. Thank you!' : err.message, 'error'));
      }
    },
  }, h('h3', { id: 'h-survey' }, 'Tell us why (4 short questions)'), parts, h('button', { type: 'submit' }, 'Send answers'), status);
  return form;
}

export default async function surveyPage(main, { token }) {
  document.title = 'Your feedback';
  try {
    const s = await get(`/v1/surveys/${encodeURIComponent(token)}`);
    mount(main, h('h1', null, `Order ${s.order}`),
      s.answered ? notice('You have already answered this survey. Thank you!', 'good') : h('div', { class: 'card' }, surveyForm(s, token)));
  } catch (e) {
    mount(main, h('h1', null, 'Your feedback'), notice(e.status === 401 ? 'This link is not valid or has expired.' : e.message, 'error'));
  }
}
