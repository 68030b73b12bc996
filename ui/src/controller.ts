/**
 * Drives a journey in the page: reads the route, starts or resumes the journey, renders each step,
 * submits (with live validateOnly checks in between, kept in order and never overtaking a submit),
 * and turns every outcome into a page a person can act on. All browser objects (location, history,
 * fetch, the main element) are passed in by main.ts; the state lives in this closure only.
 */
import { createApiClient, type ApiOutcome, type FetchLike } from './core/api.js';
import { buildSubmission, credentialsRefused, initialValues, planPage, samePage, type PagePlan } from './core/form-model.js';
import {
  failureMessage,
  isLandingUrl,
  landingFor,
  LOGIN,
  placeLinks,
  UPDATE_PASSWORD,
  titleKey,
  type Landing,
  type PlacedLink,
} from './core/journeys.js';
import { apiUrl, journeyHref, parseRoute, withLocale, withoutSuspendedId, type JourneyRoute } from './core/route.js';
import { safeHref, sanitizeDescription } from './core/sanitize.js';
import { signedInUser, signOut } from './core/session.js';
import type { Step } from './core/types.js';
import { createTranslator, pickLocale, type Overrides, type Translator } from './i18n/index.js';
import { renderPanel } from './view/panels.js';
import { renderStepPage, type StepPage } from './view/page.js';

export interface ControllerEnv {
  main: HTMLElement;
  amBasePath: string;
  fetch: FetchLike;
  location: Location;
  history: History;
  /** The browser's preferred languages (navigator.languages). */
  languages: readonly string[];
  textOverrides: Overrides;
  productName: string;
  /** Where the step that redirected to a social provider waits for the person to come back (sessionStorage). */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** The theme's "Continue to <product>" target on the success page, if any. */
  homeUrl?: string;
  /** Called whenever the page language changes (to update <html lang>, the selector, chrome texts). */
  onLocale(t: Translator): void;
}

const LIVE_CHECK_DELAY_MS = 500;
const REDIRECT_KEY = 'cairn-redirect-step';

