/**
 * An error the API reports to its caller: an HTTP status, a stable machine-readable code
 * that integrations can switch on, a sentence for people, and optional details.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new AppError(404, `${what.toUpperCase().replace(/ /g, '_')}_NOT_FOUND`, `No ${what} with id ${id}`);
