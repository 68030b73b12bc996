/**
 * The hosted pages for PingIDM's self-service processes, at IDM's own routes (route.ts): an e-mailed
 * link `/#/passwordreset/&token=…&code=…` posts its token and code, then every following stage is rendered
 * from its requirements (form.ts) — e-mail address, password with its rules and live checks, security
 * questions, terms — until the process ends. A refused step shows the server's refusal in the page's words and a way to start
 * again (IDM's processes end on any error). The code leaves the address bar once used.
 */
import { requirementsOf } from '../core/policies.js';
import type { PolicyFailure } from '../core/types.js';
import { isRecord } from '../core/types.js';
import { createTranslator } from '../i18n/index.js';
import { clear, h } from '../view/dom.js';
import type { SelfServiceApi } from './api.js';
import { failuresIn, inputOf, planOf, type Field, type FormPlan, type StageAnswer } from './form.js';
import { routeWithoutParams, type SelfServiceRoute } from './route.js';
import { isTextKey, refusalKey, selfServiceText, type SelfServiceTextKey } from './texts.js';

export interface SelfServicePageOptions {
  main: HTMLElement;
  route: SelfServiceRoute;
  locale: string;
  api: SelfServiceApi;
  /** Replaces the address without reloading (history.replaceState). */
  replaceHash(hash: string): void;
}

const CUSTOM = '__custom__';

