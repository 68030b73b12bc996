/**
 * ConfirmationCallback: one submit button per option (the page has no other submit button). The
 * chosen option's index travels as the button's value; pressing Enter in a field picks the first.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

/** Marks the buttons so the page can tell which option was pressed. */
export const CONFIRMATION_ATTRIBUTE = 'data-confirmation-input';

export const confirmationCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'confirmation') return unknownCallback(field, ctx);
  const buttons = field.options.map((option, position) =>
    h(
      'button',
      {
        type: 'submit',
        class: position === 0 ? 'button primary' : 'button secondary',
        value: option.value,
        [CONFIRMATION_ATTRIBUTE]: field.inputName,
      },
      option.text ?? (option.key ? ctx.t.t(option.key) : String(option.value)),
    ),
  );
  ctx.values.set(field.inputName, field.defaultOption);
  return {
    element: h(
      'div',
      { class: 'confirmation' },
      field.prompt ? h('p', { class: 'prompt' }, field.prompt) : null,
      h('div', { class: 'actions' }, buttons),
    ),
  };
};
