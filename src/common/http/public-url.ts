import { AppConfig } from '../config/config';

/**
 * The address the outside world uses for a route of this service: PUBLIC_BASE_URL, its path
 * included (a gateway may mount the service under a prefix that it strips before the app
 * sees the request), then the route's path and query as the app sees them. Twilio signs
 * the exact URL it was given, so a URL handed to Twilio and the one its signature is
 * checked against must both be built here.
 */
export function publicUrl(config: Pick<AppConfig, 'PUBLIC_BASE_URL'>, pathAndQuery: string): string {
  return `${new URL(config.PUBLIC_BASE_URL).href.replace(/\/+$/, '')}/${pathAndQuery.replace(/^\/+/, '')}`;
}
