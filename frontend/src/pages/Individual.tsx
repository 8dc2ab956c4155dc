// The router's entry for /individual; the page lives in ./individual.
export { IndividualPage } from './individual/IndividualPage';
