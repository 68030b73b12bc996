/**
 * Performs the effects a journey step returned (src/nodes/types.ts), for the protocol adapters, once
 * the step's state is persisted: audit events and measurements at once; e-mails queued once the answer
 * has left (the answer and its timing must depend neither on the mail server nor on whether a message
 * goes out), with the resume link written into the template object when the step stored a suspension.
 * Cookies are the adapter's to write into its answer (src/am/cookies.ts).
 */
import type { AuditPort } from '../audit/audit-log.js';
import type { MailPort } from '../mail/types.js';
import type { Effect } from '../nodes/types.js';

export interface EffectPorts {
  audit: AuditPort;
  mail: MailPort;
  /** Timer Stop's measurements (metric key, milliseconds). */
  timer?: (key: string, ms: number) => void;
  onError?: (error: unknown) => void;
}

/** E-mails handed to `setImmediate` and not yet queued (a shutdown waits for them: deferredEffectsSettled). */
const deferred = new Set<Promise<void>>();

/** Resolves once every e-mail effect deferred so far is in the mail queue: call it before closing the mailer. */
export async function deferredEffectsSettled(): Promise<void> {
  while (deferred.size > 0) await Promise.all(deferred);
}

/** `resumeUri`: the link of the suspension this step stored, if it stored one. */
export function performEffects(effects: readonly Effect[], ports: EffectPorts, resumeUri?: string): void {
  const mails: Effect[] = [];
  for (const effect of effects) {
    if (effect.type === 'audit') ports.audit.record(effect.event, effect.fields);
    else if (effect.type === 'metric') ports.timer?.(effect.key, effect.ms);
    else if (effect.type === 'mail') mails.push(effect);
  }
  if (mails.length === 0) return;
  // After the answer has left: the caller writes it right after this call, and node's HTTP layer
  // flushes it on the next tick. A microtask would run before that flush, so rendering and queueing
  // the message would delay exactly the answers that send one (a timing oracle on who has an account).
  const queued = new Promise<void>((resolve) =>
    setImmediate(() => {
      queueMails();
      resolve();
    }),
  );
  deferred.add(queued);
  void queued.then(() => deferred.delete(queued));

  function queueMails(): void {
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
  }
}
