/**
 * ValidatedCreateUsernameCallback: a new username, checked live by the server (validateOnly) as the
 * person types; every failed policy is shown as a sentence under the field.
 */
import type { Renderer } from '../view/context.js';
import { renderTextField } from '../view/field.js';
import { unknownCallback } from './unknown-callback.js';

export const validatedCreateUsernameCallback: Renderer = (field, ctx) =>
  field.kind === 'text' ? renderTextField(field, ctx) : unknownCallback(field, ctx);