export function startSelfServicePage(options: SelfServicePageOptions): Promise<void> {
  const { main, route, api } = options;
  const locale = options.locale;
  const t = (key: SelfServiceTextKey, params?: Record<string, string>): string => selfServiceText(locale, key, params);
  const translator = createTranslator(locale);
  const policySentence = (f: PolicyFailure): string => translator.policy(f);
  const titleKey: SelfServiceTextKey =
    route.process === 'registration' ? 'title.registration' : route.process === 'username' ? 'title.username' : 'title.reset';
  let token: string | undefined;
  let policies: Record<string, unknown> | undefined;

  const heading = (): HTMLElement => h('h1', { tabindex: -1 }, t(titleKey));
  const show = (...children: Node[]): void => {
    clear(main);
    for (const c of children) main.appendChild(c);
    const focus = main.querySelector<HTMLElement>('.error-summary:not([hidden])') ?? main.querySelector<HTMLElement>('h1');
    focus?.focus();
  };

  function restart(): void {
    token = undefined;
    options.replaceHash(routeWithoutParams(route));
    void step(api.start(route.process));
  }

  function errorPage(message: string | undefined, status = 0): void {
    const again = h('a', { href: routeWithoutParams(route), class: 'button secondary' }, t('error.again'));
    again.addEventListener('click', (e) => {
      e.preventDefault();
      restart();
    });
    show(
      heading(),
      h(
        'div',
        { class: 'error-summary', role: 'alert', tabindex: -1 },
        h('h2', {}, t('error.heading')),
        h('p', {}, t(refusalKey(message, status !== 0))),
      ),
      h('div', { class: 'actions' }, again),
    );
  }

  function donePage(answer: StageAnswer): void {
    const additions = isRecord(answer.additions) ? answer.additions : {};
    const text =
      route.process === 'username'
        ? typeof additions.userName === 'string'
          ? t('done.usernameShown', { userName: additions.userName })
          : t('done.username')
        : route.process === 'registration'
          ? t('done.registration')
          : t('done.reset');
    show(
      heading(),
      h('div', { class: 'panel panel-success', role: 'status' }, h('p', {}, text)),
      h('div', { class: 'actions' }, h('a', { href: './', class: 'button primary' }, t('signIn'))),
    );
  }

  async function step(pending: ReturnType<SelfServiceApi['start']>): Promise<void> {
    const result = await pending;
    if (!result.ok) return errorPage(result.message, result.status);
    const answer = result.answer;
    if (answer.tag === 'end') return donePage(answer);
    token = answer.token ?? token;
    if (answer.type === 'userDetails' || answer.type === 'resetStage') policies ??= await api.policies(route.process);
    const userFields = Array.isArray(policies?.properties)
      ? policies.properties
          .filter(isRecord)
          .map((p) => String(p.name))
          .filter((n) => n !== 'password')
      : undefined;
    const plan = planOf(answer, locale, userFields);
    if (plan.auto) {
      const returnParams = route.params.returnParams;
      return step(api.submit(route.process, token, returnParams === undefined ? {} : { returnParams }));
    }
    if (plan.checkMail) {
      return show(
        heading(),
        h('div', { class: 'panel panel-mail', role: 'status' }, h('h2', {}, t('checkMail.heading')), h('p', {}, t('checkMail.text'))),
      );
    }
    renderForm(answer, plan);
  }

  function passwordRules(): PolicyFailure[] {
    const props = Array.isArray(policies?.properties) ? policies.properties.filter(isRecord) : [];
    return requirementsOf(props.find((p) => p.name === 'password'));
  }

  function renderForm(answer: StageAnswer, plan: FormPlan): void {
    const values = new Map<string, string | boolean>();
    const serverFailures = failuresIn(answer);
    const errorMessages: string[] = [];
    const serverError = isRecord(answer.requirements?.error) ? answer.requirements.error : undefined;
    if (serverFailures.size > 0) for (const list of serverFailures.values()) errorMessages.push(...list.map(policySentence));
    else if (serverError && typeof serverError.message === 'string') errorMessages.push(t(refusalKey(serverError.message)));
    const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: -1, hidden: errorMessages.length === 0 });
    const fillSummary = (messages: string[]): void => {
      clear(summary);
      summary.hidden = messages.length === 0;
      if (messages.length === 0) return;
      summary.appendChild(h('h2', {}, t('error.heading')));
      summary.appendChild(
        h(
          'ul',
          {},
          messages.map((m) => h('li', {}, m)),
        ),
      );
    };
    fillSummary(errorMessages);

    const form = h('form', { novalidate: true });
    const requiredInputs: { input: HTMLInputElement | HTMLSelectElement; errors: HTMLElement }[] = [];
    let n = 0;
    const fieldBlock = (field: Field): HTMLElement => {
      const id = `ss-${++n}`;
      const errors = h('ul', { id: `${id}-errors`, class: 'field-errors' });
      const input = (type: string, name: string, autocomplete: string, required = true): HTMLInputElement => {
        const el = h('input', {
          id,
          name,
          type,
          autocomplete,
          required,
          'aria-required': required ? 'true' : undefined,
          'aria-describedby': `${id}-errors`,
        });
        el.addEventListener('input', () => values.set(name, el.value));
        if (required) requiredInputs.push({ input: el, errors });
        return el;
      };
      switch (field.kind) {
        case 'text': {
          const label = isTextKey(field.label) ? t(field.label) : field.label;
          return h(
            'div',
            { class: 'field' },
            h('label', { for: id }, label),
            errors,
            input(field.inputType, field.name, field.autocomplete ?? 'off', field.required),
          );
        }
        case 'password': {
          const el = input('password', field.name, 'new-password');
          const rules = passwordRules();
          const hint =
            rules.length > 0
              ? h(
                  'div',
                  { class: 'field-hint', id: `${id}-hint` },
                  t('password.rules'),
                  h(
                    'ul',
                    {},
                    rules.map((r) => h('li', {}, policySentence(r))),
                  ),
                )
              : null;
          const own = serverFailures.get('password');
          if (own) for (const f of own) errors.appendChild(h('li', {}, policySentence(f)));
          let timer: ReturnType<typeof setTimeout> | undefined;
          el.addEventListener('input', () => {
            if (timer) clearTimeout(timer);
            timer = setTimeout(() => {
              const object = field.name.startsWith('user.') ? { user: { password: el.value } } : { password: el.value };
              void api.validate(route.process, object).then((r) => {
                if (!r) return;
                const failed = Array.isArray(r.failedPolicyRequirements) ? r.failedPolicyRequirements.filter(isRecord) : [];
                clear(errors);
                for (const f of failed) {
                  if (f.property !== 'password' || !Array.isArray(f.policyRequirements)) continue;
                  for (const p of f.policyRequirements.filter(isRecord)) {
                    if (typeof p.policyRequirement === 'string' && p.policyRequirement !== 'REQUIRED') {
                      errors.appendChild(
                        h(
                          'li',
                          {},
                          policySentence(
                            isRecord(p.params)
                              ? { policyRequirement: p.policyRequirement, params: p.params }
                              : { policyRequirement: p.policyRequirement },
                          ),
                        ),
                      );
                    }
                  }
                }
              });
            }, 300);
          });
          if (hint) el.setAttribute('aria-describedby', `${id}-hint ${id}-errors`);
          return h(
            'div',
            { class: 'field' },
            h('label', { for: id }, t(route.process === 'reset' ? 'password.label' : 'field.password')),
            hint,
            errors,
            el,
          );
        }
        case 'answer':
          return h('div', { class: 'field' }, h('label', { for: id }, field.question), errors, input('password', field.name, 'off'));
        case 'define': {
          const prefix = `kba.${field.index}`;
          const select = h(
            'select',
            { id: `${id}-q`, required: true, 'aria-required': 'true' },
            h('option', { value: '' }, t('kba.choose')),
            field.questions.map((q) => h('option', { value: q.id }, q.text)),
            h('option', { value: CUSTOM }, t('kba.custom')),
          );
          const custom = h('input', { id: `${id}-c`, type: 'text', autocomplete: 'off' });
          const customBlock = h('div', { class: 'field', hidden: true }, h('label', { for: `${id}-c` }, t('kba.customQuestion')), custom);
          select.addEventListener('change', () => {
            values.set(`${prefix}.question`, select.value);
            customBlock.hidden = select.value !== CUSTOM;
          });
          custom.addEventListener('input', () => values.set(`${prefix}.custom`, custom.value));
          requiredInputs.push({ input: select, errors });
          return h(
            'fieldset',
            { class: 'field kba' },
            h('legend', {}, t('kba.heading')),
            h('div', { class: 'field' }, h('label', { for: `${id}-q` }, t('kba.question')), errors, select),
            customBlock,
            h('div', { class: 'field' }, h('label', { for: id }, t('kba.answer')), input('text', `${prefix}.answer`, 'off')),
          );
        }
        case 'terms': {
          const box = h('input', { id, type: 'checkbox', required: true });
          box.addEventListener('change', () => values.set('accept', box.checked));
          return h(
            'div',
            { class: 'field' },
            h('div', { class: 'terms-text' }, field.terms),
            h('div', { class: 'checkbox' }, box, h('label', { for: id }, t('terms.accept'))),
          );
        }
        case 'captcha':
          return h('p', { class: 'message message-warning' }, t('captcha.unavailable'));
      }
    };
    for (const field of plan.fields) form.appendChild(fieldBlock(field));
    const submit = h('button', { type: 'submit', class: 'button primary' }, t(answer.type === 'resetStage' ? 'submit.reset' : 'continue'));
    form.appendChild(h('div', { class: 'actions' }, submit));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      let missing = 0;
      for (const { input, errors } of requiredInputs) {
        const empty = input.value.trim() === '';
        if (empty) {
          missing++;
          clear(errors);
          errors.appendChild(h('li', {}, t('error.required')));
        }
      }
      if (missing > 0) {
        fillSummary([t('error.required')]);
        summary.focus();
        return;
      }
      submit.disabled = true;
      void step(api.submit(route.process, token, inputOf(answer, plan, values)));
    });
    show(heading(), summary, form);
  }

  // An e-mailed link: its token and code go to the process at once, and leave the address bar.
  const { token: linkToken, code, ...rest } = route.params;
  if (linkToken !== undefined && code !== undefined) {
    options.replaceHash(routeWithoutParams(route));
    return step(api.submit(route.process, linkToken, { ...rest, code }));
  }
  return step(api.start(route.process));
}
