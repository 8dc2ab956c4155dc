// The Data sources page lives in ./sources; the router imports it from here.
export { DataSourcesPage } from './sources/DataSourcesPage';
