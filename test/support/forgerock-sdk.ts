// Drives the official ForgeRock JavaScript SDK (4.9.1) from Node tests as a real client: each
// `createSdkClient()` is one "browser" with its own cookie jar and SDK config. Because the SDK keeps
// Config in module state and calls the global fetch, client calls are serialised by one async mutex
// and routed to their jar by an AsyncLocalStorage-aware global fetch wrapper (see createSdkClient).

import { AsyncLocalStorage } from 'node:async_hooks';
import * as sdkModule from '@forgerock/javascript-sdk';
import type * as Sdk from '@forgerock/javascript-sdk' with { 'resolution-mode': 'require' };
import { createCookieJar, createJarFetch, type CookieJar } from './cookie-jar.js';

/**
 * The SDK's types. Its ESM .d.ts files use extension-less relative imports, which NodeNext cannot
 * resolve, so `import { NameCallback } from '@forgerock/javascript-sdk'` types everything as `any`;
 * its CommonJS declarations resolve fine. Use `Sdk.NameCallback`, `Sdk.FRStep`… as types.
 */
export type { Sdk };
export type SdkModule = typeof Sdk;
/** The SDK's runtime module (the ESM build, the one FRAuth really runs), typed via `Sdk`. */
export const sdk = sdkModule as unknown as SdkModule;

/** What FRAuth.start/next/resume resolve to. */
export type AuthResult = Sdk.FRStep | Sdk.FRLoginSuccess | Sdk.FRLoginFailure;
/** The SDK's StepOptions (ConfigOptions + `query`), as accepted by FRAuth.start/next/resume. */
export type StepOptions = Sdk.StepOptions;
type RequestMiddleware = NonNullable<StepOptions['middleware']>[number];

export interface SdkClientOptions {
  /** AM deployment URL including its context path, e.g. `http://127.0.0.1:1234/am`. */
  baseUrl: string;
  /** Realm as the SDK takes it: 'root' (default), 'alpha', '/alpha', 'a/b'. */
  realmPath?: string;
  /** Journey name sent as authIndexValue on every request of start/next. */
  tree?: string;
  /** SDK request timeout in ms (SDK default 5000); on expiry the call rejects with Error('Timeout'). */
  timeout?: number;
  /** Bring your own jar (e.g. to share one "browser" between two client configs). */
  jar?: CookieJar;
  /** SDK option: also send `X-Requested-Platform: javascript`. */
  platformHeader?: boolean;
  /** SDK request middleware (may change URL/headers per action type). */
  middleware?: RequestMiddleware[];
}

/** FRAuth with its network methods bound to one client (same signatures as the SDK's statics). */
export interface BoundFRAuth {
  start(options?: StepOptions): Promise<AuthResult>;
  next(step?: Sdk.FRStep, options?: StepOptions): Promise<AuthResult>;
  resume(url: string, options?: StepOptions): Promise<AuthResult>;
}

/**
 * Every export of the SDK (classes such as FRStep, NameCallback, enums such as CallbackType) plus
 * client-bound methods. `FRAuth` here is bound to this client; any other SDK call that does HTTP
 * (SessionManager, FRUser, TokenManager…) must run inside `client.run(() => …)` to use this
 * client's config and jar.
 */
export type SdkClient = Omit<SdkModule, 'FRAuth'> &
  BoundFRAuth & {
    readonly FRAuth: BoundFRAuth;
    /** The raw SDK module (global state; prefer the bound methods). */
    readonly sdk: SdkModule;
    /** This client's cookie jar ("its browser"). */
    readonly jar: CookieJar;
    /** The SDK config this client installs before each call. */
    readonly config: Readonly<ClientConfig>;
    /** A fetch that uses this client's jar, for requests outside the SDK (no mutex needed). */
    readonly fetch: typeof fetch;
    /** Runs `fn` with this client's SDK config and jar installed, under the mutex. */
    run<T>(fn: () => Promise<T>): Promise<T>;
  };

