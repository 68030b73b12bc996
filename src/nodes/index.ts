/**
 * The node registry: every node type Cairn knows, listed explicitly (no folder scanning). A test
 * checks that every descriptor exported by a module of src/nodes/ is listed here.
 */
import { acceptTermsAndConditionsNode } from './accept-terms-and-conditions.js';
import { accountLockoutNode } from './account-lockout.js';
import { anonymousUserNode } from './anonymous-user.js';
import { attributeCollectorNode } from './attribute-collector.js';
import { attributePresentDecisionNode } from './attribute-present-decision.js';
import { attributeValueDecisionNode } from './attribute-value-decision.js';
import { choiceCollectorNode } from './choice-collector.js';
import { createObjectNode } from './create-object.js';
import { createPasswordNode } from './create-password.js';
import { credentialResetContextNode } from './credential-reset-context.js';
import { dataStoreDecisionNode } from './data-store-decision.js';
import { debugNode } from './debug.js';
import { deliverCredentialNode } from './deliver-credential.js';
import { emailSuspendNode } from './email-suspend.js';
import { emailTemplateNode } from './email-template.js';
import { generatePasswordNode } from './generate-password.js';
import { identifyExistingUserNode } from './identify-existing-user.js';
import { identityStoreDecisionNode } from './identity-store-decision.js';
import { idmCaptchaStage } from './idm-captcha-stage.js';
import { idmEmailUsernameStage } from './idm-email-username-stage.js';
import { idmEmailValidationStage } from './idm-email-validation-stage.js';
import { idmKbaDefinitionStage } from './idm-kba-definition-stage.js';
import { idmKbaVerificationStage } from './idm-kba-verification-stage.js';
import { idmParametersStage } from './idm-parameters-stage.js';
import { idmResetStage } from './idm-reset-stage.js';
import { idmRetrieveUsernameStage } from './idm-retrieve-username-stage.js';
import { idmSelfRegistrationStage } from './idm-self-registration-stage.js';
import { idmTermsStage } from './idm-terms-stage.js';
import { idmUserDetailsStage } from './idm-user-details-stage.js';
import { idmUserQueryStage } from './idm-user-query-stage.js';
import { incrementLoginCountNode } from './increment-login-count.js';
import { innerTreeEvaluatorNode } from './inner-tree-evaluator.js';
import { kbaCreateNode } from './kba-create.js';
import { kbaDecisionNode } from './kba-decision.js';
import { kbaVerifyNode } from './kba-verify.js';
import { loginCountDecisionNode } from './login-count-decision.js';
import { messageNode } from './message.js';
import { oneTimePasswordCollectorDecisionNode } from './one-time-password-collector-decision.js';
import { oneTimePasswordGeneratorNode } from './one-time-password-generator.js';
import { oneTimePasswordSmtpSenderNode } from './one-time-password-smtp-sender.js';
import { pageNode } from './page.js';
import { passwordCollectorNode } from './password-collector.js';
import { patchObjectNode } from './patch-object.js';
import { persistentCookieDecisionNode } from './persistent-cookie-decision.js';
import { queryFilterDecisionNode } from './query-filter-decision.js';
import { removeSessionPropertiesNode } from './remove-session-properties.js';
import { requirePasswordChangeNode } from './require-password-change.js';
import { requiredAttributesDecisionNode } from './required-attributes-decision.js';
import { requesterIsHelpdeskNode } from './requester-is-helpdesk.js';
import { resetCredentialNode } from './reset-credential.js';
import { retryLimitDecisionNode } from './retry-limit-decision.js';
import { scriptedDecisionNode } from './scripted-decision.js';
import { selectIdPNode } from './select-idp.js';
import { sessionDataNode } from './session-data.js';
import { setPersistentCookieNode } from './set-persistent-cookie.js';
import { setSessionPropertiesNode } from './set-session-properties.js';
import { setSuccessUrlNode } from './set-success-url.js';
import { socialProviderHandlerNode } from './social-provider-handler.js';
import { termsAndConditionsDecisionNode } from './terms-and-conditions-decision.js';
import { timerStartNode } from './timer-start.js';
import { timerStopNode } from './timer-stop.js';
import { usernameCollectorNode } from './username-collector.js';
import { validatedPasswordNode } from './validated-password.js';
import { validatedUsernameNode } from './validated-username.js';
import { zeroPageLoginNode } from './zero-page-login.js';
import type { NodeDescriptor } from './types.js';

export const NODE_DESCRIPTORS: readonly NodeDescriptor[] = [
  pageNode,
  innerTreeEvaluatorNode,
  acceptTermsAndConditionsNode,
  accountLockoutNode,
  anonymousUserNode,
  attributeCollectorNode,
  attributePresentDecisionNode,
  attributeValueDecisionNode,
  choiceCollectorNode,
  createObjectNode,
  createPasswordNode,
  credentialResetContextNode,
  dataStoreDecisionNode,
  debugNode,
  deliverCredentialNode,
  emailSuspendNode,
  emailTemplateNode,
  generatePasswordNode,
  identifyExistingUserNode,
  identityStoreDecisionNode,
  incrementLoginCountNode,
  kbaCreateNode,
  kbaDecisionNode,
  kbaVerifyNode,
  loginCountDecisionNode,
  messageNode,
  oneTimePasswordCollectorDecisionNode,
  oneTimePasswordGeneratorNode,
  oneTimePasswordSmtpSenderNode,
  passwordCollectorNode,
  patchObjectNode,
  persistentCookieDecisionNode,
  queryFilterDecisionNode,
  removeSessionPropertiesNode,
  requirePasswordChangeNode,
  requiredAttributesDecisionNode,
  requesterIsHelpdeskNode,
  resetCredentialNode,
  retryLimitDecisionNode,
  scriptedDecisionNode,
  selectIdPNode,
  sessionDataNode,
  setPersistentCookieNode,
  setSessionPropertiesNode,
  setSuccessUrlNode,
  socialProviderHandlerNode,
  termsAndConditionsDecisionNode,
  timerStartNode,
  timerStopNode,
  usernameCollectorNode,
  validatedPasswordNode,
  validatedUsernameNode,
  zeroPageLoginNode,
  // PingIDM's self-service stages (src/idm/selfservice/ compiles IDM's process files to journeys of these).
  idmParametersStage,
  idmCaptchaStage,
  idmUserQueryStage,
  idmEmailValidationStage,
  idmKbaVerificationStage,
  idmKbaDefinitionStage,
  idmResetStage,
  idmUserDetailsStage,
  idmTermsStage,
  idmSelfRegistrationStage,
  idmEmailUsernameStage,
  idmRetrieveUsernameStage,
];

export type NodeRegistry = ReadonlyMap<string, NodeDescriptor>;

export function createNodeRegistry(descriptors: readonly NodeDescriptor[] = NODE_DESCRIPTORS): NodeRegistry {
  const map = new Map<string, NodeDescriptor>();
  for (const d of descriptors) {
    if (map.has(d.type)) throw new Error(`Node type ${d.type} is registered twice.`);
    map.set(d.type, d);
  }
  return map;
}
