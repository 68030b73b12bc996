/** HiddenValueCallback: nothing shown; its input goes back as the server set it. */
import type { Renderer } from '../view/context.js';

export const hiddenValueCallback: Renderer = () => ({ element: null });