export interface ClientConfig {
  readonly baseUrl: string;
  readonly realmPath: string;
  readonly tree: string | undefined;
  readonly timeout: number | undefined;
  readonly platformHeader: boolean;
}

interface ClientContext {
  readonly fetch: typeof fetch;
}

/** Process-wide state forced on us by the SDK's own globals; kept on globalThis so it is installed once. */
interface SdkRuntime {
  readonly als: AsyncLocalStorage<ClientContext>;
  readonly wrapper: typeof fetch;
  baseFetch: typeof fetch;
  tail: Promise<void>;
}

const RUNTIME_KEY = Symbol.for('cairn.test.forgerock-sdk-runtime');

function getRuntime(): SdkRuntime {
  const holder = globalThis as unknown as Record<symbol, SdkRuntime | undefined>;
  const existing = holder[RUNTIME_KEY];
  if (existing) return existing;
  const als = new AsyncLocalStorage<ClientContext>();
  const runtime: SdkRuntime = {
    als,
    baseFetch: globalThis.fetch,
    tail: Promise.resolve(),
    // Outside a client context this is a plain pass-through to the fetch it replaced.
    wrapper: (input, init) => {
      const context = als.getStore();
      return context ? context.fetch(input, init) : runtime.baseFetch(input, init);
    },
  };
  holder[RUNTIME_KEY] = runtime;
  return runtime;
}

/** Puts the wrapper in place; re-wraps if something (e.g. vi.stubGlobal) replaced globalThis.fetch. */
function ensureFetchInstalled(runtime: SdkRuntime): void {
  if (globalThis.fetch === runtime.wrapper) return;
  runtime.baseFetch = globalThis.fetch;
  globalThis.fetch = runtime.wrapper;
}

/** The async mutex: `fn` starts once every earlier call has settled. */
function runExclusive<T>(runtime: SdkRuntime, fn: () => Promise<T>): Promise<T> {
  const result = runtime.tail.then(fn);
  runtime.tail = result.then(
    () => undefined,
    () => undefined,
  );
  return result;
}

