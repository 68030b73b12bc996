/**
 * AM's and IDM's stock English texts — the prompts of AM's bundles ("User Name"), IDM's default schema
 * titles ("Email Address"), AIC's stock page headers ("Sign In") — and the pages' own words for them.
 * The server sends these texts as AM does, so apps that recognise them keep working; the pages show
 * them in one wording (sentence case, one term per concept) and in the page's language, whatever
 * language the server found for them. Any other text is the journey's own and is shown as it came.
 */
import type { MessageKey } from './en.js';

export const STOCK_TEXTS: Readonly<Record<string, MessageKey>> = {
  'User Name': 'label.username',
  Username: 'label.username',
  Password: 'label.password',
  'Email Address': 'label.mail',
  'First Name': 'label.givenName',
  'Last Name': 'label.sn',
  'Send me news and updates': 'label.updates',
  'Send me special offers and services': 'label.marketing',
  'Sign In': 'title.Login',
  'Reset Password': 'title.ResetPassword',
  'Update Password': 'title.UpdatePassword',
  'Verify Existing Password': 'title.verifyPassword',
  'One Time Password': 'label.oneTimePassword',
  'Forgotten Username': 'title.ForgottenUsername',
  'Sign Up': 'title.Registration',
};

/** The catalogue key standing for a stock text, if it is one. */
export const stockKey = (text: string): MessageKey | undefined =>
  Object.prototype.hasOwnProperty.call(STOCK_TEXTS, text.trim()) ? STOCK_TEXTS[text.trim()] : undefined;
