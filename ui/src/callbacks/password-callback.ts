/** PasswordCallback: a password input (current-password, or one-time-code for OTP prompts) with a show/hide toggle. */
import type { Renderer } from '../view/context.js';
import { renderPasswordField } from '../view/field.js';
import { unknownCallback } from './unknown-callback.js';

export const passwordCallback: Renderer = (field, ctx) => (field.kind === 'password' ? renderPasswordField(field, ctx) : unknownCallback(field, ctx));