function validateOptions(options: SdkClientOptions): ClientConfig {
  if (typeof options !== 'object' || options === null) throw new TypeError('createSdkClient: options object is required');
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new TypeError(`createSdkClient: baseUrl must be an absolute URL, got ${JSON.stringify(options.baseUrl)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`createSdkClient: baseUrl must be http(s), got ${base.protocol}`);
  }
  if (base.search || base.hash) throw new TypeError('createSdkClient: baseUrl must not have a query or fragment');
  const realmPath = options.realmPath ?? 'root';
  if (typeof realmPath !== 'string') throw new TypeError('createSdkClient: realmPath must be a string');
  if (options.tree !== undefined && (typeof options.tree !== 'string' || options.tree === '')) {
    throw new TypeError('createSdkClient: tree must be a non-empty string');
  }
  const { timeout } = options;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout <= 0)) {
    throw new TypeError(`createSdkClient: timeout must be a positive integer (ms), got ${String(timeout)}`);
  }
  return {
    baseUrl: base.href,
    realmPath,
    tree: options.tree,
    timeout,
    platformHeader: options.platformHeader ?? false,
  };
}

/**
 * One SDK client = one browser. Each call (start/next/resume/run) waits for every earlier call of
 * ANY client to settle (process-wide mutex), then `Config.set`s this client's config and runs the
 * SDK inside an AsyncLocalStorage context; the global fetch wrapper (installed once, on first call,
 * re-installed if something replaced globalThis.fetch) sends that context's requests through this
 * client's jar and passes every other fetch through untouched. So calls from two clients never
 * interleave, and `Promise.all([a.start(), b.start()])` is safe (it just runs one after the other).
 *
 * No browser globals are installed: in Node 20 the SDK's import, FRAuth.start/next and
 * FRAuth.resume(<suspendedId link>) only use fetch, Headers, URL and setTimeout. localStorage and
 * location are needed only by FRAuth.redirect and by redirect-style resumes (code&state,
 * form_post_entry, responsekey), which this harness does not support.
 *
 * @example
 *   const c = createSdkClient({ baseUrl: 'http://127.0.0.1:1234/am', tree: 'Login' });
 *   const step = asStep(await c.start());
 *   step.getCallbackOfType<Sdk.NameCallback>(c.CallbackType.NameCallback).setName('demo');
 *   step.getCallbackOfType<Sdk.PasswordCallback>(c.CallbackType.PasswordCallback).setPassword('secret');
 *   const done = asSuccess(await c.next(step)); // done.getSessionToken(), c.jar.get('iPlanetDirectoryPro')
 */
export function createSdkClient(options: SdkClientOptions): SdkClient {
  const config = Object.freeze(validateOptions(options));
  const middleware = options.middleware ? [...options.middleware] : undefined;
  const jar = options.jar ?? createCookieJar();
  const runtime = getRuntime();
  const jarFetch = createJarFetch(jar, (input, init) => runtime.baseFetch(input, init));
  const context: ClientContext = { fetch: jarFetch };

  const installConfig = (): void => {
    // A fresh object every time: Config.set mutates serverConfig (adds '/' and the default timeout).
    sdk.Config.set({
      serverConfig: { baseUrl: config.baseUrl, ...(config.timeout !== undefined && { timeout: config.timeout }) },
      realmPath: config.realmPath,
      ...(config.tree !== undefined && { tree: config.tree }),
      platformHeader: config.platformHeader,
      ...(middleware && { middleware }),
    });
  };

  const run = <T>(fn: () => Promise<T>): Promise<T> => {
    const active = runtime.als.getStore();
    if (active === context) return fn(); // re-entrant call from inside this client's own run()
    if (active) {
      return Promise.reject(new Error('forgerock-sdk harness: a client call was made inside another client’s run(); not supported'));
    }
    return runExclusive(runtime, () => {
      ensureFetchInstalled(runtime);
      installConfig();
      return runtime.als.run(context, fn);
    });
  };

  const FRAuth: BoundFRAuth = {
    start: (stepOptions) => run(() => sdk.FRAuth.start(stepOptions)),
    next: (step, stepOptions) => run(() => sdk.FRAuth.next(step, stepOptions)),
    resume: (url, stepOptions) => run(() => sdk.FRAuth.resume(url, stepOptions)),
  };

  return {
    ...sdk,
    ...FRAuth,
    FRAuth,
    sdk,
    jar,
    config,
    fetch: jarFetch,
    run,
  };
}

function describeResult(result: AuthResult): string {
  if (result instanceof sdk.FRStep) {
    return `a step with callbacks [${result.callbacks.map((cb) => cb.getType()).join(', ')}]`;
  }
  if (result instanceof sdk.FRLoginFailure) {
    return `a login failure ${result.getCode()} ${JSON.stringify(result.getMessage() ?? '')}`;
  }
  return 'a login success';
}

function expectType<T extends AuthResult>(result: AuthResult, type: Sdk.StepType, wanted: string): T {
  if (result.type !== type) throw new Error(`expected ${wanted}, got ${describeResult(result)}`);
  return result as T;
}

/** Narrows to FRStep or throws a readable error (callback types / failure code; never input values). */
export function asStep(result: AuthResult): Sdk.FRStep {
  return expectType<Sdk.FRStep>(result, sdk.StepType.Step, 'a step');
}

export function asSuccess(result: AuthResult): Sdk.FRLoginSuccess {
  return expectType<Sdk.FRLoginSuccess>(result, sdk.StepType.LoginSuccess, 'a login success');
}

export function asFailure(result: AuthResult): Sdk.FRLoginFailure {
  return expectType<Sdk.FRLoginFailure>(result, sdk.StepType.LoginFailure, 'a login failure');
}
