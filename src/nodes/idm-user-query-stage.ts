/**
 * IDM self-service `userQuery` stage: finds the account from a CREST query filter the client sends
 * (`userName eq "bjensen"`, `mail eq "…" or sn eq "…"`). Only `eq` on the configured `validQueryFields`,
 * combined with `and`, `or` and `!`, is accepted — parsed by Cairn's query-filter parser and run by the
 * identity service, never passed on as text. Exactly one match identifies the account (`_id`, username,
 * mail and, with identityAccountStatusField, whether it is inactive).
 *
 * Enumeration: IDM answers 400 "Unable to find account" when none or several match, which tells anyone
 * whether an address has an account. By default this stage answers both cases alike: no match moves on
 * as a match does, with nobody identified, and the following stages behave as for a real account without
 * sending anything. `legacyEnumerationErrors: true` restores IDM's 400 for clients that depend on it.
 */
import { textInputCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { parseQueryFilter, QueryFilterError, type FilterNode } from '../crest/query-filter.js';
import { IDENTITY_SERVICE_URL_PROPERTY, resourceOf, selfServiceOf, stageError, accountInactive, STAGE_TEXTS } from './helpers/self-service.js';
import { setObjectAttribute } from './helpers/object-attributes.js';
import { defineNode } from './types.js';

export interface UserQueryStageConfig {
  validQueryFields: string[];
  identityIdField: string;
  identityEmailField: string;
  identityUsernameField: string;
  identityServiceUrl: string;
  identityAccountStatusField?: string;
  legacyEnumerationErrors: boolean;
}

export const INVALID_QUERY_FILTER = 'Invalid query filter';
export const ACCOUNT_NOT_FOUND = 'Unable to find account';
const MAX_FILTER = 1024;

/** True when the filter uses only `eq` on whitelisted single fields, `and`, `or` and `!`. */
function allowed(node: FilterNode, fields: readonly string[]): boolean {
  switch (node.op) {
    case 'and':
    case 'or':
      return node.filters.every((f) => allowed(f, fields));
    case 'not':
      return allowed(node.filter, fields);
    case 'eq':
      return node.field.length === 1 && fields.includes(node.field[0] as string) && typeof node.value === 'string';
    default:
      return false;
  }
}

const attribute = { type: 'string', minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' } as const;

export const idmUserQueryStage = defineNode<UserQueryStageConfig>({
  type: 'IdmUserQueryNode',
  displayName: 'IDM User Query Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['validQueryFields'],
    properties: {
      validQueryFields: {
        title: 'Valid query fields',
        description: 'The attributes a client may search on (with eq only).',
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: attribute,
      },
      identityIdField: { title: 'Id field', description: 'The attribute holding the account id.', ...attribute, default: '_id' },
      identityEmailField: { title: 'E-mail field', description: 'The attribute holding the address mail is sent to.', ...attribute, default: 'mail' },
      identityUsernameField: { title: 'Username field', description: 'The attribute holding the username.', ...attribute, default: 'userName' },
      identityServiceUrl: IDENTITY_SERVICE_URL_PROPERTY,
      identityAccountStatusField: {
        title: 'Account status field',
        description: 'IDM 7: the attribute whose value "inactive" means the account gets no e-mail.',
        ...attribute,
      },
      legacyEnumerationErrors: {
        title: 'Unknown accounts answer 400 (Cairn)',
        description: 'IDM\'s 400 "Unable to find account" when no single account matches. Off: the answer does not tell.',
        type: 'boolean',
        default: false,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const returned = ctx.callbacks?.find((cb) => cb.type === 'TextInputCallback');
    if (!returned) {
      return {
        kind: 'callbacks',
        callbacks: [textInputCallback(ctx.localize(STAGE_TEXTS.text('prompt.queryFilter')))],
        description: ctx.localize(STAGE_TEXTS.text('description.userQuery')),
        stage: 'initial',
      };
    }
    const text = readString(returned);
    if (text.trim() === '') throw stageError(`${INVALID_QUERY_FILTER}: queryFilter is missing from input`);
    if (text.length > MAX_FILTER) throw stageError(`${INVALID_QUERY_FILTER}: longer than ${MAX_FILTER} characters`);
    let filter: FilterNode;
    try {
      filter = parseQueryFilter(text);
    } catch (e) {
      if (e instanceof QueryFilterError) throw stageError(`${INVALID_QUERY_FILTER}: ${e.message}`, { position: e.position, excerpt: e.detail });
      throw e;
    }
    const config = ctx.config;
    if (!allowed(filter, config.validQueryFields)) throw stageError(INVALID_QUERY_FILTER);

    const found = await ctx.services.identity.findOne(resourceOf(config.identityServiceUrl), filter);
    const state = selfServiceOf(ctx.shared);
    if (!found) {
      if (config.legacyEnumerationErrors) throw stageError(ACCOUNT_NOT_FOUND);
      state.lookup = 'none';
      return { kind: 'outcome', outcome: 'outcome' };
    }
    state.lookup = 'found';
    const username = found[config.identityUsernameField];
    const mail = found[config.identityEmailField];
    // `_id` names the account for every later stage (IDM's identityIdField is only where IDM reads its userId).
    ctx.shared['_id'] = found._id;
    if (typeof username === 'string' && username !== '') ctx.shared['username'] = username;
    if (typeof mail === 'string' && mail !== '') setObjectAttribute(ctx.shared, 'mail', mail);
    if (accountInactive(found, config.identityAccountStatusField)) state.inactive = true;
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
