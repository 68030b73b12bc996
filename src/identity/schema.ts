/**
 * The IDM-style managed-object schema (config/managed.json): loaded once, checked with ajv and then for meaning
 * (types, `required`/`order` names, regular expressions), and served through IdentitySchemaPort. Errors name the
 * file and the JSON pointer. Keys IDM uses and Cairn ignores (scripts, icons, encryption…) are accepted; policy
 * ids and their params are checked strictly, because an ignored policy would be a silent security gap.
 */
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import type { IdentitySchemaPort, ManagedProperty } from './ports.js';

/** Where the shipped schema lives, from src/identity/ or dist/identity/ alike. */
export const DEFAULT_MANAGED_SCHEMA_FILE = new URL('../../config/managed.json', import.meta.url);

/**
 * Policy ids Cairn enforces: IDM's own ids (same names, params and failure requirements) plus three Cairn ids
 * (IDM/AIC have no common-password, repetition or breach rule): `cannot-be-common` → CANNOT_BE_COMMON,
 * `cannot-be-repetitive-or-sequential` → CANNOT_BE_REPETITIVE_OR_SEQUENTIAL, `cannot-be-breached` →
 * CANNOT_BE_BREACHED. `is-new` (IS_NEW) is AIC's history id; Cairn checks it against the current password only.
 */
export const POLICY_PARAMS = {
  required: {},
  'not-empty': {},
  'valid-type': { types: { type: 'array', minItems: 1, items: { enum: ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] } } },
  unique: {},
  'valid-username': {},
  regexpMatches: { regexp: { type: 'string', minLength: 1 }, flags: { type: 'string', pattern: '^[imsu]*$' } },
  'valid-date': {},
  'valid-email-address-format': {},
  'valid-phone-format': {},
  'valid-name-format': {},
  'minimum-length': { minLength: { type: 'integer', minimum: 0 } },
  'maximum-length': { maxLength: { type: 'integer', minimum: 1 } },
  'at-least-X-capitals': { numCaps: { type: 'integer', minimum: 0 } },
  'at-least-X-numbers': { numNums: { type: 'integer', minimum: 0 } },
  'cannot-contain-others': { disallowedFields: { type: 'array', items: { type: 'string', minLength: 1 } } },
  'cannot-contain-characters': { forbiddenChars: { type: 'array', items: { type: 'string', minLength: 1 } } },
  'cannot-contain-duplicates': {},
  'is-new': {},
  'cannot-be-common': {},
  'cannot-be-repetitive-or-sequential': {},
  'cannot-be-breached': {},
} as const;

export type PolicyId = keyof typeof POLICY_PARAMS;
export const POLICY_IDS = Object.keys(POLICY_PARAMS) as PolicyId[];

/** One entry of a property's `policies` list, as written in managed.json. */
export interface PolicyConfig {
  policyId: PolicyId;
  params?: Record<string, unknown>;
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** ManagedProperty plus what the store, the admin API and the policy service need. */
export interface ManagedPropertyDetail extends ManagedProperty {
  /** All declared JSON types, `null` included when nullable. */
  types: JsonType[];
  /** Cairn extension: values are unique across objects, compared case-insensitively (userName, mail). */
  unique: boolean;
  searchable: boolean;
  /** IDM's `"scope": "private"`: stored, never returned, filtered, sorted or selected over REST. */
  private: boolean;
  /** The policies declared in the file, in order (implicit `required`/`valid-type` not included). */
  policies: PolicyConfig[];
  default?: unknown;
}

export class ManagedSchemaError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { pointer: string; message: string }[],
  ) {
    super(`Invalid managed-object schema ${file}:\n${problems.map((p) => `  ${p.pointer || '/'}: ${p.message}`).join('\n')}`);
    this.name = 'ManagedSchemaError';
  }
}

const policySchema = {
  type: 'object',
  required: ['policyId'],
  properties: { policyId: { type: 'string' } },
  discriminator: { propertyName: 'policyId' },
  oneOf: POLICY_IDS.map((id) => {
    const params = POLICY_PARAMS[id] as Record<string, unknown>;
    const names = Object.keys(params);
    // Params every policy needs (all but regexpMatches' optional `flags`).
    const needed = names.filter((n) => n !== 'flags');
    return {
      properties: {
        policyId: { const: id },
        params: { type: 'object', properties: params, required: needed, additionalProperties: false },
      },
      required: needed.length > 0 ? ['policyId', 'params'] : ['policyId'],
      additionalProperties: false,
    };
  }),
};

