/**
 * OAuth's error shape (RFC 6749 §5.2) for the endpoints Cairn serves itself ahead of the provider:
 * `{error, error_description}`, no-store, never an internal detail.
 */
import type { Response } from 'express';

export function sendOAuthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).setHeader('Cache-Control', 'no-store').json({ error, error_description: description });
}
