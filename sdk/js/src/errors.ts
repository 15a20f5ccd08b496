// The typed exceptions of the SDK: a problem+json answer (RFC 9457) as a ProblemError of the
// class of its status, and a job that ended without success as a JobError.
import type { components } from './schema.js';

type Problem = components['schemas']['Problem'];
type Job = components['schemas']['Job'];

/** An answer of status 4xx or 5xx: the server's RFC 9457 problem details, as an exception. */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly problem: Partial<Problem>;
  constructor(status: number, problem: Partial<Problem>, fallback: string) {
    super(`${status} ${problem.title || fallback}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = new.target.name;
    this.status = status;
    this.type = problem.type || 'about:blank';
    this.title = problem.title || fallback;
    this.detail = problem.detail || '';
    this.requestId = problem.request_id;
    this.problem = problem;
  }
}
/** 400 or 428: a bad request (a parameter out of range, a malformed body, no If-Match). */
export class BadRequestError extends ProblemError {}
/** 401: no token or session, or one the server does not know. */
export class UnauthorizedError extends ProblemError {}
/** 403: the token's scopes or its user's rights do not allow it. */
export class ForbiddenError extends ProblemError {}
/** 404: no such object, or one this user may not see. */
export class NotFoundError extends ProblemError {}
/** 409 or 412: changed meanwhile; `If-Match` named an older version. */
export class ConflictError extends ProblemError {}
/** 413, 415, 411: an upload the server refuses (too large, not audio, no length). */
export class UploadRefusedError extends ProblemError {}
/** 429: too many requests; `retryAfter` in seconds when the server said. */
export class RateLimitedError extends ProblemError {
  retryAfter: number | null = null;
}

const CLASSES: Record<number, typeof ProblemError> = {
  400: BadRequestError, 401: UnauthorizedError, 403: ForbiddenError, 404: NotFoundError,
  409: ConflictError, 412: ConflictError, 411: UploadRefusedError, 413: UploadRefusedError,
  415: UploadRefusedError, 428: BadRequestError, 429: RateLimitedError,
};

/** The typed exception of a response that failed (its body read as problem+json if it is). */
export function problemError(response: Response, body: unknown): ProblemError {
  const problem = body && typeof body === 'object' ? (body as Partial<Problem>) : {};
  const Class = CLASSES[response.status] || ProblemError;
  const e = new Class(response.status, problem, response.statusText || 'error');
  if (e instanceof RateLimitedError) {
    const s = Number(response.headers.get('Retry-After'));
    e.retryAfter = response.headers.has('Retry-After') && Number.isFinite(s) ? s : null;
  }
  return e;
}

/** The typed exception of a failed response, its body read. */
export async function responseError(response: Response): Promise<ProblemError> {
  return problemError(response, await response.json().catch(() => null));
}

/** A job that ended other than done: `job` is its last state (items, error). */
export class JobError extends Error {
  readonly job: Job;
  constructor(job: Job) {
    super(`job ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}`);
    this.name = new.target.name;
    this.job = job;
  }
}
/** The job failed (`job.error` and its items' errors say why). */
export class JobFailedError extends JobError {}
/** The job was canceled. */
export class JobCanceledError extends JobError {}
