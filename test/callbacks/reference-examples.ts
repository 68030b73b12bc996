/**
 * Callback JSON copied literally from the protocol reference (am-journeys-protocol.md §2.1–§2.2),
 * kept as strings so tests compare builders against the exact text, key order included.
 */
export const REF = {
  name: '{"type":"NameCallback","output":[{"name":"prompt","value":"User Name"}],"input":[{"name":"IDToken1","value":""}]}',
  password: '{"type":"PasswordCallback","output":[{"name":"prompt","value":"Password"}],"input":[{"name":"IDToken2","value":""}]}',
  loginStepCallbacks:
    '[{"type":"NameCallback","output":[{"name":"prompt","value":"User Name"}],"input":[{"name":"IDToken1","value":""}],"_id":0},{"type":"PasswordCallback","output":[{"name":"prompt","value":"Password"}],"input":[{"name":"IDToken2","value":""}],"_id":1}]',
  textInput: '{"type":"TextInputCallback","output":[{"name":"prompt","value":"Security answer"}],"input":[{"name":"IDToken1","value":""}]}',
  textOutput: '{"type":"TextOutputCallback","output":[{"name":"message","value":"This is a Message Node"},{"name":"messageType","value":"1"}]}',
  confirmation:
    '{"type":"ConfirmationCallback","output":[{"name":"prompt","value":""},{"name":"messageType","value":0},{"name":"options","value":["Submit","Start Over","Cancel"]},{"name":"optionType","value":-1},{"name":"defaultOption","value":1}],"input":[{"name":"IDToken1","value":0}]}',
  choice:
    '{"type":"ChoiceCallback","output":[{"name":"prompt","value":"Choose your color"},{"name":"choices","value":["red","green","blue"]},{"name":"defaultChoice","value":0}],"input":[{"name":"IDToken1","value":0}]}',
  hiddenValue:
    '{"type":"HiddenValueCallback","output":[{"name":"value","value":"6186c911-b3be-4dbc-8192-bdf251392072"},{"name":"id","value":"jwt"}],"input":[{"name":"IDToken1","value":"jwt"}]}',
  stringAttribute:
    '{"type":"StringAttributeInputCallback","output":[{"name":"name","value":"mail"},{"name":"prompt","value":"Email Address"},{"name":"required","value":true},{"name":"policies","value":{}},{"name":"failedPolicies","value":[]},{"name":"validateOnly","value":false},{"name":"value","value":""}],"input":[{"name":"IDToken1","value":""},{"name":"IDToken1validateOnly","value":false}],"_id":0}',
  booleanAttribute:
    '{"type":"BooleanAttributeInputCallback","output":[{"name":"name","value":"preferences/marketing"},{"name":"prompt","value":"Send me special offers and services"},{"name":"required","value":true},{"name":"policies","value":{}},{"name":"failedPolicies","value":[]},{"name":"validateOnly","value":false},{"name":"value","value":false}],"input":[{"name":"IDToken1","value":false},{"name":"IDToken1validateOnly","value":false}]}',
  numberAttribute:
    '{"type":"NumberAttributeInputCallback","output":[{"name":"name","value":"age"},{"name":"prompt","value":"Age"},{"name":"required","value":true},{"name":"policies","value":{"policyRequirements":["VALID_TYPE"],"fallbackPolicies":null,"name":"age","policies":[{"policyRequirements":["VALID_TYPE"],"policyId":"valid-type","params":{"types":["number"]}}],"conditionalPolicies":null}},{"name":"failedPolicies","value":[]},{"name":"validateOnly","value":false},{"name":"value","value":null}],"input":[{"name":"IDToken4","value":null},{"name":"IDToken4validateOnly","value":false}]}',
  usernamePolicies:
    '{"policyRequirements":["REQUIRED","VALID_TYPE","VALID_USERNAME","CANNOT_CONTAIN_CHARACTERS","MIN_LENGTH","MAX_LENGTH"],"fallbackPolicies":null,"name":"userName","policies":[{"policyRequirements":["REQUIRED"],"policyId":"required"},{"policyRequirements":["VALID_TYPE"],"policyId":"valid-type","params":{"types":["string"]}},{"policyId":"valid-username","policyRequirements":["VALID_USERNAME"]},{"policyId":"cannot-contain-characters","params":{"forbiddenChars":["/"]},"policyRequirements":["CANNOT_CONTAIN_CHARACTERS"]},{"policyId":"minimum-length","params":{"minLength":1},"policyRequirements":["MIN_LENGTH"]},{"policyId":"maximum-length","params":{"maxLength":255},"policyRequirements":["MAX_LENGTH"]}],"conditionalPolicies":null}',
  /** §2.2 elides the policy object ("{…IDM policy object…}"); filled here with §2.1's username policies. */
  validatedUsernameTemplate:
    '{"type":"ValidatedCreateUsernameCallback","output":[{"name":"policies","value":POLICIES},{"name":"failedPolicies","value":[]},{"name":"validateOnly","value":false},{"name":"prompt","value":"Username"}],"input":[{"name":"IDToken1","value":""},{"name":"IDToken1validateOnly","value":false}],"_id":0}',
  validatedPassword:
    '{"type":"ValidatedCreatePasswordCallback","output":[{"name":"echoOn","value":false},{"name":"policies","value":{"policyRequirements":["VALID_TYPE","MIN_LENGTH","AT_LEAST_X_CAPITAL_LETTERS","AT_LEAST_X_NUMBERS","CANNOT_CONTAIN_OTHERS"],"fallbackPolicies":null,"name":"password","policies":[{"policyRequirements":["VALID_TYPE"],"policyId":"valid-type","params":{"types":["string"]}},{"policyId":"minimum-length","params":{"minLength":8},"policyRequirements":["MIN_LENGTH"]},{"policyId":"at-least-X-capitals","params":{"numCaps":1},"policyRequirements":["AT_LEAST_X_CAPITAL_LETTERS"]},{"policyId":"at-least-X-numbers","params":{"numNums":1},"policyRequirements":["AT_LEAST_X_NUMBERS"]},{"policyId":"cannot-contain-others","params":{"disallowedFields":["userName","givenName","sn"]},"policyRequirements":["CANNOT_CONTAIN_OTHERS"]}],"conditionalPolicies":null}},{"name":"failedPolicies","value":[]},{"name":"validateOnly","value":false},{"name":"prompt","value":"Password"}],"input":[{"name":"IDToken1","value":""},{"name":"IDToken1validateOnly","value":false}]}',
  failedPolicies:
    '{"name":"failedPolicies","value":["{ \\"params\\": { \\"minLength\\": 8 }, \\"policyRequirement\\": \\"MIN_LENGTH\\" }","{ \\"params\\": { \\"numCaps\\": 1 }, \\"policyRequirement\\": \\"AT_LEAST_X_CAPITAL_LETTERS\\" }","{ \\"params\\": { \\"numNums\\": 1 }, \\"policyRequirement\\": \\"AT_LEAST_X_NUMBERS\\" }"]}',
  kbaCreate:
    '{"type":"KbaCreateCallback","output":[{"name":"prompt","value":"Select a security question"},{"name":"predefinedQuestions","value":["What\'s your favorite color?"]},{"name":"allowUserDefinedQuestions","value":true}],"input":[{"name":"IDToken8question","value":""},{"name":"IDToken8answer","value":""}],"_id":7}',
  terms:
    '{"type":"TermsAndConditionsCallback","output":[{"name":"version","value":"0.0"},{"name":"terms","value":"Lorem ipsum …"},{"name":"createDate","value":"2019-10-28T04:20:11.320Z"}],"input":[{"name":"IDToken9","value":false}],"_id":8}',
  suspendedStep:
    '{"authId":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.…","callbacks":[{"type":"SuspendedTextOutputCallback","output":[{"name":"message","value":"An email has been sent to the address you entered. Click the link in that email to proceed."},{"name":"messageType","value":"0"}]}]}',
  redirect:
    '{"type":"RedirectCallback","output":[{"name":"redirectUrl","value":"https://accounts.google.com/o/oauth2/v2/auth?nonce=…"},{"name":"redirectMethod","value":"GET"},{"name":"trackingCookie","value":true}]}',
  pollingWait:
    '{"type":"PollingWaitCallback","output":[{"name":"waitTime","value":"30000"},{"name":"message","value":"Please Wait. Processing ..."}]}',
  metadata: '{"type":"MetadataCallback","output":[{"name":"data","value":{"stage":"UsernamePassword"}}],"_id":2}',
  selectIdP:
    '{"type":"SelectIdPCallback","output":[{"name":"providers","value":[{"provider":"google","uiConfig":{"buttonImage":"images/g-logo.png","buttonCustomStyle":"background-color: #fff; color: #757575; border-color: #ddd;","buttonClass":"","buttonDisplayName":"Google","buttonCustomStyleHover":"color: #6d6d6d; background-color: #eee; border-color: #ccc;","iconClass":"fa-google","iconFontColor":"white","iconBackground":"#4184f3"}},{"provider":"localAuthentication"}]},{"name":"value","value":""}],"input":[{"name":"IDToken1","value":""}]}',
  reCaptchaOld:
    '{"type":"ReCaptchaCallback","output":[{"name":"recaptchaSiteKey","value":"6Lf3tbYUAAAAAEm78fAOFRKb-n1M67FDtmpczIBK"}],"input":[{"name":"IDToken1","value":""}]}',
} as const;
