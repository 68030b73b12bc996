/**
 * PingIDM's self-service configuration, in IDM's own file formats, read at start from the shipped folder
 * (config/selfservice/) and the operator's (CAIRN_SELFSERVICE_DIR), whose files replace shipped ones of the
 * same name: `selfservice-<process>.json` (`stageConfigs`, `snapshotToken`, `storage`), `selfservice.kba.json`
 * (security questions) and `ui-configuration.json` (the End User UI's flags: `passwordReset`,
 * `forgotUsername`, `selfRegistration` switch the processes `reset`, `username`, `registration` on or off).
 *
 * Each process compiles to a journey — one node per stage, in order, each leaving by `outcome` to the next
 * and the last to Success — checked by the journeys' own validator, so a stage's settings are checked by its
 * node type's schema. Every problem of every file is reported at once, with the file and a JSON pointer into
 * it, as for journeys. IDM's start-up amendments are applied: `kbaConfig` and the KBA counts come from
 * selfservice.kba.json.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseKbaConfig, type KbaConfig } from '../../identity/kba.js';
import { catalogOf, type JourneyCatalog } from '../../journeys/catalog.js';
import { compileJourney } from '../../journeys/compile.js';
import type { Journey, JourneyNode } from '../../journeys/model.js';
import { canonicalJson, validateJourneys, type Problem, type Severity } from '../../journeys/validate.js';
import type { NodeRegistry } from '../../nodes/index.js';
import { resourceOf } from '../../nodes/helpers/self-service.js';
import { STAGES } from './stages.js';

export const SHIPPED_SELFSERVICE_DIR = new URL('../../../config/selfservice/', import.meta.url).pathname;

export const PROCESS_FILE = /^selfservice-([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.json$/;
export const KBA_FILE = 'selfservice.kba.json';
export const UI_CONFIGURATION_FILE = 'ui-configuration.json';
/** IDM 7.5's reset example; IDM itself has no default and refuses to start without one. */
export const DEFAULT_TOKEN_EXPIRY_SECONDS = 300;
export const MAX_TOKEN_EXPIRY_SECONDS = 86_400;

/** The End User UI flag of each stock process (IDM access.js `checkIfUIIsEnabled`). */
export const UI_FLAGS: Readonly<Record<string, string>> = { reset: 'passwordReset', username: 'forgotUsername', registration: 'selfRegistration' };

export interface SelfServiceProcess {
  /** `reset` for selfservice-reset.json. */
  name: string;
  file: string;
  /** False when ui-configuration.json switches it off: requests get IDM's 403. */
  enabled: boolean;
  /** Fingerprint of everything the process depends on; a token from another version is refused. */
  version: string;
  tokenExpirySeconds: number;
  /** The compiled journey's id in the self-service catalog. */
  journeyId: string;
  /** Stage names by node id, in order. */
  stages: { name: string; nodeId: string }[];
  /** IDM's `legacyEnumerationErrors` switch (Cairn), as configured. */
  legacyEnumerationErrors: boolean;
}

export interface SelfServiceSetup {
  processes: ReadonlyMap<string, SelfServiceProcess>;
  /** The processes' journeys, run by a JourneyRunner of their own. */
  catalog: JourneyCatalog;
  kba: KbaConfig;
  /** `ui-configuration.json` as read (IDM's `{configuration: {...}}`), for `GET /openidm/info/uiconfig`. */
  uiConfiguration: Record<string, unknown>;
  problems: Problem[];
}

