/**
 * Building blocks shared by the input renderers: a labelled field with a hint (requirements), a list
 * of error sentences linked to the control with aria-describedby / aria-invalid, and the text and
 * password inputs themselves (show-password toggle, confirm-password, live validation). A new
 * password's requirements stay on screen as a checklist, each rule marked met or not met as the
 * server checks what is typed, with the failing sentences in their own list.
 */
import { hasRuleText } from '../../../src/i18n/policies.js';
import type { PasswordField, TextField } from '../core/form-model.js';
import type { PolicyFailure } from '../core/types.js';
import type { RenderContext, Rendered } from './context.js';
import { clear, h, setIdList } from './dom.js';

export interface FieldShell {
  wrapper: HTMLElement;
  /** Replace the error sentences of a control (empty list = valid). */
  setErrors(control: HTMLElement, messages: string[]): void;
}

/** A wrapper with label, optional hint list and an error list, wired to `control`. */
export function fieldShell(
  ctx: RenderContext,
  options: {
    id: string;
    label: string;
    required: boolean;
    control: HTMLElement;
    hints?: string[];
    extra?: HTMLElement[];
    /** A checklist (kept visible with the errors) instead of a hint the errors replace. */
    checklist?: HTMLElement;
  },
): FieldShell {
  const { id, control } = options;
  const hintId = `${id}-hint`;
  const errorId = `${id}-errors`;
  const hints = options.hints ?? [];
  const hint = options.checklist
    ? options.checklist
    : hints.length > 0
      ? h(
          'div',
          { id: hintId, class: 'field-hint' },
          h('span', { class: 'visually-hidden' }, `${ctx.t.t('password.requirements')}: `),
          h(
            'ul',
            {},
            hints.map((text) => h('li', {}, text)),
          ),
        )
      : null;
  const errors = h('ul', { id: errorId, class: 'field-errors' });
  // Required is the norm on these pages (aria-required tells assistive technology); optional fields say so.
  const label = h('label', { for: id }, options.label, options.required ? null : h('span', { class: 'optional' }, ` ${ctx.t.t('form.optional')}`));
  const wrapper = h('div', { class: 'field' }, label, hint, errors, control, ...(options.extra ?? []));

  const setErrors = (target: HTMLElement, messages: string[]): void => {
    const listId = target === control ? errorId : `${target.id}-errors`;
    const list = target === control ? errors : wrapper.querySelector<HTMLElement>(`#${CSS.escape(listId)}`);
    if (list) {
      clear(list);
      for (const message of messages) list.appendChild(h('li', {}, message));
    }
    if (messages.length > 0) target.setAttribute('aria-invalid', 'true');
    else target.removeAttribute('aria-invalid');
    if (target === control && hint && !options.checklist) {
      // The failed requirements replace the list of requirements: each is said once.
      hint.hidden = messages.length > 0;
      setIdList(control, 'aria-describedby', [messages.length > 0 ? undefined : hintId, errorId]);
    }
    wrapper.classList.toggle('has-error', wrapper.querySelector('[aria-invalid="true"]') !== null);
  };
  setIdList(control, 'aria-describedby', [hint ? hintId : undefined, errorId]);
  return { wrapper, setErrors };
}

const policyTexts = (ctx: RenderContext, failures: PolicyFailure[]): string[] => failures.map((f) => ctx.t.policy(f));

