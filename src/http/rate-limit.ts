import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { Authenticator } from '../auth/authenticator';
import { wholeNumberSetting } from '../config/app-config';
import { TooManyRequestsError } from '../errors';

/** Requests allowed per token (or, without a usable token, per client address) in each window. */
export interface RateLimitSettings {
  limit: number;
  windowSeconds: number;
}

/** Generous: an agency system posting one event at a time, or an analyst's script, stays well under. */
export const DEFAULT_RATE_LIMIT: RateLimitSettings = { limit: 3000, windowSeconds: 60 };

/** RATE_LIMIT_REQUESTS (0 turns limiting off) and RATE_LIMIT_WINDOW_SECONDS. */
export function loadRateLimit(env: NodeJS.ProcessEnv = process.env): RateLimitSettings | false {
  const limit = wholeNumberSetting('RATE_LIMIT_REQUESTS', env.RATE_LIMIT_REQUESTS, DEFAULT_RATE_LIMIT.limit);
  const windowSeconds = wholeNumberSetting('RATE_LIMIT_WINDOW_SECONDS', env.RATE_LIMIT_WINDOW_SECONDS, DEFAULT_RATE_LIMIT.windowSeconds);
  if (limit === 0) return false;
  if (windowSeconds === 0) throw new Error('RATE_LIMIT_WINDOW_SECONDS must be at least 1.');
  return { limit, windowSeconds };
}

export const throttlerOptions = (settings: RateLimitSettings): ThrottlerModuleOptions => ({
  throttlers: [{ name: 'default', limit: settings.limit, ttl: settings.windowSeconds * 1000 }],
});

/** Rate limit per token subject on every route (429); a request without a verified token counts against its address, so forged tokens are limited too. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {
    super(options, storage, reflector);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- ThrottlerGuard's own signature
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const result = await this.authenticator.authenticate(req as { headers: Record<string, string | undefined> });
    return result.ok && result.fromToken ? `sub:${result.principal.sub}` : `ip:${String(req.ip ?? req.socket?.remoteAddress ?? 'unknown')}`;
  }

  /** One budget per caller for the whole API, not one per route. */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return createHash('sha256').update(`${throttlerName}:${tracker}`).digest('hex');
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new TooManyRequestsError('Too many requests from this caller; please slow down and try again shortly.', [
      { rule: 'rate-limit', message: `at most ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s; retry after ${detail.timeToBlockExpire} s` },
    ]);
  }
}
