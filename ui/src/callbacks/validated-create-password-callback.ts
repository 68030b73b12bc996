/**
 * ValidatedCreatePasswordCallback: a new password (autocomplete="new-password"), entered twice unless
 * the page's stage says otherwise, checked live by the server with every failed policy shown.
 */
import type { Renderer } from '../view/context.js';
import { renderPasswordField } from '../view/field.js';
import { unknownCallback } from './unknown-callback.js';

export const validatedCreatePasswordCallback: Renderer = (field, ctx) =>
  field.kind === 'password' ? renderPasswordField(field, ctx) : unknownCallback(field, ctx);
