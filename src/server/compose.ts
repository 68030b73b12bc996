/**
 * Composition of Cairn's parts from settings, shared by the server and the command line: journeys
 * (validated; any error stops the start), store, keys, managed schema, policies, identity service,
 * sessions, suspensions, mailer and audit log. Nothing is global: each call builds a fresh set.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createAuthIdCodec, type AuthIdCodec } from '../am/authid.js';
import type { SuspensionPort } from '../am/authenticate.js';
import { createSuspensions } from '../am/suspensions.js';
import { createAuditLog, type AuditLog, type AuditPort } from '../audit/audit-log.js';
import type { Settings } from '../config/settings.js';
import { createIdentityService, type IdentityService } from '../identity/identity-service.js';
import { createLoginGuard, type LoginGuard } from '../identity/login-guard.js';
import { createStepClaims, type StepClaims } from '../journeys/step-claims.js';
import { createSelfService, loadSelfService, type SelfService } from '../idm/selfservice/index.js';
import { SHIPPED_SELFSERVICE_DIR } from '../idm/selfservice/config.js';
import { createPasswordHasher } from '../identity/passwords.js';
import { createKbaService } from '../identity/kba.js';
import { loadTerms, SHIPPED_TERMS_FILE } from '../identity/terms.js';
import { createTokenSigner } from '../keys/signed-tokens.js';
import { createPolicyService, loadCommonPasswords } from '../identity/policy.js';
import { loadManagedSchema, type ManagedSchema } from '../identity/schema.js';
import { ADMIN_UNIQUE_KEYS, createAdminService, type AdminService } from '../admin/admins.js';
import { builtinJourneys } from '../admin/admin-journey.js';
import { operatorReader } from '../admin/guard.js';
import { createResetGuard, type ResetGuard } from '../credential-reset/protection.js';
import { fieldsOf, parseQueryFilter } from '../crest/query-filter.js';
import { loadCredentialResetPolicy, type CredentialResetPolicy } from '../midpoint/policy.js';
import { createConfigStore } from '../config-store/config-store.js';
import { templateDocument } from '../config-store/documents.js';
import { ConfigRefused, forwardTemplates, LiveConfig } from '../config-store/live.js';
import { seed, seedDocuments } from '../config-store/seed.js';
import { deferredEffectsSettled } from '../journeys/effects.js';
import { buildCatalog, readJourneyDir, type JourneyCatalog } from '../journeys/catalog.js';
import { JourneyRunner, type LifecycleRecord } from '../journeys/runner.js';
import { formatProblems } from '../journeys/validate.js';
import { KeystoreError, openKeystore, type KeyPurpose, type Keystore } from '../keys/keystore.js';
import { openStoreKeystore } from '../keys/store-keystore.js';
import { createMailer, loadEmailTemplates, loadOptionalTemplates, type Mailer } from '../mail/index.js';
import type { EmailTemplates, MailPort } from '../mail/types.js';
import { DEFAULT_IDENTITY_RESOURCE } from '../journeys/model.js';
import type { JourneyInput } from '../journeys/validate.js';
import { realmCounters, realmSpecs, ROOT_REALM_NAME, ROOT_REALM_PATH, type RealmSpec } from '../realms/realms.js';
import { DEFAULT_MAIL_THEME } from '../mail/mailer.js';
import { createMailSpool } from '../mail/spool.js';
import { mailThemeFrom } from '../mail/theme.js';
import { createNodeRegistry, type NodeRegistry } from '../nodes/index.js';
import type { NodeServices } from '../nodes/services.js';
import { createOAuth, type OAuth } from '../oauth/service.js';
import { amSessionProperties, createSessionService, type SessionService } from '../sessions/session-service.js';
import { createMetrics, instrumentStore, type Metrics } from '../observability/metrics.js';
import { openStore, type Store } from '../stores/index.js';
import type { Logger } from '../observability/logger.js';
import { createScriptEngine, exposedEnv, type ScriptLogLevel } from '../scripts/engine.js';
import { createScriptHost } from '../scripts/host.js';
import { clusterSize } from './cluster.js';
import { libraryOf, loadScriptLibrary, scriptsDirOf, type ScriptLibrary } from '../scripts/library.js';
import { SandboxPool } from '../scripts/pool.js';
import { createSocialPort, SocialSignInError } from '../social/oidc.js';
import { loadSocialProviders, parseSecrets, providerSetOf, type SocialProviderSet } from '../social/providers.js';

export interface ComposeOptions {
  log?: (line: string) => void;
  /** Clock for tests. */
  now?: () => number;
  /** Receives audit lines instead of CAIRN_AUDIT_LOG (tests). */
  audit?: (line: string) => void;
  /** Skip loading journeys (command-line tools that only manage users). */
  withoutJourneys?: boolean;
  /** Structured logger: script log lines go to it with their request id. */
  logger?: Logger;
  /** The environment scripts' systemEnv reads from (filtered by CAIRN_SCRIPT_ENV); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Do not announce the development outbox at start (command-line tools: nothing is sent unless they say so). */
  quietMail?: boolean;
}

