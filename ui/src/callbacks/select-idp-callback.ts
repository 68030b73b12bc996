/**
 * SelectIdPCallback: the providers offered (social sign-in, and local sign-in when the journey
 * allows it) as radio buttons in a fieldset, each named as its `uiConfig` names it; the chosen
 * provider's name is sent with the page's button. The first provider is pre-selected.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const selectIdPCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'idp') return unknownCallback(field, ctx);
  const current = ctx.values.get(field.inputName);
  const selected = field.providers.some((p) => p.value === current) ? current : field.providers[0]?.value;
  ctx.values.set(field.inputName, selected);
  const radios = field.providers.map((p, i) => {
    const id = `${field.id}-${i}`;
    const radio = h('input', { type: 'radio', id, name: field.inputName, value: p.value, checked: p.value === selected });
    radio.addEventListener('change', () => {
      if (radio.checked) ctx.values.set(field.inputName, p.value);
    });
    return h('div', { class: 'radio' }, radio, h('label', { for: id }, p.label ?? ctx.t.t('idp.local')));
  });
  return { element: h('fieldset', { class: 'field' }, h('legend', {}, ctx.t.t('idp.prompt')), radios) };
};
