/**
 * Terms and conditions, in IDM's own format (`selfservice.terms.json`): the versions of the terms,
 * each with its text per locale and its creation date, and the one `active` version people accept.
 * AM's Accept Terms and Conditions node shows the active version and records `{termsVersion,
 * acceptDate}` in `termsAccepted`, which Create Object and Patch Object store on the user; Terms and
 * Conditions Decision compares the user's accepted version with the active one.
 */
import { readFile } from 'node:fs/promises';
import type { LocalizedText } from '../journeys/model.js';

export interface TermsVersion {
  version: string;
  /** Locale → the terms (HTML allowed, as IDM's hosted pages render it). */
  terms: LocalizedText;
  /** ISO 8601, as IDM writes it. */
  createDate: string;
}

export interface TermsPort {
  /** The version people must accept now; undefined when no terms are configured. */
  active(): TermsVersion | undefined;
}

export interface TermsProblem {
  pointer: string;
  message: string;
}

/** The shipped terms (replace them with CAIRN_TERMS_FILE). */
export const SHIPPED_TERMS_FILE = new URL('../../config/selfservice/selfservice.terms.json', import.meta.url).pathname;

/** What users accept is recorded under this attribute, as `{termsVersion, acceptDate}`. */
export const TERMS_ACCEPTED = 'termsAccepted';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_TERMS_LENGTH = 100_000;

/** Checks a parsed `selfservice.terms.json`; every problem is reported with its JSON pointer. */
export function parseTerms(data: unknown): { terms: TermsPort; versions: TermsVersion[]; problems: TermsProblem[] } {
  const problems: TermsProblem[] = [];
  const versions: TermsVersion[] = [];
  const add = (pointer: string, message: string): void => void problems.push({ pointer, message });
  if (!isRecord(data)) add('', 'must be a JSON object with "versions" and "active"');
  const list = isRecord(data) ? data['versions'] : undefined;
  if (list !== undefined && !Array.isArray(list)) add('/versions', 'must be a list of {version, termsTranslations, createDate}');
  const seen = new Set<string>();
  for (const [i, v] of (Array.isArray(list) ? list : []).entries()) {
    const at = `/versions/${i}`;
    const start = problems.length;
    if (!isRecord(v)) {
      add(at, 'must be an object {version, termsTranslations, createDate}');
      continue;
    }
    const { version, termsTranslations, createDate } = v;
    if (typeof version !== 'string' || version.trim() === '') add(`${at}/version`, 'must be a non-empty text');
    if (!isRecord(termsTranslations) || Object.keys(termsTranslations).length === 0) {
      add(`${at}/termsTranslations`, 'must map at least one locale to the terms');
    } else {
      for (const [locale, text] of Object.entries(termsTranslations)) {
        if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TERMS_LENGTH) {
          add(`${at}/termsTranslations/${locale}`, `must be a text of 1 to ${MAX_TERMS_LENGTH} characters`);
        }
      }
    }
    if (createDate !== undefined && (typeof createDate !== 'string' || Number.isNaN(Date.parse(createDate)))) {
      add(`${at}/createDate`, 'must be an ISO 8601 date');
    }
    if (typeof version === 'string' && seen.has(version)) add(`${at}/version`, `version "${version}" appears twice`);
    if (typeof version === 'string') seen.add(version);
    if (typeof version === 'string' && isRecord(termsTranslations) && problems.length === start) {
      versions.push({ version, terms: termsTranslations as LocalizedText, createDate: typeof createDate === 'string' ? createDate : '' });
    }
  }
  const activeName = isRecord(data) ? data['active'] : undefined;
  let active: TermsVersion | undefined;
  if (activeName !== undefined) {
    active = versions.find((v) => v.version === activeName);
    if (!active) add('/active', `names no version of "versions" (${versions.map((v) => JSON.stringify(v.version)).join(', ') || 'none'})`);
  } else if (versions.length > 0) {
    add('/active', 'must name the version people accept');
  }
  const chosen = problems.length === 0 ? active : undefined;
  return { terms: { active: () => chosen }, versions, problems };
}

/** Reads `selfservice.terms.json`; throws with a sentence for a missing or bad file (a file without versions means no terms). */
export async function loadTerms(file: string): Promise<TermsPort> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file} does not exist.` : `${file} cannot be read (${code ?? 'error'}).`, { cause: e });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}.`, { cause: e });
  }
  const { terms, problems } = parseTerms(data);
  if (problems.length > 0) throw new Error(`${file}: ${problems.map((p) => `${p.pointer || '/'} ${p.message}`).join('; ')}.`);
  return terms;
}

/** The user's accepted terms version, if any. */
export function acceptedVersionOf(user: Record<string, unknown>): string | undefined {
  const accepted = user[TERMS_ACCEPTED];
  const version = isRecord(accepted) ? accepted['termsVersion'] : undefined;
  return typeof version === 'string' ? version : undefined;
}