export class StartupError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** One realm's parts: its journeys, their runner, its suspensions and e-mail. */
export interface RealmCore {
  spec: RealmSpec;
  catalog: JourneyCatalog;
  scripts: ScriptLibrary;
  runner: JourneyRunner;
  suspensions: SuspensionPort;
  mail: MailPort;
}

export interface Core {
  settings: Readonly<Settings>;
  /** Every realm served, by name, root first; `catalog`, `runner` and `suspensions` below are root's. */
  realms: ReadonlyMap<string, RealmCore>;
  /** Root's journeys that run now (live: a change in the store is picked up without a restart). */
  catalog: JourneyCatalog;
  config: LiveConfig;
  admins: AdminService;
  /** The credential-reset policy file (src/midpoint/policy.ts), validated; its journeys not yet checked. */
  resetPolicy: CredentialResetPolicy;
  /** Protected targets and the one save path of every started reset (src/credential-reset/protection.ts). */
  resetGuard: ResetGuard;
  registry: NodeRegistry;
  stores: Store;
  keystore: Keystore;
  codec: AuthIdCodec;
  schema: ManagedSchema;
  identity: IdentityService;
  /** The password attempt budgets, and the devices and addresses accounts signed in from. */
  logins: LoginGuard;
  /** Single-use journey steps (a replayed authId is refused). */
  claims: StepClaims;
  sessions: SessionService;
  oauth: OAuth;
  suspensions: SuspensionPort;
  mailer: Mailer;
  audit: AuditLog;
  runner: JourneyRunner;
  /** PingIDM's self-service processes (/openidm/selfservice). */
  selfService: SelfService;
  services: NodeServices;
  readonly scripts: ScriptLibrary;
  metrics: Metrics;
  log: (line: string) => void;
  close(): Promise<void>;
}

const SHIPPED_TEMPLATES = new URL('../../config/email-templates/', import.meta.url).pathname;
const SHIPPED_THEME = new URL('../../ui/theme.json', import.meta.url).pathname;
const HOSTED_PAGE = '/login/';

/**
 * The keys: in the store, encrypted with CAIRN_KEY_ENCRYPTION_KEY, when it is set (instances share
 * them through the database); otherwise in <data dir>/keys, which instances on a shared store must share.
 */
