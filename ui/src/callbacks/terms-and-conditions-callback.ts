/**
 * TermsAndConditionsCallback: the terms (sanitised like a page description, so no script or markup
 * beyond simple formatting), their version, and an "I accept" checkbox that must be ticked.
 */
import { sanitizeDescription } from '../core/sanitize.js';
import type { Renderer } from '../view/context.js';
import { descriptionNodes } from '../view/description.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const termsAndConditionsCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'terms') return unknownCallback(field, ctx);
  const { t } = ctx.t;
  const titleId = `${field.id}-title`;
  const errorId = `${field.id}-errors`;
  const box = h('input', {
    id: field.id,
    type: 'checkbox',
    name: field.inputName,
    required: true,
    'aria-required': 'true',
    'aria-describedby': errorId,
  });
  box.checked = ctx.values.get(field.inputName) === true;
  ctx.values.set(field.inputName, box.checked);
  const errors = h('ul', { id: errorId, class: 'field-errors' });
  const setErrors = (messages: string[]): void => {
    errors.replaceChildren(...messages.map((m) => h('li', {}, m)));
    if (messages.length > 0) box.setAttribute('aria-invalid', 'true');
    else box.removeAttribute('aria-invalid');
  };
  box.addEventListener('change', () => {
    ctx.values.set(field.inputName, box.checked);
    if (box.checked) setErrors([]);
  });
  return {
    element: h(
      'section',
      { class: 'field terms' },
      h('h2', { id: titleId }, t('terms.title')),
      field.version ? h('p', { class: 'terms-version' }, t('terms.version', { version: field.version })) : null,
      h('div', { class: 'terms-text', tabindex: 0, role: 'region', 'aria-labelledby': titleId }, descriptionNodes(sanitizeDescription(field.terms))),
      errors,
      h('div', { class: 'checkbox' }, box, h('label', { for: field.id }, t('terms.accept'))),
    ),
    check() {
      setErrors(box.checked ? [] : [t('terms.mustAccept')]);
      return box.checked ? null : box;
    },
  };
};