/** Text-like input (NameCallback, TextInputCallback, attribute inputs, ValidatedCreateUsername). */
export function renderTextField(field: TextField, ctx: RenderContext): Rendered {
  const initial = ctx.values.get(field.inputName);
  const input = h('input', {
    id: field.id,
    name: field.inputName,
    type: field.inputType,
    autocomplete: field.autocomplete ?? 'off',
    required: field.required,
    'aria-required': field.required ? 'true' : undefined,
    inputmode: field.inputType === 'number' ? 'decimal' : undefined,
    spellcheck: field.inputType === 'text' ? 'false' : undefined,
    autocapitalize: field.autocomplete === 'username' || field.inputType === 'email' ? 'none' : undefined,
  });
  input.value = initial === null || initial === undefined ? '' : String(initial);
  const shell = fieldShell(ctx, {
    id: field.id,
    label: ctx.t.server(field.label),
    required: field.required,
    control: input,
    hints: policyTexts(ctx, field.requirements),
  });
  const store = (): void => {
    if (field.valueType === 'number') {
      const text = input.value.trim();
      ctx.values.set(field.inputName, text === '' ? null : Number.isFinite(Number(text)) ? Number(text) : text);
    } else ctx.values.set(field.inputName, input.value);
  };
  store();
  input.addEventListener('input', () => {
    store();
    if (field.liveValidation) ctx.liveCheck(field.index);
  });
  shell.setErrors(input, policyTexts(ctx, field.failures));
  return {
    element: shell.wrapper,
    check() {
      const text = input.value.trim();
      const messages: string[] = [];
      if (field.required && text === '') messages.push(ctx.t.policy({ policyRequirement: 'REQUIRED' }));
      else if (field.valueType === 'number' && text !== '' && !Number.isFinite(Number(text))) messages.push(ctx.t.t('field.notANumber'));
      // Server findings (failed policies) do not block: the server checks the new value again.
      if (messages.length === 0) return null;
      shell.setErrors(input, messages);
      return input;
    },
    showFailures(failures) {
      shell.setErrors(input, policyTexts(ctx, failures));
      return failures.length > 0 ? input : null;
    },
  };
}

/** A show/hide toggle for a password input (a real button: keyboard and screen readers get it). */
function visibilityToggle(ctx: RenderContext, inputs: HTMLInputElement[], controlsId: string): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'toggle', 'aria-pressed': 'false', 'aria-controls': controlsId }, ctx.t.t('password.show'));
  button.addEventListener('click', () => {
    const show = inputs[0]?.type === 'password';
    for (const input of inputs) input.type = show ? 'text' : 'password';
    button.setAttribute('aria-pressed', String(show));
    button.textContent = ctx.t.t(show ? 'password.hide' : 'password.show');
  });
  return button;
}

type RuleState = 'pending' | 'met' | 'unmet';

/** The requirements of a new password as a checklist; `update` marks each rule from the server's failures. */
function requirementChecklist(ctx: RenderContext, id: string, requirements: PolicyFailure[]) {
  const rules = requirements.map((requirement) => {
    const state = h('span', { class: 'visually-hidden' });
    const item = h('li', { class: 'rule', 'data-state': 'pending', 'data-policy': requirement.policyRequirement }, ctx.t.rule(requirement), state);
    return { requirement, item, state };
  });
  const element = h(
    'div',
    { id: `${id}-hint`, class: 'field-hint checklist' },
    h('span', { class: 'visually-hidden' }, `${ctx.t.t('password.requirements')}: `),
    h(
      'ul',
      {},
      rules.map((r) => r.item),
    ),
  );
  return {
    element,
    /** Marks every rule (all pending while nothing is typed) and returns the sentences for the error list. */
    update(failures: PolicyFailure[], typed: boolean): string[] {
      for (const rule of rules) {
        const failed = failures.some((f) => f.policyRequirement === rule.requirement.policyRequirement);
        const next: RuleState = !typed ? 'pending' : failed ? 'unmet' : 'met';
        rule.item.setAttribute('data-state', next);
        rule.state.textContent = next === 'pending' ? '' : ` (${ctx.t.t(next === 'met' ? 'password.ruleMet' : 'password.ruleUnmet')})`;
      }
      if (!typed) return failures.map((f) => ctx.t.policy(f));
      const listed = (f: PolicyFailure): boolean => rules.some((r) => r.requirement.policyRequirement === f.policyRequirement);
      // A failed rule the checklist states word for word is summed up once; any other failure keeps its own sentence.
      const summed = failures.some((f) => listed(f) && !hasRuleText(f.policyRequirement));
      const own = failures.filter((f) => !listed(f) || hasRuleText(f.policyRequirement)).map((f) => ctx.t.policy(f));
      return summed ? [ctx.t.t('password.notAllMet'), ...own] : own;
    },
  };
}