async function openKeys(settings: Readonly<Settings>, store: Store, now: () => number, log: (line: string) => void): Promise<Keystore> {
  // authId signing and encryption, and ID-token signing (OAuth).
  const purposes: KeyPurpose[] = ['sig', 'enc', 'oidc'];
  if (settings.keyEncryptionKey) {
    try {
      return await openStoreKeystore({
        kv: store.kv,
        kek: settings.keyEncryptionKey,
        purposes,
        ...(settings.keyEncryptionKeyPrevious ? { previousKek: settings.keyEncryptionKeyPrevious } : {}),
        now,
      });
    } catch (e) {
      if (e instanceof KeystoreError) throw new StartupError(`The keys in the store cannot be opened: ${e.message}.`);
      throw e;
    }
  }
  if (store.backend !== 'lmdb') {
    log(
      `keys: in ${join(settings.dataDir, 'keys')}, which every instance on this ${store.backend} store must share; set CAIRN_KEY_ENCRYPTION_KEY to keep them in the store instead`,
    );
  }
  return openKeystore({ dir: join(settings.dataDir, 'keys'), now, purposes });
}

export async function compose(settings: Readonly<Settings>, options: ComposeOptions = {}): Promise<Core> {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const registry = createNodeRegistry();

  const specs = realmSpecs(settings);
  const loadedRealms: { spec: RealmSpec; catalog: JourneyCatalog; scripts: ScriptLibrary; social: SocialProviderSet }[] = [];
  const secrets = parseSecrets(settings.socialClientSecrets);
  const rootScripts = await loadJourneys(specs[0] as RealmSpec, undefined);
  for (const spec of specs.slice(1)) await loadJourneys(spec, rootScripts);

  /** A realm's journeys: its own directory, else the shipped ones (root's), for its identity resource. */
  async function loadJourneys(spec: RealmSpec, root: { inputs: JourneyInput[]; scripts: ScriptLibrary; social: SocialProviderSet } | undefined) {
    const own = !root || (!options.withoutJourneys && (await isDirectory(spec.journeysDir)));
    let inputs: JourneyInput[] = [];
    if (!options.withoutJourneys && own) {
      try {
        inputs = await readJourneyDir(spec.journeysDir);
      } catch {
        throw new StartupError(`The journeys directory ${spec.journeysDir} cannot be read (${root ? `realm ${spec.name}` : 'CAIRN_JOURNEYS_DIR'}).`);
      }
    } else if (root) inputs = root.inputs;
    const scriptsDir = scriptsDirOf(spec.journeysDir);
    const scripts = !own && root ? root.scripts : options.withoutJourneys ? libraryOf(scriptsDir, []) : await loadScriptLibrary(scriptsDir);
    const social =
      !own && root
        ? root.social
        : options.withoutJourneys
          ? providerSetOf(spec.journeysDir, [])
          : await loadSocialProviders(spec.journeysDir, secrets);
    const { catalog, problems } = buildCatalog(inputs, registry, { scripts, identityResource: spec.identityResource });
    if (own)
      problems.unshift(
        ...scripts.problems,
        ...social.problems.map((p) => ({ file: p.file, pointer: '', message: p.message, severity: 'error' as const })),
      );
    const lines = formatProblems(problems);
    if (problems.some((p) => p.severity === 'error')) {
      throw new StartupError(`The journeys in ${spec.journeysDir} have errors; fix them or run \`cairn journeys validate\`.`, lines);
    }
    if (own) for (const l of lines) log(l);
    loadedRealms.push({ spec, catalog, scripts, social });
    return { inputs, scripts, social };
  }
  // Root's journeys, scripts and templates from files seed the store (below); other realms run their files.
  const catalog = (loadedRealms[0] as (typeof loadedRealms)[number]).catalog;
  const scripts = rootScripts.scripts;
  const inputs = rootScripts.inputs;

  const selfServiceSetup = await loadSelfService(options.withoutJourneys ? [] : [SHIPPED_SELFSERVICE_DIR, settings.selfServiceDir], registry).catch(
    (e: Error) => {
      throw new StartupError(`The self-service configuration cannot be read: ${e.message}`);
    },
  );
  const selfServiceLines = formatProblems(selfServiceSetup.problems);
  if (selfServiceSetup.problems.some((p) => p.severity === 'error')) {
    throw new StartupError(`The self-service configuration (${settings.selfServiceDir}) has errors.`, selfServiceLines);
  }
  for (const l of selfServiceLines) log(l);

  let schema = await loadManagedSchema(settings.managedSchemaFile ?? undefined).catch((e: Error) => {
    throw new StartupError(`The managed-object schema cannot be loaded: ${e.message}`);
  });
  // A realm's people have the users' schema unless managed.json describes its object.
  for (const spec of specs.slice(1)) schema = schema.withResource(spec.identityResource, DEFAULT_IDENTITY_RESOURCE);
  // The credential-reset policy (validated now: a bad file stops the start); its journeys are checked by start.ts.
  const resetPolicy = await loadCredentialResetPolicy(settings.credentialResetPolicyFile).catch((e: Error) => {
    throw new StartupError(e.message);
  });
  const baseTemplates = await loadEmailTemplates(SHIPPED_TEMPLATES, settings.emailTemplatesDir).catch((e: Error) => {
    throw new StartupError(`The e-mail templates cannot be loaded: ${e.message}`);
  });
  // A realm's own templates sit beside the others as `realms/<name>/<template>` (realmMail picks them).
  const templates = new Map(baseTemplates);
  for (const spec of specs) {
    if (!spec.emailTemplatesDir) continue;
    const own = await loadOptionalTemplates(spec.emailTemplatesDir).catch((e: Error) => {
      throw new StartupError(`The e-mail templates of realm ${spec.name} cannot be loaded: ${e.message}`);
    });
    for (const [name, t] of own) templates.set(realmTemplateName(spec.name, name), t);
  }
  const started: { config?: LiveConfig } = {};
  // Root's templates are the store's (seeded from the files); a realm's own stay those of its folder.
  const realmOnly = new Map([...templates].filter(([name]) => !baseTemplates.has(name)));
  // Joined once per stored revision, not at every lookup.
  let joined: { revision: number; templates: EmailTemplates } | undefined;
  const mailTemplates = (): EmailTemplates => {
    const live = started.config;
    if (!live) return templates;
    if (realmOnly.size === 0) return live.templates;
    if (joined?.revision !== live.revision) joined = { revision: live.revision, templates: new Map([...live.templates, ...realmOnly]) };
    return joined.templates;
  };
  const uniqueKeys = { ...Object.fromEntries(schema.resources().map((r) => [r, schema.uniqueProperties(r)])), ...ADMIN_UNIQUE_KEYS };
  const searchableFields = Object.fromEntries(
    schema.resources().map((r) => [
      r,
      schema
        .properties(r)
        .filter((p) => p.searchable)
        .map((p) => p.name),
    ]),
  );
  const rawStore = await openStore({
    dataDir: settings.dataDir,
    ...(settings.postgresUri ? { postgresUri: settings.postgresUri, postgresPoolMax: settings.postgresPoolMax } : {}),
    ...(settings.mongodbUri ? { mongodbUri: settings.mongodbUri } : {}),
    now,
    uniqueKeys,
    searchableFields,
    log,
  });
  const keystore = await openKeys(settings, rawStore, now, log).catch(async (e: unknown) => {
    await rawStore.close().catch(() => undefined);
    throw e;
  });
  const codec = createAuthIdCodec({ keystore, ttlSeconds: settings.authIdLifetimeSeconds, now });
  const auditLog = createAuditLog(settings.auditLog, now, options.audit);
  const spool = createMailSpool(rawStore.kv, { now, ttlMs: 60 * 60_000 });
  const mailer = createMailer({
    persistence: spool,
    // `audit` is defined below; deliveries happen later, off the request path.
    onOutcome: ({ status, ...fields }) => audit.record(status === 'sent' ? 'email.sent' : 'email.failed', fields),
    ...(settings.smtpUrl ? { smtpUrl: settings.smtpUrl } : {}),
    smtp: { requireTLS: settings.smtpRequireTls, rejectUnauthorized: settings.smtpRejectUnauthorized },
    from: settings.smtpFrom,
    dataDir: settings.dataDir,
    // The templates in the store (seeded from the template folders below), once it is open.
    templates: forwardTemplates(mailTemplates),
    log,
    now,
    theme: mailThemeFrom(settings.uiThemeFile ?? SHIPPED_THEME, DEFAULT_MAIL_THEME),
    ...(options.quietMail ? { announceOutbox: false } : {}),
  });
  const metrics = createMetrics(() => ({ ...mailer.stats() }));
  const stores = instrumentStore(rawStore, metrics.storeDuration, metrics.registry);
  // Audit events that mean a limit was hit also count as rate-limit hits.
  const audit: AuditLog = {
    record(event, fields) {
      if (event === 'login.throttled') metrics.rateLimitHits.inc({ limit: 'login-attempts' });
      const reason = (fields as { reason?: unknown }).reason;
      if (typeof reason === 'string' && reason.startsWith('rate-limited'))
        metrics.rateLimitHits.inc({ limit: reason.replace('rate-limited-', 'mail-per-') });
      auditLog.record(event, fields);
    },
    close: () => auditLog.close(),
  };
  const termsFile = settings.termsFile ?? SHIPPED_TERMS_FILE;
  const terms = await loadTerms(termsFile).catch((e: Error) => {
    throw new StartupError(`The terms and conditions cannot be loaded: ${e.message}`);
  });
  const hasher = createPasswordHasher(
    { memoryCost: settings.passwordHashMemoryKib, timeCost: settings.passwordHashPasses },
    { processes: clusterSize() },
  );
  const commonPasswords = await loadCommonPasswords();
  const { oauth, problems: oauthProblems } = await createOAuth({
    settings,
    kv: stores.kv,
    sessionStore: stores.sessions,
    sessions: createSessionService({
      store: stores.sessions,
      idleMs: settings.sessionIdleMinutes * 60_000,
      maxMs: settings.sessionMaxMinutes * 60_000,
      now,
    }),
    keystore,
    // `identity` is defined below; accounts are only read while serving requests.
    identity: { read: (r, id) => identity.read(r, id), findByAttribute: (r, a, v) => identity.findByAttribute(r, a, v) },
    journeys: () => (started.config ?? { catalog }).catalog.ids(),
    realms: specs.slice(1).map((spec) => ({
      path: spec.path,
      cookieName: spec.cookieName,
      identityResource: spec.identityResource,
      journeys: () => loadedRealms.find((r) => r.spec.name === spec.name)?.catalog.ids() ?? [],
    })),
    now,
    audit,
    onError: (e) => log(`oauth: ${(e as Error)?.message ?? String(e)}`),
  });
  if (oauthProblems.length) {
    await stores.close();
    throw new StartupError(`The OAuth clients file ${settings.oauthClientsFile} has errors (CAIRN_OAUTH_CLIENTS_FILE).`, oauthProblems);
  }
  // Ending a session (logout, endSession, password reset) also revokes the tokens issued in it.
  const sessions = oauth.sessions;
  const policy = createPolicyService({
    schema,
    commonPasswords,
    isUnique: async (resource, property, value, objectId) => {
      const o = await stores.objects.findUnique(resource, property, value);
      return !o || o._id === objectId;
    },
    isCurrentPassword: async (resource, objectId, candidate) => {
      const o = await stores.objects.read(resource, objectId);
      return typeof o?.password === 'string' && (await hasher.verify(o.password, candidate));
    },
  });
  // Each realm's people check their passwords under that realm's budgets, counted apart from the others'.
  const guards = new Map(
    specs.map((spec) => [
      spec.identityResource,
      createLoginGuard({
        counters: realmCounters(stores.counters, spec.name),
        perAccount: spec.limits.loginAttempts,
        perClient: spec.limits.loginAttemptsPerClient,
        windowMs: spec.limits.loginAttemptWindowMinutes * 60_000,
        now,
      }),
    ]),
  );
  const guardOf = (resource: string): LoginGuard => guards.get(resource) ?? (guards.get(DEFAULT_IDENTITY_RESOURCE) as LoginGuard);
  const logins: LoginGuard = {
    begin: (resource, account, client) => guardOf(resource).begin(resource, account, client),
    remember: (resource, id, client) => guardOf(resource).remember(resource, id, client),
    forget: (resource, id) => guardOf(resource).forget(resource, id),
  };
  const identity = createIdentityService({
    objects: stores.objects,
    logins,
    hasher,
    policy,
    schema,
    audit,
    mail: mailer,
    revokeSessions: (subject) => sessions.revokeAll(subject),
    now,
  });
  const admins = createAdminService({
    objects: stores.objects,
    hasher,
    checkPassword: (r, login, p, c) => identity.checkPassword(r, login, p, c),
    now,
  });
  const protectedFilter = resetPolicy.protectedTargets.queryFilter;
  try {
    if (protectedFilter !== undefined) {
      const fields = fieldsOf(parseQueryFilter(protectedFilter)).map((f) => f.join('/'));
      for (const spec of specs) identity.checkReadable(spec.identityResource, fields, 'The credential-reset policy’s /protectedTargets/queryFilter');
    }
  } catch (e) {
    await stores.close();
    throw new StartupError((e as Error).message);
  }
  const resetGuard = createResetGuard({
    protectedTargets: resetPolicy.protectedTargets,
    identity,
    isAdministrator: (name) => admins.exists(name),
    audit,
  });
  const pool = new SandboxPool({ workers: settings.scriptWorkers, memoryBytes: settings.scriptMemoryMb * 1024 * 1024, log });
  // Journeys, scripts and nodes live in the store (src/config-store/): every instance runs a change
  // within a second; the journeys folder seeds it.
  const live = await LiveConfig.open({
    store: createConfigStore(stores.kv),
    runtime: { registry, builtins: builtinJourneys() },
    audit,
    now,
    pollMs: options.withoutJourneys ? 0 : settings.configPollMs,
    log,
    // Compile the scripts the journeys run on every sandbox thread now, not on their first step.
    onInstall: (runtime) => pool.warm(runtime.scripts.all().filter((s) => !runtime.scripts.problemFor(s.meta._id))),
  }).catch(async (e: unknown) => {
    await pool.close();
    await stores.close();
    throw e;
  });
  started.config = live;
  // The files seed the store (the e-mail templates also for command-line tools: they may send mail).
  try {
    const templateDocs = await Promise.all(
      [...baseTemplates.values()].map(async (t) => templateDocument(JSON.parse(await readFile(t.source, 'utf8')))),
    );
    const journeyDocs = inputs.map((i) => i.json ?? (JSON.parse(i.text ?? 'null') as unknown));
    await seed(
      live,
      seedDocuments(journeyDocs, options.withoutJourneys ? [] : scripts.all().map((s) => ({ meta: s.meta, source: s.source })), templateDocs),
    );
  } catch (e) {
    live.close();
    await pool.close();
    await stores.close();
    if (e instanceof ConfigRefused) {
      throw new StartupError(`The journeys in ${settings.journeysDir} do not fit the stored configuration.`, formatProblems(e.problems));
    }
    throw e;
  }
  if (settings.adminPassword && (await admins.bootstrap(settings.adminUsername, settings.adminPassword))) {
    log(`administrators: created ${settings.adminUsername} from CAIRN_ADMIN_USERNAME / CAIRN_ADMIN_PASSWORD`);
  }
  const scriptLog = (level: ScriptLogLevel, message: string, fields: Record<string, unknown>): void => {
    if (options.logger) options.logger[level]({ ...fields, source: 'script' }, message);
    else if (level === 'warn' || level === 'error') log(`script ${String(fields.script)}: ${message}`);
  };
  const engineFor = (library: () => ScriptLibrary, cookieName: string) =>
    createScriptEngine({
      library,
      pool,
      host: createScriptHost({
        identity,
        resources: () => schema.resources(),
        http: { allowlist: settings.scriptHttpAllowlist, timeoutMs: settings.scriptHttpTimeoutMs, maxResponseBytes: 1024 * 1024 },
      }),
      limits: { cpuMs: settings.scriptCpuMs, wallMs: settings.scriptTimeoutMs, outputBytes: settings.scriptOutputKb * 1024 },
      env: exposedEnv(options.env ?? process.env, settings.scriptEnv),
      existingSession: async (request) => {
        const token = cookieValue(request.headers.cookie, cookieName) ?? request.headers[cookieName.toLowerCase()];
        const session = token ? await sessions.validate(token) : undefined;
        return session
          ? { Principal: session.uid, UserToken: session.uid, UserId: session.userId ?? session.uid, Realm: session.realm, AuthLevel: '0' }
          : null;
      },
      log: scriptLog,
      audit: (event, fields) => audit.record(event, fields),
    });
  const services: NodeServices = {
    now,
    schema,
    policy,
    identity,
    counters: stores.counters,
    mailLimits: { perAccount: settings.mailPerAccount, perClient: settings.mailPerClient, windowMs: settings.mailWindowMinutes * 60_000 },
    scripts: engineFor(() => live.scripts, settings.cookieName),
    sessions: {
      async properties(ssoTokenId) {
        const live = await sessions.validate(ssoTokenId);
        return live ? amSessionProperties(live) : undefined;
      },
      operator: operatorReader(sessions, admins),
    },
    credentialResets: resetGuard,
    tokens: createTokenSigner(keystore, now),
    terms,
    kba: createKbaService({ config: selfServiceSetup.kba, hasher, counters: stores.counters }),
    debugNodes: settings.debugNodes,
  };
  const realms = new Map<string, RealmCore>();
  for (const { spec, catalog: realmCatalog, scripts: realmScripts, social } of loadedRealms) {
    // A realm's scripts and social identity providers are its own (those of its journeys directory).
    const isRoot = spec.name === ROOT_REALM_NAME;
    // Root runs the store's live journeys and scripts; a realm runs its files (its own or the shipped ones).
    const realmJourneys = isRoot ? live.catalog : realmCatalog;
    const counters = realmCounters(stores.counters, spec.name);
    const { limits } = spec;
    const realmServices: NodeServices = {
      ...services,
      // Its retry counts, e-mail limits and security-answer failures count in this realm only.
      counters,
      mailLimits: { perAccount: limits.mailPerAccount, perClient: limits.mailPerClient, windowMs: limits.mailWindowMinutes * 60_000 },
      ...(spec.name === ROOT_REALM_NAME ? {} : { kba: createKbaService({ config: selfServiceSetup.kba, hasher, counters }) }),
      scripts: isRoot ? (services.scripts as NonNullable<NodeServices['scripts']>) : engineFor(() => realmScripts, spec.cookieName),
      ...(social.enabled().length ? { social: createSocialPort(social) } : {}),
    };
    if (realmScripts !== scripts) pool.warm(realmScripts.all().filter((s) => !realmScripts.problemFor(s.meta._id)));
    realms.set(spec.name, {
      spec,
      catalog: realmJourneys,
      get scripts() {
        return isRoot ? live.scripts : realmScripts;
      },
      runner: new JourneyRunner({
        catalog: realmJourneys,
        services: realmServices,
        onNodeError: (error, where) => {
          log(
            `journey error in ${spec.name === ROOT_REALM_NAME ? '' : `${spec.path}:`}${where.journeyId}/${where.nodeId} (${where.nodeType}): ${(error as Error)?.message ?? String(error)}`,
          );
          // A social sign-in refused (wrong state, replayed answer, used code, token for another client…).
          if (error instanceof SocialSignInError)
            audit.record('social.refused', {
              journey: where.journeyId,
              node: where.nodeId,
              ...(error.provider !== undefined ? { provider: error.provider } : {}),
              reason: error.reason,
              ...(spec.name === ROOT_REALM_NAME ? {} : { realm: spec.path }),
            });
        },
        lifecycle: journeyLifecycle(metrics, audit, spec.path),
      }),
      suspensions: createSuspensions({
        store: stores.suspended,
        publicUrl: settings.publicUrl,
        pagePath: HOSTED_PAGE,
        defaultMinutes: settings.suspendedMinutes,
        supersede: settings.newerLinkSupersedes,
        realm: spec.path,
        now,
      }),
      mail: realmMail(mailer, spec.name),
    });
  }
  const root = realms.get(ROOT_REALM_NAME) as RealmCore;
  const runner = root.runner;
  const suspensions = root.suspensions;
  const selfService = createSelfService({
    setup: selfServiceSetup,
    services,
    stores,
    keystore,
    policy,
    audit,
    mail: mailer,
    publicUrl: settings.publicUrl,
    supersede: settings.newerLinkSupersedes,
    now,
    log,
    lifecycle: journeyLifecycle(metrics, audit),
  });

  return {
    settings,
    realms,
    catalog: live.catalog,
    config: live,
    admins,
    resetPolicy,
    resetGuard,
    registry,
    stores,
    keystore,
    codec,
    schema,
    identity,
    logins,
    claims: createStepClaims(stores.claims),
    sessions,
    oauth,
    suspensions,
    mailer,
    audit,
    runner,
    selfService,
    services,
    get scripts() {
      return live.scripts;
    },
    metrics,
    log,
    async close() {
      // Send what can be sent quickly; keep the rest in the store for the next start. First the
      // e-mails of answers just sent, which performEffects queues right after them.
      await deferredEffectsSettled();
      await mailer.flush(1_000).catch(() => false);
      await mailer.close();
      const kept = await spool.flushToStore().catch((e: unknown) => {
        log(`mail: ${(e as Error).message}`);
        return 0;
      });
      if (kept > 0) log(`mail: ${kept} unsent message(s) kept in the store for the next start`);
      live.close();
      await pool.close();
      await audit.close();
      await stores.close();
    },
  };
}

