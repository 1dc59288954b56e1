import { mayManageSite, Principal } from '../../common/auth/principal';
import { AppError } from '../../common/errors/app-error';
import type { WebRequest } from '../web-session';
import { SiteSummary, SitesQueries } from './sites.queries';

/** The signed-in site manager or admin; anybody else is refused the site manager's pages. */
export function managerOf(request: WebRequest): Principal {
  const role = request.web.staff!.role;
  if (role !== 'site_manager' && role !== 'admin') throw new AppError(403, 'FORBIDDEN', 'These pages are for site managers: your account does not manage a site.');
  return request.web.principal!;
}

/** A site's page, for its managers and admins only: another site answers 403 as the API does. */
export async function managedSite(queries: SitesQueries, request: WebRequest, id: string): Promise<{ principal: Principal; site: SiteSummary }> {
  const principal = managerOf(request);
  if (!mayManageSite(principal, id)) throw new AppError(403, 'SITE_NOT_MANAGED', 'You do not manage this site, so you cannot see its pages.');
  return { principal, site: await queries.site(id) };
}
