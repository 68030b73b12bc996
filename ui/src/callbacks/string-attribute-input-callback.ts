/**
 * StringAttributeInputCallback (Attribute Collector): a text input labelled by the prompt, typed and
 * autocompleted from the IDM attribute name (mail → email), with `required` and failed policies.
 */
import type { Renderer } from '../view/context.js';
import { renderTextField } from '../view/field.js';
import { unknownCallback } from './unknown-callback.js';

export const stringAttributeInputCallback: Renderer = (field, ctx) =>
  field.kind === 'text' ? renderTextField(field, ctx) : unknownCallback(field, ctx);