/**
 * The journey lifecycle the runner reads from its machines' microsteps, as metrics (journeys started
 * and ended, nodes entered, node outcomes) and audit events (journey.started / succeeded / failed).
 */
export function journeyLifecycle(metrics: Metrics, audit: AuditPort, realm: string = ROOT_REALM_PATH): (record: LifecycleRecord) => void {
  // Audit events name the realm outside root; metric labels stay as they are for root.
  const where = realm === ROOT_REALM_PATH ? {} : { realm };
  return (record) => {
    const journey = realm === ROOT_REALM_PATH ? record.journey : `${realm}:${record.journey}`;
    const { clientIp } = record;
    switch (record.type) {
      case 'journey.started':
        metrics.journeysStarted.inc({ journey });
        audit.record('journey.started', { journey: record.journey, ...where, clientIp });
        return;
      case 'journey.node.entered':
        metrics.nodesEntered.inc({ journey, node_type: record.nodeType });
        return;
      case 'journey.node.outcome':
        metrics.nodeOutcomes.inc({ journey, node_type: record.nodeType, outcome: record.outcome });
        return;
      case 'journey.ended':
        metrics.journeysEnded.inc({ journey, outcome: record.outcome });
        audit.record(record.outcome === 'success' ? 'journey.succeeded' : 'journey.failed', { journey: record.journey, ...where, clientIp });
        return;
    }
  };
}

/** The realm's template when it has its own (`<templates>/realms/<name>/<template>.json`), else the server's. */
export const realmTemplateName = (realm: string, template: string): string => `realms/${realm}/${template}`;

function realmMail(mailer: Mailer, realm: string): MailPort {
  return {
    enqueue: (request) => {
      const own = realmTemplateName(realm, request.template);
      return mailer.enqueue(mailer.hasTemplate(own) ? { ...request, template: own } : request);
    },
  };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
