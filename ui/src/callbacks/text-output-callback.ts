/**
 * TextOutputCallback: a message by messageType — 0 information, 1 warning, 2 error (announced).
 * Type 4 is a script in AM's own UI: never executed here, a notice is shown instead.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const textOutputCallback: Renderer = (field, ctx) => {
  if (field.kind === 'notice') return { element: h('div', { class: 'message message-warning' }, ctx.t.t(field.key)) };
  if (field.kind !== 'message') return unknownCallback(field, ctx);
  if (field.text === '') return { element: null };
  const role = field.level === 'error' ? 'alert' : undefined;
  return { element: h('div', { class: `message message-${field.level}`, role }, field.text) };
};
