/**
 * Renders one journey step: heading (the step's header or the journey's title), error summary (an
 * alert that receives focus), the sanitised description, every callback through its renderer, the
 * submit button when the plan has one, the links that belong by a field ("Forgot password?" under
 * the password) and the links to the neighbouring journeys. Client-side checks run on submit; the
 * controller is told what to send.
 */
import { renderField } from '../callbacks/index.js';
import { CONFIRMATION_ATTRIBUTE } from '../callbacks/confirmation-callback.js';
import type { PagePlan } from '../core/form-model.js';
import type { SafeNode } from '../core/sanitize.js';
import type { PolicyFailure } from '../core/types.js';
import type { Translator } from '../i18n/index.js';
import type { RenderContext, Rendered } from './context.js';
import { descriptionNodes } from './description.js';
import { clear, h } from './dom.js';

export interface PageLink {
  href: string;
  text: string;
}

export interface StepPageOptions {
  t: Translator;
  title: string;
  description: SafeNode[];
  plan: PagePlan;
  values: Map<string, unknown>;
  /** Error sentences to show at the top (e.g. the previous attempt failed). */
  errors: string[];
  links: PageLink[];
  /** Field index → links shown right under that field. */
  fieldLinks?: ReadonlyMap<number, PageLink[]>;
  liveCheck(index: number): void;
  /** Called after the client-side checks passed. */
  onSubmit(): void;
}

export interface StepPage {
  /** Where focus goes after rendering: the error summary when there are errors, else the heading. */
  focusTarget: HTMLElement;
  /** Shows server policy failures on callback `index`; returns the control to focus, if any. */
  showFailures(index: number, failures: PolicyFailure[]): HTMLElement | null;
  setErrors(messages: string[]): void;
  setBusy(busy: boolean): void;
}

export function errorSummary(t: Translator, messages: string[]): HTMLElement {
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: -1, id: 'error-summary' });
  fillSummary(t, summary, messages);
  return summary;
}

function fillSummary(t: Translator, summary: HTMLElement, messages: string[]): void {
  clear(summary);
  summary.hidden = messages.length === 0;
  if (messages.length === 0) return;
  summary.appendChild(h('h2', {}, t.t('error.heading')));
  summary.appendChild(
    messages.length === 1
      ? h('p', {}, messages[0])
      : h(
          'ul',
          {},
          messages.map((m) => h('li', {}, m)),
        ),
  );
}

export function renderStepPage(main: HTMLElement, options: StepPageOptions): StepPage {
  const { t, plan } = options;
  const ctx: RenderContext = { t, values: options.values, liveCheck: options.liveCheck };
  const rendered = new Map<number, Rendered>();
  const elements: HTMLElement[] = [];
  for (const field of plan.fields) {
    const result = renderField(field, ctx);
    rendered.set(field.index, result);
    if (result.element) elements.push(result.element);
    const near = options.fieldLinks?.get(field.index) ?? [];
    if (result.element && near.length > 0) {
      elements.push(
        h(
          'p',
          { class: 'field-links' },
          near.map((l) => h('a', { href: l.href }, l.text)),
        ),
      );
    }
  }

  const heading = h('h1', { tabindex: -1, id: 'page-title' }, options.title);
  const summary = errorSummary(t, options.errors);
  const submit = plan.submit ? h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t.t('form.submit'))) : null;
  const form = h('form', { novalidate: true, 'aria-labelledby': 'page-title', method: 'post' }, elements, submit);
  const description = options.description.length > 0 ? h('div', { class: 'description' }, descriptionNodes(options.description)) : null;
  const links =
    options.links.length > 0
      ? h(
          'nav',
          { class: 'journey-links', 'aria-label': t.t('link.navigation') },
          h(
            'ul',
            {},
            options.links.map((l) => h('li', {}, h('a', { href: l.href }, l.text))),
          ),
        )
      : null;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    const submitter = event.submitter;
    const confirmationInput = submitter?.getAttribute(CONFIRMATION_ATTRIBUTE);
    if (submitter instanceof HTMLButtonElement && confirmationInput) options.values.set(confirmationInput, Number(submitter.value));
    const problems = [...rendered.values()].map((r) => r.check?.() ?? null).filter((el): el is HTMLElement => el !== null);
    if (problems.length > 0) {
      fillSummary(t, summary, [t.t('form.errorSummary', { count: problems.length })]);
      problems[0]?.focus();
      return;
    }
    fillSummary(t, summary, []);
    options.onSubmit();
  });

  clear(main);
  main.append(heading, summary);
  if (description) main.append(description);
  main.append(form);
  if (links) main.append(links);

  return {
    focusTarget: options.errors.length > 0 ? summary : heading,
    showFailures(index, failures) {
      return rendered.get(index)?.showFailures?.(failures) ?? null;
    },
    setErrors(messages) {
      fillSummary(t, summary, messages);
    },
    setBusy(busy) {
      form.setAttribute('aria-busy', String(busy));
      for (const button of form.querySelectorAll('button[type="submit"]')) (button as HTMLButtonElement).disabled = busy;
    },
  };
}
