/**
 * The contract between the page and the per-callback renderers in ui/src/callbacks/: a renderer gets
 * its form model and this context (translator, the page's value store, a live-check trigger) and
 * returns its element plus optional hooks for client-side checks and policy messages.
 */
import type { FieldModel } from '../core/form-model.js';
import type { PolicyFailure } from '../core/types.js';
import type { Translator } from '../i18n/index.js';

export interface RenderContext {
  t: Translator;
  /** Input name → value to send; renderers write what the person enters here. */
  values: Map<string, unknown>;
  /** Ask the server to validate callback `index` soon (debounced validateOnly). */
  liveCheck(index: number): void;
}

export interface Rendered {
  element: HTMLElement | null;
  /** Client-side checks before a submit: shows its own messages and returns the element to focus, or null when fine. */
  check?(): HTMLElement | null;
  /** Shows policy failures from the server (a submitted step or a live check). Returns the element to focus. */
  showFailures?(failures: PolicyFailure[]): HTMLElement | null;
}

export type Renderer = (field: FieldModel, ctx: RenderContext) => Rendered;
