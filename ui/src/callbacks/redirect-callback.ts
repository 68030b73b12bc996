/**
 * RedirectCallback: the page navigates to `redirectUrl` (GET, or a POST form with `redirectData`);
 * this shows a notice and a plain link in case navigation is blocked. Only relative and http(s)
 * targets are followed; any other is reported as an error.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const redirectCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'redirect') return unknownCallback(field, ctx);
  if (field.url === null) return unknownCallback(field, ctx);
  return {
    element: h(
      'div',
      { class: 'polling', role: 'status' },
      h('p', {}, ctx.t.t('redirect.notice')),
      field.method === 'GET' ? h('a', { href: field.url, rel: 'noopener noreferrer' }, ctx.t.t('redirect.link')) : null,
    ),
  };
};