export function createController(env: ControllerEnv) {
  const api = createApiClient({ fetch: env.fetch });
  let locale = pickLocale([parseRoute(env.location.search, env.location.hash).locale, ...env.languages]);
  let t = createTranslator(locale, env.textOverrides);

  // Per-journey state.
  let route: JourneyRoute | undefined;
  let resumed = false;
  let step: Step | undefined;
  let plan: PagePlan | undefined;
  let values = new Map<string, unknown>();
  let page: StepPage | undefined;
  let stepCount = 0;
  let generation = 0;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let liveTimer: ReturnType<typeof setTimeout> | undefined;
  let liveIndex: number | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let rerender: () => void = () => undefined;
  /** What was typed on the first page before a language change restarted it, to keep on the new one. */
  let carry: { step: Step; values: Map<string, unknown> } | undefined;

  const setTitle = (title: string): void => {
    document.title = `${title} – ${env.productName}`;
  };
  const focus = (element: HTMLElement): void => element.focus();
  const pageUrl = (): string => env.location.href;

  const resetTimers = (): void => {
    if (pollTimer !== undefined) clearTimeout(pollTimer);
    if (liveTimer !== undefined) clearTimeout(liveTimer);
    pollTimer = liveTimer = liveIndex = undefined;
  };

  /** Serialises requests: a submit waits for a running live check and uses its newer authId. */
  const queue = (task: () => Promise<void>): Promise<void> => {
    inFlight = inFlight.then(task, task);
    return inFlight;
  };

  const send = async (body: Step | undefined, extra?: Record<string, string>): Promise<ApiOutcome> => {
    if (!route) throw new Error('no journey');
    const resume = route.suspendedId !== undefined;
    const outcome = await api.send(apiUrl(env.amBasePath, route, { resume, locale, ...(extra ? { extra } : {}) }), body, resume);
    if (resume) {
      // The e-mailed id is single-use: drop it from the address bar and from later calls.
      const { suspendedId: _used, ...rest } = route;
      void _used;
      route = rest;
      env.history.replaceState(null, '', `${env.location.pathname}${withoutSuspendedId(env.location.search)}${env.location.hash}`);
    }
    return outcome;
  };

  const linkState = (): { goto?: string; gotoOnFail?: string; realm?: string; locale?: string } => {
    const state: { goto?: string; gotoOnFail?: string; realm?: string; locale?: string } = { locale };
    if (route?.goto !== undefined) state.goto = route.goto;
    if (route?.gotoOnFail !== undefined) state.gotoOnFail = route.gotoOnFail;
    if (route?.realm !== undefined) state.realm = route.realm;
    return state;
  };

  // ---- pages -------------------------------------------------------------------------------

  const showStep = (next: Step, errors: string[] = []): void => {
    resetTimers();
    generation += 1;
    const samePageAgain = step !== undefined && samePage(step, next);
    const typed = values;
    step = next;
    plan = planPage(next);
    if (!samePageAgain) stepCount += 1;
    // The server's values first (it echoes what was submitted, minus secrets). On the same page sent
    // back (a refused value), keep what the person typed where the server sent nothing — a refused
    // new password and its confirmation too, to be corrected rather than typed twice again — except
    // sign-in passwords and one-time codes, which are typed again.
    values = initialValues(next);
    const carried = carry && samePage(carry.step, next) ? carry.values : undefined;
    carry = undefined;
    if (carried) {
      const secret = new Set(plan.fields.flatMap((f) => (f.kind === 'password' ? [f.inputName] : [])));
      for (const [name, value] of carried) if (!secret.has(name) && values.has(name)) values.set(name, value);
    }
    if (samePageAgain) {
      const secret = new Set(plan.fields.flatMap((f) => (f.kind === 'password' && f.autocomplete !== 'new-password' ? [f.inputName] : [])));
      for (const [name, value] of typed) {
        const server = values.get(name);
        if (!secret.has(name) && (server === '' || server === null || server === undefined)) values.set(name, value);
      }
    }
    if (plan.redirect?.url) {
      // A social provider sends the person back here with code and state: keep the step to answer then.
      env.storage?.setItem(REDIRECT_KEY, JSON.stringify({ route, step: next }));
      navigateRedirect(plan.redirect.url, plan.redirect.method, plan.redirect.data);
    }
    const draw = (errs: string[]): void => {
      if (!step || !plan || !route) return;
      const title = (step.header?.trim() ? t.server(step.header.trim()) : '') || t.t(titleKey(route.journey), { journey: route.journey });
      const placement = placeLinks(route.journey, sanitizeDescription(step.description ?? ''), plan.fields);
      const link = (l: PlacedLink) => ({ href: journeyHref(l.journey, linkState()), text: l.key ? t.t(l.key) : (l.text ?? l.journey) });
      page = renderStepPage(env.main, {
        t,
        title,
        description: placement.description,
        plan,
        values,
        errors: errs,
        links: placement.nav.map(link),
        fieldLinks: new Map([...placement.byField].map(([index, links]) => [index, links.map(link)])),
        liveCheck: scheduleLiveCheck,
        onSubmit: () => void submit(),
      });
      setTitle(title);
      // Failed policies the server sent with the step: focus the first field that has one.
      let firstInvalid: HTMLElement | null = null;
      for (const field of plan.fields)
        if ('failures' in field && field.failures.length > 0) firstInvalid ??= page.showFailures(field.index, field.failures);
      focus(errs.length === 0 && firstInvalid ? firstInvalid : page.focusTarget);
    };
    draw(errors);
    rerender = () => draw([]);

    if (plan.pollAfterMs !== undefined) {
      const current = generation;
      pollTimer = setTimeout(() => {
        if (current === generation) void submit();
      }, plan.pollAfterMs);
    }
  };

  const showPanel = (
    title: string,
    paragraphs: string[],
    actions: Parameters<typeof renderPanel>[1]['actions'],
    tone: 'error' | 'success' | 'info',
    lead?: string,
  ): void => {
    resetTimers();
    generation += 1;
    page = undefined;
    const heading = renderPanel(env.main, { title, paragraphs, actions, tone, ...(lead ? { lead } : {}) });
    setTitle(title);
    focus(heading);
  };

  const showSignedOut = (): void => {
    const draw = (): void =>
      showPanel(
        t.t('success.signedOut.title'),
        [t.t('success.signedOut.body')],
        [{ text: t.t('action.signIn'), href: journeyHref(LOGIN, linkState()) }],
        'info',
      );
    draw();
    rerender = draw;
  };

  /**
   * After signing in: who is signed in (their name from their profile), a way on (the theme's home,
   * changing the password) and signing out. Without a session (a journey that creates none) the
   * plain "you are signed in" text.
   */
  const showSignedIn = async (): Promise<void> => {
    // Who is signed in, asked before the page is drawn, so it is drawn (and announced) once.
    resetTimers();
    const current = ++generation;
    env.main.setAttribute('aria-busy', 'true');
    const user = await signedInUser(env.fetch, env.amBasePath);
    env.main.removeAttribute('aria-busy');
    if (current !== generation) return;
    const draw = (): void => {
      const actions: Parameters<typeof renderPanel>[1]['actions'] = [];
      if (env.homeUrl) actions.push({ text: t.t('action.continueTo', { product: env.productName }), href: env.homeUrl, style: 'primary' });
      if (user) {
        actions.push({
          text: t.t('action.changePassword'),
          href: journeyHref(UPDATE_PASSWORD, { ...linkState(), forceAuth: true }),
          style: 'secondary',
        });
        actions.push({ text: t.t('action.signOut'), onClick: () => void signOutNow(), style: 'secondary' });
      }
      // "Welcome, Barbara Jensen" / "You are signed in as bjensen." (who, on a shared computer).
      showPanel(
        user ? t.t('success.signedIn.welcome', { name: user.displayName ?? user.username }) : t.t('success.signedIn.title'),
        [t.t('success.signedIn.body')],
        actions,
        'success',
        user ? t.t('success.signedIn.as', { name: user.username }) : undefined,
      );
    };
    draw();
    rerender = draw;
  };

  const signOutNow = async (): Promise<void> => {
    page = undefined;
    env.main.setAttribute('aria-busy', 'true');
    await signOut(env.fetch, env.amBasePath);
    env.main.removeAttribute('aria-busy');
    showSignedOut();
  };

  const showLanding = (landing: Landing): void => {
    if (landing === 'signedIn') {
      void showSignedIn();
      return;
    }
    const draw = (): void => {
      const signIn = { text: t.t('action.signIn'), href: journeyHref(LOGIN, linkState()) };
      showPanel(
        t.t(`success.${landing}.title`),
        [t.t(`success.${landing}.body`)],
        landing === 'passwordChanged' || landing === 'registered' ? [signIn] : [],
        'success',
      );
    };
    draw();
    rerender = draw;
  };

  const showFailure = (outcome: Extract<ApiOutcome, { kind: 'failure' }>, retry: () => void): void => {
    const journey = route?.journey ?? LOGIN;
    const again = { text: t.t('action.startAgain'), onClick: () => void startJourney() };
    const signIn = { text: t.t('action.signIn'), href: journeyHref(LOGIN, linkState()) };
    const draw = (): void => {
      switch (outcome.reason) {
        case 'timeout':
          showPanel(t.t('error.heading'), [t.t('error.timeout')], [again], 'error');
          break;
        case 'link-expired':
          showPanel(
            t.t('error.heading'),
            [t.t('error.linkExpired')],
            [{ text: t.t('action.newLink'), href: journeyHref(journey, linkState()) }, signIn],
            'error',
          );
          break;
        case 'unknown-journey':
          showPanel(t.t('error.heading'), [t.t('error.unknownJourney')], [signIn], 'error');
          break;
        case 'failed':
          showPanel(t.t('error.heading'), [failureText(outcome.message) ?? t.t('error.failed')], [again], 'error');
          break;
        case 'unreachable':
          showPanel(t.t('error.heading'), [t.t('error.unreachable')], [{ text: t.t('action.retry'), onClick: retry }], 'error');
          break;
        default:
          showPanel(t.t('error.heading'), [t.t('error.server')], [{ text: t.t('action.retry'), onClick: retry }], 'error');
      }
    };
    draw();
    rerender = draw;
  };

  // ---- outcomes ----------------------------------------------------------------------------

  /** A journey's failure message in the page's language: AM's stock ones from the catalogue. */
  const failureText = (message: string): string | undefined => {
    const known = failureMessage(message);
    return known === null ? undefined : 'key' in known ? t.t(known.key) : known.text;
  };

  const handle = async (outcome: ApiOutcome, retry: () => void, errors: string[] = []): Promise<void> => {
    if (outcome.kind === 'step') {
      showStep(outcome.step, errors);
      return;
    }
    if (outcome.kind === 'success') {
      if (isLandingUrl(outcome.successUrl, pageUrl())) {
        env.history.replaceState(null, '', `${env.location.pathname}${withoutSuspendedId(env.location.search)}#/success`);
        showLanding(landingFor(route?.journey));
        return;
      }
      const target = safeHref(outcome.successUrl);
      if (target !== null) env.location.assign(target);
      else showLanding(landingFor(route?.journey));
      return;
    }
    if (outcome.reason === 'failed' && errors.length === 0) {
      // The journey ended in failure (e.g. wrong password): start again, the reason on top of the first page.
      const message = route?.journey === LOGIN ? t.t('error.loginFailure') : t.t('error.failed');
      const detail = failureText(outcome.message);
      await startJourney(detail ? [message, detail] : [message]);
      return;
    }
    showFailure(outcome, retry);
  };

  const startJourney = async (errors: string[] = []): Promise<void> => {
    if (!route) return;
    step = undefined;
    stepCount = 0;
    values = new Map();
    env.main.setAttribute('aria-busy', 'true');
    const outcome = await send(undefined);
    env.main.removeAttribute('aria-busy');
    await handle(outcome, () => void startJourney(errors), errors);
  };

  const submit = (): Promise<void> => {
    if (liveTimer !== undefined) clearTimeout(liveTimer);
    liveTimer = liveIndex = undefined;
    const current = generation;
    page?.setBusy(true);
    return queue(async () => {
      if (!step || current !== generation) return;
      const submitted = step;
      const outcome = await send(buildSubmission(submitted, values));
      if (current !== generation) return;
      page?.setBusy(false);
      // The same sign-in page back after a password was sent: the credentials were refused.
      const refused = outcome.kind === 'step' && credentialsRefused(submitted, outcome.step);
      await handle(outcome, () => void submit(), refused ? [t.t('error.wrongCredentials')] : []);
    });
  };

  const scheduleLiveCheck = (index: number): void => {
    if (liveTimer !== undefined && liveIndex !== index) void runLiveCheck(liveIndex);
    if (liveTimer !== undefined) clearTimeout(liveTimer);
    liveIndex = index;
    liveTimer = setTimeout(() => {
      liveTimer = undefined;
      void runLiveCheck(index);
    }, LIVE_CHECK_DELAY_MS);
  };

  const runLiveCheck = (index: number | undefined): Promise<void> => {
    if (index === undefined) return Promise.resolve();
    const current = generation;
    return queue(async () => {
      if (!step || current !== generation) return;
      const outcome = await send(buildSubmission(step, values, { validateOnly: true }));
      if (current !== generation) return;
      if (outcome.kind === 'step' && samePage(step, outcome.step)) {
        step = outcome.step; // the server issues a new authId with every answer: keep the newest
        const checked = planPage(outcome.step).fields[index];
        if (checked && 'failures' in checked) page?.showFailures(index, checked.failures);
        return;
      }
      await handle(outcome, () => void startJourney());
    });
  };

  const navigateRedirect = (url: string, method: 'GET' | 'POST', data: Record<string, string>): void => {
    if (method === 'GET') {
      env.location.assign(url);
      return;
    }
    const form = document.createElement('form');
    form.method = 'post';
    form.action = url;
    for (const [name, value] of Object.entries(data)) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
  };

  // ---- routing -----------------------------------------------------------------------------

  /** Back from a social provider (`code`/`error` and `state` in the query) with the step that sent the person there. */
  const returnedFromProvider = (): { route: JourneyRoute; step: Step; params: Record<string, string> } | undefined => {
    const query = new URLSearchParams(env.location.search);
    const saved = env.storage?.getItem(REDIRECT_KEY);
    if (!saved || !query.has('state') || !(query.has('code') || query.has('error'))) return undefined;
    env.storage?.removeItem(REDIRECT_KEY);
    try {
      const { route: r, step: s } = JSON.parse(saved) as { route: JourneyRoute; step: Step };
      if (!r || typeof r.journey !== 'string' || !s || typeof s.authId !== 'string') return undefined;
      const params: Record<string, string> = {};
      for (const k of ['code', 'state', 'error', 'error_description', 'iss']) {
        const v = query.get(k);
        if (v !== null) params[k] = v;
      }
      return { route: r, step: s, params };
    } catch {
      return undefined;
    }
  };

  const route_ = async (): Promise<void> => {
    const parsed = parseRoute(env.location.search, env.location.hash);
    if (parsed.kind === 'success') {
      route = undefined;
      showLanding('signedIn');
      return;
    }
    if (parsed.kind === 'invalid') {
      route = undefined;
      const draw = (): void =>
        showPanel(t.t('error.heading'), [t.t('error.invalidLink')], [{ text: t.t('action.signIn'), href: journeyHref(LOGIN, { locale }) }], 'error');
      draw();
      rerender = draw;
      return;
    }
    const back = returnedFromProvider();
    if (back) {
      route = back.route;
      resumed = false;
      env.history.replaceState(null, '', `${env.location.pathname}${journeyHref(back.route.journey, linkState()).replace(/^[^?]*/, '')}`);
      await queue(async () => handle(await send(back.step, back.params), () => void startJourney()));
      return;
    }
    route = parsed;
    resumed = parsed.suspendedId !== undefined;
    await startJourney();
  };

  const setLocale = (next: string): void => {
    if (next === locale) return;
    locale = next;
    t = createTranslator(locale, env.textOverrides);
    env.history.replaceState(null, '', `${env.location.pathname}${withLocale(env.location.search, locale)}${env.location.hash}`);
    env.onLocale(t);
    // On a journey's first page, start again so the server's texts (prompts, header) come in the new
    // language too, keeping what was typed (but passwords). Later pages keep the journey's state:
    // the pages' own texts change now, the server's with the next step.
    if (route && step && stepCount === 1 && !resumed) {
      carry = { step, values: new Map(values) };
      void startJourney();
    } else rerender();
  };

  return {
    get translator(): Translator {
      return t;
    },
    boot(): Promise<void> {
      env.onLocale(t);
      return route_();
    },
    onHashChange(): void {
      void route_();
    },
    setLocale,
  };
}
