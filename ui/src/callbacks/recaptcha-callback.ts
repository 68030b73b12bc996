/**
 * ReCaptchaCallback: the CAPTCHA needs its provider's script, which these pages never load (they work
 * offline under a strict CSP), so a notice explains it; the input is sent empty.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const reCaptchaCallback: Renderer = (field, ctx) =>
  field.kind === 'notice'
    ? { element: h('div', { class: 'message message-warning', role: 'note' }, ctx.t.t(field.key)) }
    : unknownCallback(field, ctx);
