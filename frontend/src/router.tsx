// Hash routing: the Wails webview serves the app from its own origin at "/", and
// `momentum serve` serves the same index.html; "#/organization?..." works in both without
// server-side route fallbacks.
import { createHashHistory, createRootRoute, createRoute, createRouter, redirect } from '@tanstack/react-router';
import { DataSourcesPage } from './pages/DataSources';
import { IndividualPage } from './pages/Individual';
import { OrganizationPage } from './pages/organization/Organization';
import { SettingsPage } from './pages/Settings';
import { TeamsPage } from './teams/TeamsPage';
import { AppLayout } from './shell/AppLayout';
import { parseSearchString, stringifySearchRecord } from './state/dashboard';

const rootRoute = createRootRoute({ component: AppLayout });

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
