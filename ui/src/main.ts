/**
 * Entry point of the hosted pages (/login/): loads the operator's theme (/login/theme.json) and
 * applies it as CSS variables, sets up the header (logo, product name, language selector), then hands
 * the page to the journey controller. The API base comes from <meta name="cairn-am-base">, written
 * by the server, so one build serves any deployment.
 */
import { cssVariables, readTheme, type Theme } from './core/theme.js';
import { createController } from './controller.js';
import { LOCALE_NAMES, SUPPORTED_LOCALES, type Translator } from './i18n/index.js';
import { h } from './view/dom.js';
import { startSelfService } from './selfservice/index.js';

async function loadTheme(): Promise<Theme> {
  try {
    const response = await fetch('theme.json', { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) return readTheme(undefined).theme;
    const { theme, problems } = readTheme(await response.json());
    // eslint-disable-next-line no-console -- the operator's only feedback on a broken theme file, in the browser console
    if (problems.length > 0) console.warn(`theme.json: ${problems.join('; ')}`);
    return theme;
  } catch {
    return readTheme(undefined).theme;
  }
}

function applyTheme(theme: Theme, productName: string): void {
  for (const [name, value] of Object.entries(cssVariables(theme))) document.documentElement.style.setProperty(name, value);
  const product = document.getElementById('product');
  if (product) product.textContent = productName;
  const logo = document.getElementById('logo');
  if (logo instanceof HTMLImageElement && theme.logo) {
    logo.src = theme.logo.src;
    logo.alt = theme.logo.alt;
    logo.hidden = false;
    // The product name next to a logo that already says it would be read twice.
    if (theme.logo.alt === productName && product) product.classList.add('visually-hidden');
  }
}

function languageSelector(onChange: (locale: string) => void): { update(t: Translator): void } {
  const select = document.getElementById('lang');
  const label = document.getElementById('lang-label');
  if (!(select instanceof HTMLSelectElement)) return { update: () => undefined };
  select.replaceChildren(...SUPPORTED_LOCALES.map((code) => h('option', { value: code, lang: code }, LOCALE_NAMES[code] ?? code)));
  select.addEventListener('change', () => onChange(select.value));
  return {
    update(t) {
      select.value = t.locale;
      if (label) label.textContent = t.t('app.language');
    },
  };
}

async function boot(): Promise<void> {
  const main = document.getElementById('main');
  if (!main) return;
  const meta = document.querySelector('meta[name="cairn-am-base"]');
  const configured = meta?.getAttribute('content') ?? '';
  const amBasePath = configured.startsWith('/') ? configured : '/am';
  const theme = await loadTheme();
  let productName = theme.productName ?? 'Cairn';
  applyTheme(theme, productName);

  // PingIDM's End User UI routes (#/passwordreset/&token=…) open the self-service pages instead of a journey.
  if (startSelfService(main, navigator.languages ?? [navigator.language])) return;

  let selector: { update(t: Translator): void } = { update: () => undefined };
  const controller = createController({
    main,
    amBasePath,
    fetch: (url, init) => window.fetch(url, init),
    location: window.location,
    history: window.history,
    storage: window.sessionStorage,
    languages: navigator.languages ?? [navigator.language],
    textOverrides: theme.texts,
    productName,
    ...(theme.homeUrl ? { homeUrl: theme.homeUrl } : {}),
    onLocale(t) {
      document.documentElement.lang = t.locale;
      if (!theme.productName) productName = t.t('app.productName');
      selector.update(t);
    },
  });
  selector = languageSelector((locale) => controller.setLocale(locale));
  selector.update(controller.translator);
  window.addEventListener('hashchange', () => controller.onHashChange());
  await controller.boot();
}

void boot();
