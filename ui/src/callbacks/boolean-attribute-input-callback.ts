/**
 * BooleanAttributeInputCallback: a checkbox labelled by the prompt. "required" means a value must be
 * sent (false is one), so an unticked box is valid; server failures show under it.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const booleanAttributeInputCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'checkbox') return unknownCallback(field, ctx);
  const errorId = `${field.id}-errors`;
  const box = h('input', { id: field.id, name: field.inputName, type: 'checkbox', 'aria-describedby': errorId });
  box.checked = ctx.values.get(field.inputName) === true || ctx.values.get(field.inputName) === 'true';
  ctx.values.set(field.inputName, box.checked);
  box.addEventListener('change', () => ctx.values.set(field.inputName, box.checked));
  const errors = h('ul', { id: errorId, class: 'field-errors' });
  const show = (messages: string[]): HTMLElement | null => {
    errors.replaceChildren(...messages.map((m) => h('li', {}, m)));
    if (messages.length > 0) box.setAttribute('aria-invalid', 'true');
    else box.removeAttribute('aria-invalid');
    return messages.length > 0 ? box : null;
  };
  show(field.failures.map((f) => ctx.t.policy(f)));
  return {
    element: h(
      'div',
      { class: 'field field-checkbox' },
      errors,
      h('div', { class: 'checkbox' }, box, h('label', { for: field.id }, ctx.t.server(field.label))),
    ),
    showFailures: (failures) => show(failures.map((f) => ctx.t.policy(f))),
  };
};
