// Extra sections of a source's panel on the Data sources page, by source ID: e.g. the
// GitHub source's "Repositories: include/exclude". A section is a component of its own
// folder; register it here with one line, or pass `sections` to DataSourcesPage.
import type { ComponentType } from 'react';
import type { SourceInfo } from '../../api/sources';
import { SourceRepositories } from './SourceRepositories';

export interface SourceSectionProps {
  source: SourceInfo;
}

export type SourceSections = Record<string, ComponentType<SourceSectionProps>[]>;

export const sourceSections: SourceSections = {
  github: [SourceRepositories],
  gitlab: [SourceRepositories],
  bitbucket: [SourceRepositories],
  git: [SourceRepositories],
};
