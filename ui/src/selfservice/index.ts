/**
 * Entry of the self-service pages: when the address is one of PingIDM's End User UI routes (route.ts),
 * the hosted pages show the IDM process instead of a journey. Called from ../main.ts.
 */
import { pickLocale } from '../i18n/index.js';
import { createSelfServiceApi } from './api.js';
import { startSelfServicePage } from './page.js';
import { parseSelfServiceRoute } from './route.js';

/** Shows the self-service page when `location.hash` asks for one; false otherwise (the journeys run). */
export function startSelfService(main: HTMLElement, languages: readonly string[]): boolean {
  const route = parseSelfServiceRoute(window.location.hash);
  if (!route) return false;
  const locale = pickLocale([new URLSearchParams(window.location.search).get('locale') ?? undefined, ...languages]);
  document.documentElement.lang = locale;
  // The header's language selector: the page starts again in the chosen language (the hash is kept).
  const select = document.getElementById('lang');
  if (select instanceof HTMLSelectElement) {
    select.value = locale;
    select.addEventListener('change', () => {
      const search = new URLSearchParams(window.location.search);
      search.set('locale', select.value);
      window.location.search = `?${search.toString()}`;
    });
  }
  void startSelfServicePage({
    main,
    route,
    locale,
    api: createSelfServiceApi((url, init) => window.fetch(url, init)),
    replaceHash: (hash) => window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash}`),
  });
  return true;
}
