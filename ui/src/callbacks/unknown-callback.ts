/**
 * A callback type these pages cannot render (or a malformed one): a clear message naming the type,
 * never a blank page. The page also hides its submit button (see planPage).
 */
import type { FieldModel } from '../core/form-model.js';
import type { RenderContext, Rendered } from '../view/context.js';
import { h } from '../view/dom.js';

export function unknownCallback(field: FieldModel, ctx: RenderContext): Rendered {
  return { element: h('div', { class: 'message message-error', role: 'alert' }, ctx.t.t('unknown.callback', { type: field.type.slice(0, 80) })) };
}
