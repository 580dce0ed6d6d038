import { Anchor, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ProjectSummary } from '../../../../shared/ipc/projects.contract';
import { useAppStore } from '../../state/app-store';
import { BakeButton } from '../bake/bake-button';
import { useNow } from '../bake/use-now';
import { describeBaseImage } from './format';
import { AmiCell, LastBakeCell } from './last-bake-cell';
import { ProjectMenu } from './project-menu';

export function ProjectsTable({ items }: { items: ProjectSummary[] }) {
  const navigate = useAppStore((s) => s.navigate);
  const now = useNow(true, 30_000);
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table verticalSpacing="sm" highlightOnHover aria-label="Projects">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Project</Table.Th>
            <Table.Th>Base image</Table.Th>
            <Table.Th w={200}>Last bake</Table.Th>
            <Table.Th w={230}>AMI</Table.Th>
            <Table.Th w={170}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.name} data-project={item.name}>
              <Table.Td maw={320}>
                <Anchor
                  component="button"
                  fw={600}
                  size="sm"
                  onClick={() => void navigate({ page: 'project', name: item.name })}
                >
                  {item.name}
                </Anchor>
                {item.description && (
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {item.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{describeBaseImage(item.baseImage)}</Text>
                <Text size="xs" c="dimmed">
                  {item.instanceType}
                  {item.region ? ` · ${item.region}` : ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <LastBakeCell {...(item.lastBake ? { bake: item.lastBake } : {})} now={now} />
              </Table.Td>
              <Table.Td>
                <AmiCell {...(item.lastBake?.imageId ? { imageId: item.lastBake.imageId } : {})} />
              </Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  <BakeButton project={item.name} size="xs" />
                  <ProjectMenu name={item.name} />
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
