/**
 * The renderer of each callback type, one module per type, in one explicit table. A type missing
 * from the table (or a model that does not fit its renderer) gets the "cannot show" message.
 */
import type { FieldModel } from '../core/form-model.js';
import type { RenderContext, Rendered, Renderer } from '../view/context.js';
import { booleanAttributeInputCallback } from './boolean-attribute-input-callback.js';
import { choiceCallback } from './choice-callback.js';
import { confirmationCallback } from './confirmation-callback.js';
import { hiddenValueCallback } from './hidden-value-callback.js';
import { kbaCreateCallback } from './kba-create-callback.js';
import { metadataCallback } from './metadata-callback.js';
import { nameCallback } from './name-callback.js';
import { numberAttributeInputCallback } from './number-attribute-input-callback.js';
import { passwordCallback } from './password-callback.js';
import { pollingWaitCallback } from './polling-wait-callback.js';
import { reCaptchaCallback } from './recaptcha-callback.js';
import { redirectCallback } from './redirect-callback.js';
import { selectIdPCallback } from './select-idp-callback.js';
import { stringAttributeInputCallback } from './string-attribute-input-callback.js';
import { suspendedTextOutputCallback } from './suspended-text-output-callback.js';
import { termsAndConditionsCallback } from './terms-and-conditions-callback.js';
import { textInputCallback } from './text-input-callback.js';
import { textOutputCallback } from './text-output-callback.js';
import { unknownCallback } from './unknown-callback.js';
import { validatedCreatePasswordCallback } from './validated-create-password-callback.js';
import { validatedCreateUsernameCallback } from './validated-create-username-callback.js';

export const RENDERERS: Readonly<Record<string, Renderer>> = {
  NameCallback: nameCallback,
  PasswordCallback: passwordCallback,
  TextInputCallback: textInputCallback,
  TextOutputCallback: textOutputCallback,
  ConfirmationCallback: confirmationCallback,
  ChoiceCallback: choiceCallback,
  HiddenValueCallback: hiddenValueCallback,
  StringAttributeInputCallback: stringAttributeInputCallback,
  BooleanAttributeInputCallback: booleanAttributeInputCallback,
  NumberAttributeInputCallback: numberAttributeInputCallback,
  ValidatedCreateUsernameCallback: validatedCreateUsernameCallback,
  ValidatedCreatePasswordCallback: validatedCreatePasswordCallback,
  KbaCreateCallback: kbaCreateCallback,
  TermsAndConditionsCallback: termsAndConditionsCallback,
  SuspendedTextOutputCallback: suspendedTextOutputCallback,
  MetadataCallback: metadataCallback,
  PollingWaitCallback: pollingWaitCallback,
  RedirectCallback: redirectCallback,
  ReCaptchaCallback: reCaptchaCallback,
  SelectIdPCallback: selectIdPCallback,
};

export function renderField(field: FieldModel, ctx: RenderContext): Rendered {
  if (field.kind === 'unknown') return unknownCallback(field, ctx);
  const renderer = Object.prototype.hasOwnProperty.call(RENDERERS, field.type) ? RENDERERS[field.type] : undefined;
  return renderer ? renderer(field, ctx) : unknownCallback(field, ctx);
}
