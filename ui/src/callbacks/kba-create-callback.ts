/**
 * KbaCreateCallback: pick a security question (or write one when allowed) and answer it. The question
 * is sent as its text on the input ending in "question", the answer on the one ending in "answer".
 */
import type { Renderer } from '../view/context.js';
import { h, setIdList } from '../view/dom.js';
import { unknownCallback } from './unknown-callback.js';

const CUSTOM = '__custom__';

export const kbaCreateCallback: Renderer = (field, ctx) => {
  if (field.kind !== 'kba') return unknownCallback(field, ctx);
  const { t } = ctx.t;
  const stored = ctx.values.get(field.questionInput);
  const storedQuestion = typeof stored === 'string' ? stored : '';
  const isCustom = storedQuestion !== '' && !field.questions.includes(storedQuestion);
  const onlyCustom = field.questions.length === 0 && field.allowCustom;

  const selectId = `${field.id}-question`;
  const customId = `${field.id}-custom`;
  const answerId = `${field.id}-answer`;
  const errorsOf = (id: string): HTMLUListElement => h('ul', { id: `${id}-errors`, class: 'field-errors' });

  const select = h(
    'select',
    { id: selectId, required: true, 'aria-required': 'true' },
    h('option', { value: '' }, t('kba.choose')),
    field.questions.map((q) => h('option', { value: q, selected: q === storedQuestion }, q)),
    field.allowCustom ? h('option', { value: CUSTOM, selected: isCustom }, t('kba.custom')) : null,
  );
  const custom = h('input', { id: customId, type: 'text', autocomplete: 'off', required: true, 'aria-required': 'true' });
  custom.value = isCustom ? storedQuestion : '';
  const answer = h('input', { id: answerId, type: 'text', autocomplete: 'off', required: true, 'aria-required': 'true', spellcheck: 'false' });
  const storedAnswer = ctx.values.get(field.answerInput);
  answer.value = typeof storedAnswer === 'string' ? storedAnswer : '';

  const selectErrors = errorsOf(selectId);
  const customErrors = errorsOf(customId);
  const answerErrors = errorsOf(answerId);
  setIdList(select, 'aria-describedby', [selectErrors.id]);
  setIdList(custom, 'aria-describedby', [customErrors.id]);
  setIdList(answer, 'aria-describedby', [answerErrors.id]);

  const selectBlock = onlyCustom ? null : h('div', { class: 'field' }, h('label', { for: selectId }, t('kba.question')), selectErrors, select);
  const customBlock = h('div', { class: 'field' }, h('label', { for: customId }, t('kba.customQuestion')), customErrors, custom);
  const answerBlock = h('div', { class: 'field' }, h('label', { for: answerId }, t('kba.answer')), answerErrors, answer);

  const customChosen = (): boolean => onlyCustom || select.value === CUSTOM;
  const sync = (): void => {
    customBlock.hidden = !customChosen();
    ctx.values.set(field.questionInput, customChosen() ? custom.value.trim() : select.value);
    ctx.values.set(field.answerInput, answer.value);
  };
  select.addEventListener('change', sync);
  custom.addEventListener('input', sync);
  answer.addEventListener('input', sync);
  sync();

  const setErrors = (control: HTMLElement, list: HTMLUListElement, messages: string[]): void => {
    list.replaceChildren(...messages.map((m) => h('li', {}, m)));
    if (messages.length > 0) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  };

  return {
    element: h('fieldset', { class: 'field kba' }, h('legend', {}, field.label || t('kba.question')), selectBlock, customBlock, answerBlock),
    check() {
      const requiredText = ctx.t.policy({ policyRequirement: 'REQUIRED' });
      let focus: HTMLElement | null = null;
      const missingSelect = !onlyCustom && select.value === '';
      setErrors(select, selectErrors, missingSelect ? [requiredText] : []);
      if (missingSelect) focus = select;
      const missingCustom = customChosen() && custom.value.trim() === '';
      setErrors(custom, customErrors, missingCustom ? [requiredText] : []);
      if (missingCustom) focus ??= custom;
      const missingAnswer = answer.value.trim() === '';
      setErrors(answer, answerErrors, missingAnswer ? [requiredText] : []);
      if (missingAnswer) focus ??= answer;
      return focus;
    },
  };
};
