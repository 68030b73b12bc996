/** NameCallback: the username, a text input with autocomplete="username". */
import type { Renderer } from '../view/context.js';
import { renderTextField } from '../view/field.js';
import { unknownCallback } from './unknown-callback.js';

export const nameCallback: Renderer = (field, ctx) => (field.kind === 'text' ? renderTextField(field, ctx) : unknownCallback(field, ctx));