/** Password input (PasswordCallback, ValidatedCreatePasswordCallback), with a confirmation field when asked. */
export function renderPasswordField(field: PasswordField, ctx: RenderContext): Rendered {
  const input = h('input', {
    id: field.id,
    name: field.inputName,
    type: 'password',
    autocomplete: field.autocomplete,
    required: field.required,
    'aria-required': field.required ? 'true' : undefined,
    spellcheck: 'false',
    autocapitalize: 'none',
  });
  // Passwords are never pre-filled from the server; the store keeps what was typed on this page.
  const typed = ctx.values.get(field.inputName);
  input.value = typeof typed === 'string' ? typed : '';
  ctx.values.set(field.inputName, input.value);

  const confirmId = `${field.id}-confirm`;
  // The confirmation is never sent; it is kept with the page's values so a refused page keeps it.
  const confirmKey = `${field.inputName}#confirm`;
  const confirmInput = field.confirm
    ? h('input', {
        id: confirmId,
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        'aria-required': 'true',
        spellcheck: 'false',
        autocapitalize: 'none',
      })
    : null;
  if (confirmInput) {
    const kept = ctx.values.get(confirmKey);
    confirmInput.value = typeof kept === 'string' ? kept : '';
  }
  const confirmErrors = confirmInput ? h('ul', { id: `${confirmId}-errors`, class: 'field-errors' }) : null;
  const checklist =
    field.autocomplete === 'new-password' && field.requirements.length > 0 ? requirementChecklist(ctx, field.id, field.requirements) : null;
  const toggle = visibilityToggle(ctx, confirmInput ? [input, confirmInput] : [input], confirmInput ? `${field.id} ${confirmId}` : field.id);
  const shell = fieldShell(ctx, {
    id: field.id,
    label: ctx.t.server(field.label),
    required: field.required,
    control: input,
    hints: policyTexts(ctx, field.requirements),
    extra: confirmInput ? [] : [toggle],
    ...(checklist ? { checklist: checklist.element } : {}),
  });
  /** Server findings: the checklist marks its rules, the error list says what failed. */
  const showServerFailures = (failures: PolicyFailure[]): void => {
    shell.setErrors(input, checklist ? checklist.update(failures, input.value !== '') : policyTexts(ctx, failures));
  };
  let confirmBlock: HTMLElement | null = null;
  if (confirmInput && confirmErrors) {
    setIdList(confirmInput, 'aria-describedby', [confirmErrors.id]);
    confirmBlock = h('div', { class: 'field' }, h('label', { for: confirmId }, ctx.t.t('password.confirm')), confirmErrors, confirmInput, toggle);
  }
  const setConfirmErrors = (messages: string[]): void => {
    if (!confirmInput || !confirmErrors) return;
    clear(confirmErrors);
    for (const message of messages) confirmErrors.appendChild(h('li', {}, message));
    if (messages.length > 0) confirmInput.setAttribute('aria-invalid', 'true');
    else confirmInput.removeAttribute('aria-invalid');
    confirmBlock?.classList.toggle('has-error', messages.length > 0);
  };
  input.addEventListener('input', () => {
    ctx.values.set(field.inputName, input.value);
    if (confirmInput && confirmInput.value !== '' && confirmInput.getAttribute('aria-invalid') === 'true' && confirmInput.value === input.value)
      setConfirmErrors([]);
    if (field.liveValidation) ctx.liveCheck(field.index);
  });
  confirmInput?.addEventListener('input', () => {
    ctx.values.set(confirmKey, confirmInput.value);
    if (confirmInput.value === input.value) setConfirmErrors([]);
  });
  showServerFailures(field.failures);

  const element = confirmBlock ? h('div', { class: 'field-group' }, shell.wrapper, confirmBlock) : shell.wrapper;
  return {
    element,
    check() {
      let focus: HTMLElement | null = null;
      if (field.required && input.value === '') {
        shell.setErrors(input, [ctx.t.policy({ policyRequirement: 'REQUIRED' })]);
        focus = input;
      }
      if (confirmInput) {
        if (confirmInput.value !== input.value) {
          setConfirmErrors([ctx.t.t('password.mismatch')]);
          focus ??= confirmInput;
        } else setConfirmErrors([]);
      }
      return focus;
    },
    showFailures(failures) {
      showServerFailures(failures);
      return failures.length > 0 ? input : null;
    },
  };
}
