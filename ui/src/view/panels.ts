/**
 * Pages without a form: the landing page after a success (nothing secret on it) and the error pages
 * a person can act on (timed out, link expired, unreachable…), each with a heading that receives
 * focus, its text in an alert or status region, and action links or buttons.
 */
import { clear, h } from './dom.js';

export type PanelAction = ({ text: string; href: string } | { text: string; onClick: () => void }) & {
  /** Default: the first action is the primary one. */
  style?: 'primary' | 'secondary';
};

export interface PanelOptions {
  title: string;
  paragraphs: string[];
  /** Shown above the paragraphs, e.g. who is signed in. */
  lead?: string;
  actions: PanelAction[];
  tone: 'error' | 'success' | 'info';
}

/** Renders the panel into `main` and returns the heading (to focus). */
export function renderPanel(main: HTMLElement, options: PanelOptions): HTMLElement {
  const heading = h('h1', { tabindex: -1, id: 'page-title' }, options.title);
  const body = h(
    'div',
    { class: `panel panel-${options.tone}`, role: options.tone === 'error' ? 'alert' : 'status' },
    options.lead ? h('p', { class: 'lead' }, options.lead) : null,
    options.paragraphs.map((p) => h('p', {}, p)),
  );
  const actions = h(
    'div',
    { class: 'actions' },
    options.actions.map((action, i) => {
      const cls = `button ${action.style ?? (i === 0 ? 'primary' : 'secondary')}`;
      if ('href' in action) return h('a', { href: action.href, class: cls }, action.text);
      const button = h('button', { type: 'button', class: cls }, action.text);
      button.addEventListener('click', action.onClick);
      return button;
    }),
  );
  clear(main);
  main.append(heading, body);
  if (options.actions.length > 0) main.append(actions);
  return heading;
}
