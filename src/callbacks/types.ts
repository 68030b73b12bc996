/**
 * The AM callback wire shape (reference §2.1). Every callback the engine emits and every callback a
 * client returns has this envelope; only `input[].value` may differ between what was sent and what
 * comes back.
 */
export interface CallbackField {
  name: string;
  value: unknown;
}

export interface Callback {
  type: string;
  output: CallbackField[];
  /** Absent for display-only callbacks (TextOutput, SuspendedTextOutput, Redirect, PollingWait, Metadata). */
  input?: CallbackField[];
  /** Present only on callbacks that belong to a Page Node step. */
  _id?: number;
}

/** The closed vocabulary of callback types Cairn emits. */
export const CALLBACK_TYPES = [
  'NameCallback',
  'PasswordCallback',
  'TextInputCallback',
  'TextOutputCallback',
  'ConfirmationCallback',
  'ChoiceCallback',
  'HiddenValueCallback',
  'StringAttributeInputCallback',
  'BooleanAttributeInputCallback',
  'NumberAttributeInputCallback',
  'ValidatedCreateUsernameCallback',
  'ValidatedCreatePasswordCallback',
  'KbaCreateCallback',
  'TermsAndConditionsCallback',
  'SuspendedTextOutputCallback',
  'MetadataCallback',
  'PollingWaitCallback',
  'RedirectCallback',
  'ReCaptchaCallback',
  'SelectIdPCallback',
] as const;

export type CallbackType = (typeof CALLBACK_TYPES)[number];
