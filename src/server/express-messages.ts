/**
 * Requests and responses born with express's prototypes. Express gives every request and response its
 * methods (`req.ip`, `res.json`, …) by changing their prototype when it first sees them
 * (`Object.setPrototypeOf(req, app.request)`, likewise the response; the lean authenticate route does
 * the same), after node's HTTP code has already made and used them as plain `IncomingMessage` and
 * `ServerResponse` objects. Made instead by a subclass whose prototype is express's, they have one
 * shape for their whole life, and express's change of prototype finds the one it would set: measured
 * side by side on this machine (two servers, alternating load), a journey step costs about a sixth
 * less CPU. (Objects made with `Reflect.construct` and express's prototype as `new.target`'s cost
 * more than either, so it has to be a subclass.)
 *
 * `expressMessages(app)` makes the two subclasses, each with its prototype's own prototype express's
 * `app.request` (`app.response`), and makes their prototypes the app's `request` and `response`:
 * every method express put there is inherited, `instanceof` and everything node does with them are
 * unchanged. Give node's HTTP server the subclasses (`createServer({ IncomingMessage, ServerResponse },
 * listener)`). A request that reaches a mounted sub-application still gets that application's
 * prototype while it is inside it, as express does for any request.
 */
import { IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';
import type { Express } from 'express';

/** A subclass of `base` whose prototype's own prototype is `prototype` (which must derive from `base.prototype`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's base must take any[] (TS2545)
function subclassOver<C extends abstract new (...args: any[]) => object>(base: C, prototype: object): C {
  if (!(prototype instanceof base)) throw new TypeError(`expressMessages: the prototype does not derive from ${base.name}`);
  abstract class Message extends base {}
  Object.setPrototypeOf(Message.prototype, prototype);
  return Message;
}

/** The HTTP server options whose requests and responses have `app`'s prototypes from the start (and `app`'s prototypes theirs). */
export function expressMessages(app: Express): Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'> {
  const Request = subclassOver<typeof IncomingMessage>(IncomingMessage, app.request);
  const Response = subclassOver<typeof ServerResponse>(ServerResponse, app.response);
  app.request = Request.prototype as Express['request'];
  app.response = Response.prototype as Express['response'];
  return { IncomingMessage: Request, ServerResponse: Response };
}