const fileSchema = {
  type: 'object',
  required: ['objects'],
  properties: {
    objects: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'schema'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' },
          schema: {
            type: 'object',
            required: ['properties'],
            properties: {
              title: { $ref: '#/definitions/text' },
              description: { $ref: '#/definitions/text' },
              properties: { type: 'object', additionalProperties: { $ref: '#/definitions/property' } },
              required: { type: 'array', items: { type: 'string' } },
              order: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  },
  definitions: {
    /** A text, or locale → text, as IDM localises schema titles ({"en": "First name", "fr": "Prénom"}). */
    text: {
      oneOf: [
        { type: 'string' },
        {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: '^[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*$' },
          additionalProperties: { type: 'string' },
        },
      ],
    },
    property: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: ['string', 'array'], items: { type: 'string' } },
        title: { $ref: '#/definitions/text' },
        description: { $ref: '#/definitions/text' },
        viewable: { type: 'boolean' },
        userEditable: { type: 'boolean' },
        searchable: { type: 'boolean' },
        scope: { enum: ['private', 'public'] },
        unique: { type: 'boolean' },
        required: { type: ['boolean', 'array'], items: { type: 'string' } },
        order: { type: 'array', items: { type: 'string' } },
        policies: { type: 'array', items: policySchema },
        properties: { type: 'object', additionalProperties: { $ref: '#/definitions/property' } },
        items: { $ref: '#/definitions/property' },
      },
    },
  },
};

const ajv = () => new Ajv({ allErrors: true, discriminator: true, strict: true, allowUnionTypes: true });

interface RawProperty {
  type: string | string[];
  title?: string | Record<string, string>;
  description?: string | Record<string, string>;
  viewable?: boolean;
  userEditable?: boolean;
  searchable?: boolean;
  scope?: 'private' | 'public';
  unique?: boolean;
  required?: boolean | string[];
  order?: string[];
  policies?: PolicyConfig[];
  properties?: Record<string, RawProperty>;
  items?: RawProperty;
  default?: unknown;
}

interface RawFile {
  objects: { name: string; schema: { properties: Record<string, RawProperty>; required?: string[]; order?: string[] } }[];
}

const VALUE_TYPES: readonly JsonType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array'];
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

interface ObjectModel {
  /** Flattened properties by `/` path, in declaration order (`order` first, then the rest). */
  properties: Map<string, ManagedPropertyDetail>;
}

/** The loaded schema, serving IdentitySchemaPort for `managed/<object name>` resources. */
export class ManagedSchema implements IdentitySchemaPort {
  private constructor(private readonly objects: ReadonlyMap<string, ObjectModel>) {}

  /** Checks `data` (already parsed JSON); `source` names it in errors. Throws ManagedSchemaError. */
  static parse(data: unknown, source: string): ManagedSchema {
    const validate = ajv().compile<RawFile>(fileSchema);
    if (!validate(data)) throw new ManagedSchemaError(source, (validate.errors ?? []).map(describeAjvError));
    const problems: { pointer: string; message: string }[] = [];
    const objects = new Map<string, ObjectModel>();
    data.objects.forEach((object, i) => {
      const base = `/objects/${i}/schema`;
      if (objects.has(object.name)) problems.push({ pointer: `/objects/${i}/name`, message: `duplicate object name "${object.name}"` });
      const properties = new Map<string, ManagedPropertyDetail>();
      flatten(object.schema.properties, object.schema.required ?? [], object.schema.order, '', base, properties, problems);
      objects.set(object.name, { properties });
    });
    if (problems.length > 0) throw new ManagedSchemaError(source, problems);
    return new ManagedSchema(objects);
  }