interface FileText {
  file: string;
  text: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The files of the shipped folder and the operator's, the operator's replacing shipped ones by name. */
async function readFolders(dirs: readonly (string | undefined)[]): Promise<Map<string, FileText>> {
  const files = new Map<string, FileText>();
  for (const dir of dirs) {
    if (!dir) continue;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(`The self-service folder ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: e });
    }
    for (const name of names.sort()) {
      if (!(PROCESS_FILE.test(name) || name === KBA_FILE || name === UI_CONFIGURATION_FILE)) continue;
      files.set(name, { file: join(dir, name), text: await readFile(join(dir, name), 'utf8') });
    }
  }
  return files;
}

function parse(f: FileText, problems: Problem[]): unknown {
  try {
    return JSON.parse(f.text);
  } catch (e) {
    problems.push({ file: f.file, pointer: '', message: `The file is not valid JSON: ${(e as Error).message}.`, severity: 'error' });
    return undefined;
  }
}

const TOP_LEVEL = new Set(['_id', 'stageConfigs', 'snapshotToken', 'storage', 'legacyEnumerationErrors']);
const TOKEN_KEYS = new Set([
  'type',
  'jweAlgorithm',
  'encryptionMethod',
  'jwsAlgorithm',
  'tokenExpiry',
  'sharedKey',
  'keyPairAlgorithm',
  'keyPairSize',
]);

interface CheckedProcess {
  name: string;
  file: string;
  json: Record<string, unknown>;
  journey: Journey;
  stages: { name: string; nodeId: string }[];
  tokenExpirySeconds: number;
  legacyEnumerationErrors: boolean;
  /** A stage could not be placed (unknown name, Java class): the others are still checked, the process is not served. */
  broken: boolean;
}

/** Checks a process file's own structure and builds its journey; stage settings are left to the validator. */
function checkProcess(name: string, f: FileText, data: unknown, kba: KbaConfig, problems: Problem[]): CheckedProcess | undefined {
  const add = (pointer: string, message: string, severity: Severity = 'error'): void =>
    void problems.push({ file: f.file, pointer, message, severity });
  if (!isRecord(data)) {
    add('', 'A self-service process file holds a JSON object.');
    return undefined;
  }
  for (const key of Object.keys(data)) if (!TOP_LEVEL.has(key)) add(`/${escapePointer(key)}`, `"${key}" is not a known setting here.`);
  if (data._id !== undefined && data._id !== `selfservice/${name}`) add('/_id', `Must be "selfservice/${name}" (the file name's process).`);

  let tokenExpirySeconds = DEFAULT_TOKEN_EXPIRY_SECONDS;
  const token = data.snapshotToken;
  if (token !== undefined) {
    if (!isRecord(token)) add('/snapshotToken', 'Must be an object.');
    else {
      for (const key of Object.keys(token))
        if (!TOKEN_KEYS.has(key)) add(`/snapshotToken/${escapePointer(key)}`, `"${key}" is not a known setting here.`);
      if (token.type !== undefined && token.type !== 'jwt') add('/snapshotToken/type', 'Must be "jwt".');
      const expiry = typeof token.tokenExpiry === 'string' && /^\d+$/.test(token.tokenExpiry.trim()) ? Number(token.tokenExpiry) : token.tokenExpiry;
      if (expiry !== undefined) {
        if (typeof expiry !== 'number' || !Number.isInteger(expiry) || expiry < 1 || expiry > MAX_TOKEN_EXPIRY_SECONDS)
          add('/snapshotToken/tokenExpiry', `Must be a whole number of seconds from 1 to ${MAX_TOKEN_EXPIRY_SECONDS}.`);
        else tokenExpirySeconds = expiry;
      }
    }
  }
  if (data.storage !== undefined && data.storage !== 'stateless' && data.storage !== 'local') add('/storage', 'Must be "stateless" or "local".');
  if (data.legacyEnumerationErrors !== undefined && typeof data.legacyEnumerationErrors !== 'boolean')
    add('/legacyEnumerationErrors', 'Must be true or false.');
  const legacyEnumerationErrors = data.legacyEnumerationErrors === true;

  const list = data.stageConfigs;
  if (!Array.isArray(list) || list.length === 0) {
    add(
      list === undefined ? '' : '/stageConfigs',
      list === undefined ? 'The required setting "stageConfigs" is missing.' : 'Must list at least one stage.',
    );
    return undefined;
  }
  const stages: { name: string; nodeId: string }[] = [];
  const nodes: Record<string, JourneyNode> = {};
  const resources = new Map<string, string>();
  let broken = false;
  list.forEach((entry: unknown, i) => {
    const at = `/stageConfigs/${i}`;
    if (!isRecord(entry)) {
      add(at, 'A stage is an object with its "name".');
      broken = true;
      return;
    }
    const { name: stage, class: javaClass, ...config } = entry;
    if (javaClass !== undefined && stage === undefined) {
      add(`${at}/class`, `Custom stage classes are Java code for IDM; Cairn runs IDM's named stages only (${Object.keys(STAGES).join(', ')}).`);
      broken = true;
      return;
    }
    const wire = typeof stage === 'string' && Object.hasOwn(STAGES, stage) ? STAGES[stage] : undefined;
    if (!wire) {
      add(`${at}/name`, `Unknown stage ${JSON.stringify(stage)}; known stages: ${Object.keys(STAGES).join(', ')}.`);
      broken = true;
      return;
    }
    const stageName = stage as string;
    if (typeof config.identityServiceUrl === 'string') resources.set(`${at}/identityServiceUrl`, resourceOf(config.identityServiceUrl));
    // IDM's start-up amendments (reference §6.1): the KBA configuration and counts come from selfservice.kba.json.
    if (
      stageName === 'kbaSecurityAnswerVerificationStage' &&
      config.numberOfQuestionsUserMustAnswer !== undefined &&
      Number(config.numberOfQuestionsUserMustAnswer) !== kba.minimumAnswersToVerify
    ) {
      add(
        `${at}/numberOfQuestionsUserMustAnswer`,
        `Replaced by minimumAnswersToVerify (${kba.minimumAnswersToVerify}) of ${KBA_FILE}, as IDM does.`,
        'warning',
      );
    }
    if (
      stageName === 'kbaSecurityAnswerDefinitionStage' &&
      config.numberOfAnswersUserMustSet !== undefined &&
      Number(config.numberOfAnswersUserMustSet) !== kba.minimumAnswersToDefine
    ) {
      add(
        `${at}/numberOfAnswersUserMustSet`,
        `Replaced by minimumAnswersToDefine (${kba.minimumAnswersToDefine}) of ${KBA_FILE}, as IDM does.`,
        'warning',
      );
    }
    if (isRecord(config.kbaConfig)) add(`${at}/kbaConfig`, `Replaced by ${KBA_FILE}, as IDM does.`, 'warning');
    if ((stageName === 'userQuery' || stageName === 'retrieveUsername') && config.legacyEnumerationErrors === undefined) {
      config.legacyEnumerationErrors = legacyEnumerationErrors;
    }
    const nodeId = `${i}-${stageName}`.slice(0, 64); // the index keeps pointers into the file right
    stages.push({ name: stageName, nodeId });
    nodes[nodeId] = { nodeType: wire.nodeType, displayName: stageName, config, connections: {} };
  });
  if (stages.length === 0) return undefined;
  stages.forEach((s, i) => ((nodes[s.nodeId] as JourneyNode).connections = { outcome: stages[i + 1]?.nodeId ?? 'Success' }));
  const distinct = new Set(resources.values());
  if (distinct.size > 1) {
    for (const pointer of resources.keys()) add(pointer, `The stages of one process act on one managed object; found ${[...distinct].join(', ')}.`);
    broken = true;
  }
  const journey: Journey = {
    _id: `selfservice-${name}`,
    description: `PingIDM self-service process "${name}" (${f.file})`,
    identityResource: [...distinct][0] ?? 'managed/user',
    noSession: true,
    entryNodeId: (stages[0] as { nodeId: string }).nodeId,
    nodes,
  };
  return { name, file: f.file, json: data, journey, stages, tokenExpirySeconds, legacyEnumerationErrors, broken };
}

/** A journey problem (`/nodes/<id>/config/…`) as a pointer into the process file (`/stageConfigs/<i>/…`). */
function inProcessFile(p: Problem, process: CheckedProcess): Problem {
  const m = /^\/nodes\/([^/]+)(?:\/config)?(.*)$/.exec(p.pointer);
  const index = m ? Number.parseInt(m[1] ?? '', 10) : NaN;
  return { ...p, file: process.file, pointer: Number.isInteger(index) ? `/stageConfigs/${index}${m?.[2] ?? ''}` : '' };
}

/** Reads, checks and compiles the self-service configuration. Processes with errors are left out and reported. */
export async function loadSelfService(dirs: readonly (string | undefined)[], registry: NodeRegistry): Promise<SelfServiceSetup> {
  const files = await readFolders(dirs);
  const problems: Problem[] = [];

  let kba = parseKbaConfig({}).config;
  const kbaFile = files.get(KBA_FILE);
  if (kbaFile) {
    const data = parse(kbaFile, problems);
    if (data !== undefined) {
      const parsed = parseKbaConfig(data);
      kba = parsed.config;
      problems.push(...parsed.problems.map((p) => ({ file: kbaFile.file, ...p, severity: 'error' as const })));
    }
  }

  let uiConfiguration: Record<string, unknown> = { configuration: {} };
  const uiFile = files.get(UI_CONFIGURATION_FILE);
  if (uiFile) {
    const data = parse(uiFile, problems);
    if (data !== undefined) {
      if (!isRecord(data) || !isRecord(data.configuration)) {
        problems.push({
          file: uiFile.file,
          pointer: '',
          message: 'Must be an object with a "configuration" object, as IDM writes it.',
          severity: 'error',
        });
      } else {
        uiConfiguration = data;
        for (const flag of Object.values(UI_FLAGS)) {
          const v = data.configuration[flag];
          if (v !== undefined && typeof v !== 'boolean')
            problems.push({ file: uiFile.file, pointer: `/configuration/${flag}`, message: 'Must be true or false.', severity: 'error' });
        }
      }
    }
  }
  const flags = uiConfiguration.configuration as Record<string, unknown>;

  const checked: CheckedProcess[] = [];
  for (const [fileName, f] of files) {
    const name = PROCESS_FILE.exec(fileName)?.[1];
    if (!name) continue;
    const data = parse(f, problems);
    if (data === undefined) continue;
    const process = checkProcess(name, f, data, kba, problems);
    if (process) checked.push(process);
  }

  const { journeys, problems: journeyProblems } = validateJourneys(
    checked.map((c) => ({ file: c.file, json: c.journey })),
    registry,
  );
  for (const p of journeyProblems) {
    const process = checked.find((c) => c.file === p.file);
    problems.push(process ? inProcessFile(p, process) : p);
  }

  const processes = new Map<string, SelfServiceProcess>();
  const compiled = [];
  for (const c of checked) {
    const journey = journeys.get(c.journey._id);
    if (!journey || c.broken) continue;
    compiled.push(compileJourney(journey));
    const flag = UI_FLAGS[c.name];
    processes.set(c.name, {
      name: c.name,
      file: c.file,
      enabled: flag === undefined ? true : flags[flag] === true,
      version: createHash('sha256')
        .update(canonicalJson({ process: c.json, kba, journey: journey.version }))
        .digest('base64url')
        .slice(0, 22),
      tokenExpirySeconds: c.tokenExpirySeconds,
      journeyId: journey.id,
      stages: c.stages,
      legacyEnumerationErrors: c.legacyEnumerationErrors,
    });
  }
  return { processes, catalog: catalogOf(compiled), kba, uiConfiguration, problems };
}
