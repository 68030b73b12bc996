/** NumberAttributeInputCallback: a number input; sent as a number, or null when left empty. */
import type { Renderer } from '../view/context.js';
import { renderTextField } from '../view/field.js';
import { unknownCallback } from './unknown-callback.js';

export const numberAttributeInputCallback: Renderer = (field, ctx) =>
  field.kind === 'text' ? renderTextField(field, ctx) : unknownCallback(field, ctx);
