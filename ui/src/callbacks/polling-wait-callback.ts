/**
 * PollingWaitCallback: a wait message; the page re-submits the step after `waitTime` ms (see planPage).
 * A ConfirmationCallback on the same page (an exitable wait) still offers its buttons.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const pollingWaitCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'polling') return unknownCallback(field, ctx);
  return {
    element: h(
      'div',
      { class: 'polling', role: 'status' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      field.message || ctx.t.t('polling.wait'),
    ),
  };
};
