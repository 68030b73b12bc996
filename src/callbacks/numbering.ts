/**
 * Input naming (reference §2.1): every input of the callback at 1-based position N in a response is
 * named `IDToken<N><suffix>`. Builders emit `IDToken1…`; the engine renumbers the whole step here,
 * on its way to the client, which is also where secret inputs are blanked.
 */
import { inputDescriptor } from './registry.js';
import type { Callback } from './types.js';

const INPUT_NAME = /^IDToken\d+(.*)$/s;

/** The part of an input name after `IDToken<N>` (`''`, `validateOnly`, `question`, …), or undefined. */
export function inputSuffix(name: string): string | undefined {
  const m = INPUT_NAME.exec(name);
  return m ? m[1] : undefined;
}

/**
 * A copy of `callbacks` as a step sends them: every input renamed to `IDToken<position><suffix>`,
 * and every secret input (a password, a KBA answer; `secret` in registry.ts) blank, whatever a node
 * put in it — a re-sent step never echoes a secret.
 */
export function numberCallbacks(callbacks: readonly Callback[]): Callback[] {
  return callbacks.map((cb, i) => {
    if (cb.input === undefined) return { ...cb, output: cb.output.map((f) => ({ ...f })) };
    return {
      ...cb,
      output: cb.output.map((f) => ({ ...f })),
      input: cb.input.map((f) => {
        const suffix = inputSuffix(f.name) ?? '';
        return { name: `IDToken${i + 1}${suffix}`, value: inputDescriptor(cb.type, suffix)?.secret ? '' : f.value };
      }),
    };
  });
}
