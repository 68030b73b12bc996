/**
 * ChoiceCallback: radio buttons in a fieldset (up to six choices) or a labelled select; the chosen
 * index is sent as a number, the server's default pre-selected.
 */
import type { Renderer } from '../view/context.js';
import { h } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

export const choiceCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'choice') return unknownCallback(field, ctx);
  const current = ctx.values.get(field.inputName);
  const selected = typeof current === 'number' && current >= 0 && current < field.choices.length ? current : field.defaultChoice;
  ctx.values.set(field.inputName, selected);

  if (field.display === 'select') {
    const select = h(
      'select',
      { id: field.id, name: field.inputName },
      field.choices.map((choice, i) => h('option', { value: i, selected: i === selected }, choice)),
    );
    select.addEventListener('change', () => ctx.values.set(field.inputName, Number(select.value)));
    return { element: h('div', { class: 'field' }, h('label', { for: field.id }, field.label), select) };
  }
  const radios = field.choices.map((choice, i) => {
    const id = `${field.id}-${i}`;
    const radio = h('input', { type: 'radio', id, name: field.inputName, value: i, checked: i === selected });
    radio.addEventListener('change', () => {
      if (radio.checked) ctx.values.set(field.inputName, i);
    });
    return h('div', { class: 'radio' }, radio, h('label', { for: id }, choice));
  });
  return { element: h('fieldset', { class: 'field' }, h('legend', {}, field.label), radios) };
};
