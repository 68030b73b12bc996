/**
 * midPoint's message keys for credential reset (ModelInteractionServiceImpl.executeCredentialsReset)
 * with their fallback texts, and the JSON shapes midPoint's REST answers with (prism JSON with `@ns`
 * and `@type`). Reference: shared/reference/midpoint-credential-reset.md §3.
 */
export const NS_TYPES = 'http://prism.evolveum.com/xml/ns/public/types-3';
export const NS_API = 'http://midpoint.evolveum.com/xml/ns/public/common/api-types-3';

export const MESSAGES = {
  'execute.reset.credential.successful': 'Reset password was successful',
  'execute.reset.credential.bad.request': 'Failed to execute reset password. Bad request.',
  'execute.reset.credential.bad.configuration': 'Failed to execute reset password. Bad configuration.',
  'execute.reset.credential.bad.method': 'Failed to execute reset password. Bad method.',
  'execute.reset.credential.no.credential.source': 'Failed to execute reset password. No credential source.',
  'execute.reset.credential.validation.failed': "New password doesn't satisfy policy constraints.",
  'execute.reset.credential.not.allowed': 'You are not allowed to reset the credential of this user.',
} as const;

export type MessageKey = keyof typeof MESSAGES;

export const message = (key: MessageKey): Record<string, unknown> => ({
  '@type': 'c:SingleLocalizableMessageType',
  key,
  fallbackMessage: MESSAGES[key],
});

/** The 200 answer of POST /users/{oid}/credential. */
export const resetResponse = (key: MessageKey): Record<string, unknown> => ({
  '@ns': NS_TYPES,
  object: { '@type': `${NS_API}#ExecuteCredentialResetResponseType`, message: message(key) },
});

/**
 * An error answer, shaped like midPoint's OperationResultType (its exact REST error body is not
 * verified, reference §7.1): status, the operation, the message and the localizable message.
 */
export const operationError = (operation: string, text: string, key?: MessageKey): Record<string, unknown> => ({
  '@ns': NS_TYPES,
  object: {
    '@type': 'c:OperationResultType',
    operation,
    status: 'fatal_error',
    message: key === undefined ? text : MESSAGES[key],
    ...(key === undefined ? {} : { userFriendlyMessage: message(key) }),
  },
});
