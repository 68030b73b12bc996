/** MetadataCallback: data for custom UIs (e.g. a stage name); ignored by these pages. */
import type { Renderer } from '../view/context.js';

export const metadataCallback: Renderer = () => ({ element: null });
