// The Individual view: one person's six metrics. Opens on the person marked "me"; the picker
// switches to anyone (the choice is held in the URL's `person`, like every filter).
import { Alert, Badge, Button, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { INDIVIDUAL_METRIC_IDS, type IndividualMetricId } from '../../api/individual';
import { useMe, usePeopleList } from '../../api/people';
import { useMetricList } from '../../api/queries';
import { DrillProvider } from '../../charts/Drill';
import type { MetricInfo } from '../../api/types';
import { useDashboard } from '../../state/useDashboard';
import { CodeSection, CommitsSection, PatternsSection, PullRequestsSection, ReviewsSection, SectionTitle } from './panels';
import { PeopleManager } from './PeopleManager';
import { SetupDialog, firstRunDismissed } from './SetupDialog';

export function IndividualPage() {
  const [state, update] = useDashboard();
  const people = usePeopleList();
  const me = useMe();
  const metrics = useMetricList();
  const [managing, setManaging] = useState(false);
  const [setup, setSetup] = useState(false);

  const info: Partial<Record<IndividualMetricId, MetricInfo>> = {};
  for (const m of metrics.data?.metrics ?? []) {
    if ((INDIVIDUAL_METRIC_IDS as string[]).includes(m.id)) info[m.id as IndividualMetricId] = m;
  }

  // The URL's person wins; else "me".
  const mine = me.data?.person ? String(me.data.person.id) : null;
  const person = state.people[0] ?? mine;

  // First run on the desktop: nobody is "me" yet, so ask (once; it can be reopened).
  const firstRun = !!me.data && me.data.desktop && !me.data.person && !firstRunDismissed();
  useEffect(() => {
    if (firstRun) setSetup(true);
  }, [firstRun]);

  const options = (people.data ?? [])
    .filter((p) => !p.is_bot)
    .map((p) => ({ value: String(p.id), label: `${p.name || p.email}${p.is_me ? ' (me)' : ''}${p.email && p.name ? ` <${p.email}>` : ''}` }));
  if (person && !options.some((o) => o.value === person)) options.push({ value: person, label: person });

  return (
    <Stack gap="md">
      <Paper withBorder radius="md" p="md">
        <Group align="flex-end" justify="space-between" gap="md">
          <Select
            label="Person"
            description="All of this person's accounts are counted together. Bots are not listed."
            placeholder={people.isPending ? 'Loading people…' : options.length ? 'Choose a person' : 'No people yet'}
            data={options}
            value={person}
            onChange={(v) => update({ people: v ? [v] : [] })}
            searchable
            maw={460}
            w="100%"
            data-testid="person-picker"
            nothingFoundMessage="No match"
            allowDeselect={false}
          />
          <Group gap="xs">
            {person && person === mine && (
              <Badge variant="light" data-testid="is-me">
                This is you
              </Badge>
            )}
            {person && mine && person !== mine && (
              <Button variant="subtle" size="compact-sm" onClick={() => update({ people: [mine] })} data-testid="back-to-me">
                Back to me
              </Button>
            )}
            <Button variant="default" size="sm" onClick={() => setManaging(true)} data-testid="manage-people">
              Manage people
            </Button>
            {me.data?.git_source && (
              <Button variant="light" size="sm" onClick={() => setSetup(true)} data-testid="open-setup">
                {me.data.person ? 'Add repositories' : 'Set up: who are you?'}
              </Button>
            )}
          </Group>
        </Group>
        {people.error && (
          <Text size="sm" c="red" mt="xs">
            Could not load people: {people.error.message}
          </Text>
        )}
      </Paper>
      {metrics.error && (
        <Alert color="red" variant="light" title="Could not load the list of metrics">
          {metrics.error.message}
        </Alert>
      )}
      {!person && me.data && (
        <Alert variant="light" title="Whose metrics?" data-testid="choose-person">
          <Text size="sm" mb="xs">
            Choose a person above, or say which person you are: the Individual view then opens on you.
          </Text>
          <Group gap="xs">
            <Button size="compact-sm" onClick={() => setSetup(true)}>
              Who am I?
            </Button>
            <Button size="compact-sm" variant="default" onClick={() => setManaging(true)}>
              Manage people
            </Button>
          </Group>
        </Alert>
      )}
      {person && (
        // A click on a chart lists this person's items behind it.
        <DrillProvider state={state}>
          <CommitsSection state={state} person={person} info={info} onSetUp={me.data?.git_source ? () => setSetup(true) : undefined} />
          <SectionTitle>Code</SectionTitle>
          <CodeSection state={state} person={person} info={info} />
          <SectionTitle>Pull requests and reviews</SectionTitle>
          <PullRequestsSection state={state} person={person} info={info} />
          <ReviewsSection state={state} person={person} info={info} />
          <SectionTitle>Work patterns</SectionTitle>
          <PatternsSection state={state} person={person} info={info} />
        </DrillProvider>
      )}
      <PeopleManager opened={managing} onClose={() => setManaging(false)} />
      <SetupDialog
        opened={setup}
        onClose={() => setSetup(false)}
        onDone={(personId) => {
          setSetup(false);
          if (personId) update({ people: [String(personId)] });
        }}
      />
    </Stack>
  );
}
