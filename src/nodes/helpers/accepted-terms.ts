/**
 * The terms a person accepted during the journey (shared `termsAccepted`, written by Accept Terms and
 * Conditions), as the attributes Create Object and Patch Object write: `{termsAccepted: {termsVersion,
 * acceptDate}}`, or nothing.
 */
import { TERMS_ACCEPTED } from '../../identity/terms.js';

export function acceptedTermsOf(shared: Record<string, unknown>): Record<string, unknown> {
  const accepted = shared[TERMS_ACCEPTED];
  if (typeof accepted !== 'object' || accepted === null) return {};
  const { termsVersion, acceptDate } = accepted as Record<string, unknown>;
  if (typeof termsVersion !== 'string' || typeof acceptDate !== 'string') return {};
  return { [TERMS_ACCEPTED]: { termsVersion, acceptDate } };
}
