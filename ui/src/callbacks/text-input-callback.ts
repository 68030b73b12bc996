/** TextInputCallback: a free text input labelled by its prompt. */
import type { Renderer } from '../view/context.js';
import { renderTextField } from '../view/field.js';
import { unknownCallback } from './unknown-callback.js';

export const textInputCallback: Renderer = (field, ctx) => (field.kind === 'text' ? renderTextField(field, ctx) : unknownCallback(field, ctx));
