// Hash routing: the Wails webview serves the app from its own origin at "/", and
// `momentum serve` serves the same index.html; "#/organization?..." works in both without
// server-side route fallbacks.
import { createHashHistory, createRootRoute, createRoute, createRouter, lazyRouteComponent, redirect } from '@tanstack/react-router';
import { AppLayout } from './shell/AppLayout';
import { parseSearchString, stringifySearchRecord } from './state/dashboard';

const rootRoute = createRootRoute({ component: AppLayout });

// Each page is its own chunk, loaded when its route is first visited: the first page does not
// wait for the others' code (nor do Teams, Data sources and Settings for ECharts).
const OrganizationPage = lazyRouteComponent(() => import('./pages/organization/Organization'), 'OrganizationPage');
const IndividualPage = lazyRouteComponent(() => import('./pages/Individual'), 'IndividualPage');
const TeamsPage = lazyRouteComponent(() => import('./teams/TeamsPage'), 'TeamsPage');
const DataSourcesPage = lazyRouteComponent(() => import('./pages/DataSources'), 'DataSourcesPage');
const SettingsPage = lazyRouteComponent(() => import('./pages/Settings'), 'SettingsPage');

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  beforeLoad: ({ search }) => {
    throw redirect({ to: '/organization', search });
  },
});

const routes = [
  indexRoute,
  createRoute({ getParentRoute: () => rootRoute, path: '/organization', component: OrganizationPage }),
  createRoute({ getParentRoute: () => rootRoute, path: '/individual', component: IndividualPage }),
  createRoute({ getParentRoute: () => rootRoute, path: '/teams', component: TeamsPage }),
  createRoute({ getParentRoute: () => rootRoute, path: '/data-sources', component: DataSourcesPage }),
  createRoute({ getParentRoute: () => rootRoute, path: '/settings', component: SettingsPage }),
];

export function createAppRouter(history = createHashHistory()) {
  return createRouter({
    routeTree: rootRoute.addChildren(routes),
    history,
    parseSearch: parseSearchString,
    stringifySearch: stringifySearchRecord,
    defaultNotFoundComponent: () => null,
  });
}