  /**
   * The schema with `resource` added as a copy of `from` when the file does not describe it: a
   * realm's `managed/alpha_user` has the users' schema unless managed.json gives it its own.
   */
  withResource(resource: string, from: string): ManagedSchema {
    if (this.hasResource(resource)) return this;
    const model = this.model(from);
    if (!model) throw new ManagedSchemaError(resource, [{ pointer: '', message: `there is no ${from} to take its schema from` }]);
    return new ManagedSchema(new Map([...this.objects, [resource.replace(/^managed\//, ''), model]]));
  }

  /** `managed/user` for object `user`. */
  static resourceOf(objectName: string): string {
    return `managed/${objectName}`;
  }

  resources(): string[] {
    return [...this.objects.keys()].map((name) => ManagedSchema.resourceOf(name));
  }

  hasResource(resource: string): boolean {
    return this.model(resource) !== undefined;
  }

  property(resource: string, path: string): ManagedPropertyDetail | undefined {
    return this.model(resource)?.properties.get(path.replace(/^\/+/, ''));
  }

  /** Every property of `resource`, nested ones as `parent/child`, in schema order. */
  properties(resource: string): ManagedPropertyDetail[] {
    return [...(this.model(resource)?.properties.values() ?? [])];
  }

  /** Required properties: top-level ones, and nested `parent/child` ones required within their parent. */
  requiredProperties(resource: string): string[] {
    return this.properties(resource)
      .filter((p) => p.required)
      .map((p) => p.name);
  }

  /** Properties whose values must be unique (case-insensitively), e.g. `userName`, `mail`. */
  uniqueProperties(resource: string): string[] {
    return this.properties(resource)
      .filter((p) => p.unique)
      .map((p) => p.name);
  }

  /**
   * Top-level fields never readable over REST — the password hash, and properties of scope
   * "private" — and therefore never filtered, sorted or selected on either.
   */
  unreadableProperties(resource: string): string[] {
    const declared = this.properties(resource).filter((p) => p.private && !p.name.includes('/'));
    return [...new Set(['password', ...declared.map((p) => p.name)])];
  }

  /** Property path → value type, for the store and the admin API. */
  propertyTypes(resource: string): Record<string, ManagedProperty['type']> {
    return Object.fromEntries(this.properties(resource).map((p) => [p.name, p.type]));
  }

  private model(resource: string): ObjectModel | undefined {
    const match = /^managed\/([A-Za-z0-9_-]+)$/.exec(resource);
    return match?.[1] === undefined ? undefined : this.objects.get(match[1]);
  }
}

function flatten(
  props: Record<string, RawProperty>,
  required: string[] | boolean | undefined,
  order: string[] | undefined,
  prefix: string,
  pointer: string,
  out: Map<string, ManagedPropertyDetail>,
  problems: { pointer: string; message: string }[],
): void {
  const requiredList = Array.isArray(required) ? required : [];
  for (const [listName, list] of [
    ['required', requiredList],
    ['order', order ?? []],
  ] as const) {
    list.forEach((name, i) => {
      if (!Object.hasOwn(props, name)) problems.push({ pointer: `${pointer}/${listName}/${i}`, message: `"${name}" is not a declared property` });
    });
  }
  const names = [...new Set([...(order ?? []).filter((n) => Object.hasOwn(props, n)), ...Object.keys(props)])];
  for (const name of names) {
    const raw = props[name];
    if (raw === undefined) continue;
    const at = `${pointer}/properties/${escapePointer(name)}`;
    if (name.includes('/')) problems.push({ pointer: at, message: 'property names must not contain "/"' });
    const types = checkTypes(raw.type, at, problems);
    raw.policies?.forEach((policy, i) => {
      if (policy.policyId === 'regexpMatches') {
        try {
          new RegExp(String(policy.params?.['regexp']), String(policy.params?.['flags'] ?? ''));
        } catch (e) {
          problems.push({ pointer: `${at}/policies/${i}/params/regexp`, message: `not a valid regular expression (${(e as Error).message})` });
        }
      }
    });
    const path = prefix === '' ? name : `${prefix}/${name}`;
    const valueType = types.find((t): t is ManagedProperty['type'] => t !== 'null') ?? 'string';
    const detail: ManagedPropertyDetail = {
      name: path,
      type: valueType,
      types,
      required: requiredList.includes(name) || raw.required === true,
      nullable: types.includes('null'),
      viewable: raw.viewable ?? true,
      userEditable: raw.userEditable ?? false,
      searchable: raw.searchable ?? false,
      private: raw.scope === 'private',
      unique: raw.unique ?? false,
      policies: raw.policies ?? [],
      ...(raw.title !== undefined ? { title: raw.title } : {}),
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      ...('default' in raw ? { default: raw.default } : {}),
    };
    out.set(path, detail);
    if (raw.properties !== undefined) {
      if (valueType !== 'object')
        problems.push({ pointer: `${at}/properties`, message: 'only properties of type "object" may declare nested properties' });
      flatten(raw.properties, raw.required, raw.order, path, at, out, problems);
    }
  }
}

function checkTypes(type: string | string[], at: string, problems: { pointer: string; message: string }[]): JsonType[] {
  const list = Array.isArray(type) ? type : [type];
  const known: JsonType[] = [];
  list.forEach((t, i) => {
    if ((VALUE_TYPES as readonly string[]).includes(t) || t === 'null') known.push(t as JsonType);
    else {
      const where = Array.isArray(type) ? `${at}/type/${i}` : `${at}/type`;
      const why = t === 'relationship' ? 'relationship properties are not supported by Cairn' : `unknown type "${t}"`;
      problems.push({ pointer: where, message: `${why}; use one of ${VALUE_TYPES.join(', ')} (optionally with "null")` });
    }
  });
  if (list.length > 0 && list.every((t) => t === 'null'))
    problems.push({ pointer: `${at}/type`, message: 'a property needs a type other than "null"' });
  return known;
}

function describeAjvError(error: ErrorObject): { pointer: string; message: string } {
  const pointer = error.instancePath;
  if (error.keyword === 'discriminator') {
    const allowed = POLICY_IDS.join(', ');
    return { pointer: `${pointer}/policyId`, message: `unknown or missing policyId; supported: ${allowed}` };
  }
  if (error.keyword === 'additionalProperties') {
    return { pointer, message: `unexpected key "${String(error.params['additionalProperty'])}"` };
  }
  if (error.keyword === 'required') {
    return { pointer, message: `missing "${String(error.params['missingProperty'])}"` };
  }
  return { pointer, message: error.message ?? 'invalid' };
}

/** Reads, parses and checks a managed-object schema file. Throws ManagedSchemaError naming the file and pointer. */
export async function loadManagedSchema(filePath: string | URL = DEFAULT_MANAGED_SCHEMA_FILE): Promise<ManagedSchema> {
  const name = filePath instanceof URL ? filePath.pathname : filePath;
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (e) {
    throw new ManagedSchemaError(name, [{ pointer: '', message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ManagedSchemaError(name, [{ pointer: '', message: `not valid JSON (${(e as Error).message})` }]);
  }
  return ManagedSchema.parse(data, name);
}
