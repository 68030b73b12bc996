/**
 * Roles an administrator identity holds, and what each lets it do. A role is a name in this table;
 * an endpoint states the role it needs (`requireRole` in guard.ts), and a session carries the roles
 * of the administrator it signed in (never of an end user: only the built-in administrators' journey
 * grants them, src/am/authenticate.ts). Adding a role is a line here and a `requireRole` where it is used.
 */
export const ROLES = {
  admin: 'Manages the configuration (journeys, nodes, scripts, e-mail templates), users and administrators.',
  helpdesk:
    "Starts credential resets for end users (HelpdeskReset, midPoint's credential and generate with execute), nothing else; never for the targets the credential-reset policy protects.",
} as const satisfies Record<string, string>;

export type Role = keyof typeof ROLES;

export const isRole = (value: unknown): value is Role => typeof value === 'string' && Object.hasOwn(ROLES, value);

/**
 * Whether a holder of `held` may act where `needed` is required (`admin` may do everything; `helpdesk`
 * grants only `helpdesk`, so every endpoint that requires `admin` refuses it).
 */
export const grants = (held: readonly string[], needed: Role): boolean => held.includes(needed) || held.includes('admin');
