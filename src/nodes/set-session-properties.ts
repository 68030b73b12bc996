/**
 * Set Session Properties (AM `SetSessionPropertiesNode`): the session this journey creates will hold
 * `properties` (name → value; Get Session Data and /json/sessions getSessionInfo read them), and, when
 * set, last at most `maxSessionTime` minutes and `maxIdleTime` minutes idle instead of the server's
 * CAIRN_SESSION_MAX_MINUTES / CAIRN_SESSION_IDLE_MINUTES. AM's system properties (UserToken,
 * Principal, AuthLevel, …) cannot be set. Outcome `outcome`.
 */
import { SYSTEM_SESSION_PROPERTIES } from '../sessions/session-service.js';
import { defineNode, type ConfigProblem } from './types.js';

export interface SetSessionPropertiesConfig {
  properties: Record<string, string>;
  maxSessionTime?: number;
  maxIdleTime?: number;
}

/** Names a session property may have: no control characters, not a prototype key. */
export const SESSION_PROPERTY_NAME = {
  type: 'string',
  pattern: '^[^\\u0000-\\u001f]{1,128}$',
  not: { enum: ['__proto__', 'constructor', 'prototype'] },
};

export function systemPropertyProblems(names: readonly string[], at: (i: number, name: string) => string): ConfigProblem[] {
  return names.flatMap((name, i) =>
    SYSTEM_SESSION_PROPERTIES.has(name)
      ? [{ pointer: at(i, name), message: `"${name}" is a system session property, which a journey cannot change.` }]
      : [],
  );
}

const minutes = (title: string, description: string) => ({ title, description, type: 'integer', minimum: 1, maximum: 525_600 });

export const setSessionPropertiesNode = defineNode<SetSessionPropertiesConfig>({
  type: 'SetSessionPropertiesNode',
  displayName: 'Set Session Properties',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      properties: {
        title: 'Properties',
        description: 'Session property name → value.',
        type: 'object',
        propertyNames: SESSION_PROPERTY_NAME,
        additionalProperties: { type: 'string', minLength: 1, maxLength: 4096 },
        default: {},
      },
      maxSessionTime: minutes('Maximum session time', 'Minutes the session may last at most (instead of the server setting).'),
      maxIdleTime: minutes('Maximum idle time', 'Minutes the session may stay unused (instead of the server setting).'),
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  checkConfig(config) {
    const problems = systemPropertyProblems(
      Object.keys(config.properties),
      (_i, name) => `/properties/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    );
    if (Object.keys(config.properties).length === 0 && config.maxSessionTime === undefined && config.maxIdleTime === undefined) {
      problems.push({ pointer: '', message: 'Set at least one of properties, maxSessionTime and maxIdleTime.' });
    }
    return problems;
  },

  async process(ctx) {
    Object.assign(ctx.session.properties, ctx.config.properties);
    if (ctx.config.maxSessionTime !== undefined) ctx.session.maxSessionMinutes = ctx.config.maxSessionTime;
    if (ctx.config.maxIdleTime !== undefined) ctx.session.maxIdleMinutes = ctx.config.maxIdleTime;
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
