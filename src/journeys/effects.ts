/**
 * Performs the effects a journey step returned (src/nodes/types.ts), for the protocol adapters, once
 * the step's state is persisted: audit events at once; e-mails queued once the answer has left (the
 * answer and its timing must depend neither on the mail server nor on whether a message goes out),
 * with the resume link written into the template object when the step stored a suspension.
 */
import type { AuditPort } from '../audit/audit-log.js';
import type { MailPort } from '../mail/types.js';
import type { Effect } from '../nodes/types.js';

export interface EffectPorts {
  audit: AuditPort;
  mail: MailPort;
  onError?: (error: unknown) => void;
}

/** `resumeUri`: the link of the suspension this step stored, if it stored one. */
export function performEffects(effects: readonly Effect[], ports: EffectPorts, resumeUri?: string): void {
  const mails: Effect[] = [];
  for (const effect of effects) {
    if (effect.type === 'audit') ports.audit.record(effect.event, effect.fields);
    else mails.push(effect);
  }
  if (mails.length === 0) return;
  // After the answer has left: the caller writes it right after this call, and node's HTTP layer
  // flushes it on the next tick. A microtask would run before that flush, so rendering and queueing
  // the message would delay exactly the answers that send one (a timing oracle on who has an account).
  setImmediate(() => {
    for (const effect of mails) {
      if (effect.type !== 'mail') continue;
      try {
        const { resumeLinkField, template, to, locales, object, inline } = effect;
        if (resumeLinkField !== undefined && resumeUri === undefined) {
          throw new Error(`A mail effect (${template}) wants a resume link, but the step stored no suspension.`);
        }
        ports.mail.enqueue({
          template,
          to,
          locales,
          object: resumeLinkField === undefined ? object : { ...object, [resumeLinkField]: resumeUri },
          ...(inline ? { inline } : {}),
        });
      } catch (error) {
        ports.onError?.(error);
      }
    }
  });
}
