/**
 * SuspendedTextOutputCallback: the "check your e-mail" panel of a suspended journey (Email Suspend
 * node). Nothing to submit: the journey goes on from the e-mailed link.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const suspendedTextOutputCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'suspended') return unknownCallback(field, ctx);
  return {
    element: h('div', { class: 'panel panel-mail', role: 'status' }, h('h2', {}, ctx.t.t('suspended.title')), h('p', {}, field.text)),
  };
};
