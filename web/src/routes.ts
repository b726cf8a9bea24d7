// The console's pages: one table from which the menu, the guards and the loading of
// each page's code are derived. A route is shown in the menu, and may be opened, only
// when `allowed` says the signed-in user's permissions (from /auth/me) permit it; the
// server checks every request again, so this only spares users dead ends.
import type { Me } from './api';
import type { Key as MessageKey } from './i18n';
import type { PageModule } from './page';

export interface Route {
  path: string;  // '#/customers/:id'
  title: MessageKey;
  menu: boolean;
  allowed: (me: Me) => boolean;
  load: () => Promise<PageModule>;
}

const can = (me: Me, permission: string) => me.permissions[permission] === true;

export const routes: Route[] = [
  { path: '#/dashboard', title: 'dashboard', menu: true, allowed: (me) => can(me, 'read_analytics'),
    load: () => import('./pages/dashboard') },
  { path: '#/customers', title: 'customers', menu: true, allowed: (me) => can(me, 'read_customers'),
    load: () => import('./pages/customers') },
  { path: '#/customers/:id', title: 'customer360', menu: false, allowed: (me) => can(me, 'read_customers'),
    load: () => import('./pages/customer360') },
  { path: '#/analytics', title: 'analytics', menu: true, allowed: (me) => can(me, 'read_analytics'),
    load: () => import('./pages/analytics') },
  { path: '#/admin', title: 'admin', menu: true, allowed: (me) => can(me, 'manage_users') || can(me, 'read_audit'),
    load: () => import('./pages/admin') },
];

export interface Match {
  route: Route;
  params: Record<string, string>;
}

// The route whose path matches `hash` segment by segment (":name" takes any one).
export function matchRoute(hash: string): Match | null {
  const parts = hash.split('/');
  for (const route of routes) {
    const pattern = route.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((segment, i) => {
      if (segment.startsWith(':')) {
        if (!parts[i]) return false;
        params[segment.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return segment === parts[i];
    });
    if (matches) return { route, params };
  }
  return null;
}

export function menuFor(me: Me): Route[] {
  return routes.filter((route) => route.menu && route.allowed(me));
}

// Where a user lands: the first menu entry they may open.
export function homeFor(me: Me): string | null {
  return menuFor(me)[0]?.path ?? null;
}
