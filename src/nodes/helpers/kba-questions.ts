/**
 * The security questions as the KBA nodes show and read them, AM's (KBA Definition, KBA Verification)
 * and PingIDM's stages alike: the predefined questions of selfservice.kba.json in the request's
 * language, the question a returned text names, and the text of a question asked.
 */
import type { KbaQuestionRef } from '../../identity/kba.js';
import type { NodeContext } from '../types.js';

/** Predefined question id → its text in the request's language, in the configuration's order. */
export function predefinedQuestions(ctx: NodeContext<unknown>): Map<string, string> {
  return new Map(Object.entries(ctx.services.kba.config.questions).map(([id, texts]) => [id, ctx.localize(texts, id)]));
}

/** The id of the predefined question with this text in any of its languages, if one has it (as IDM matches). */
export function questionIdOf(ctx: NodeContext<unknown>, text: string): string | undefined {
  const wanted = text.trim();
  for (const [id, texts] of Object.entries(ctx.services.kba.config.questions)) {
    if (Object.values(texts).some((t) => t.trim() === wanted)) return id;
  }
  return undefined;
}

/** The text of a question to ask: a person's own as they wrote it, a predefined one in the request's language. */
export function questionText(ctx: NodeContext<unknown>, ref: KbaQuestionRef): string {
  return 'customQuestion' in ref ? ref.customQuestion : ctx.localize(ctx.services.kba.config.questions[ref.questionId], ref.questionId);
}
