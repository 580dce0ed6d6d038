import { Button, Group, Modal, Radio, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ProjectNameSchema } from '../../../../shared/project';
import {
  PROJECT_TEMPLATES,
  projectFromTemplate,
  type ProjectTemplate,
} from '../../../../shared/project-templates';
import { api, errorMessage, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';
import { useProjectsStore } from '../../state/projects-store';
import { copyName } from './format';

function freeName(template: ProjectTemplate, taken: string[]): string {
  const name = template.suggestedName;
  return taken.some((t) => t.toLowerCase() === name.toLowerCase()) ? copyName(name, taken) : name;
}

/** "New project": pick a template, name it, and land in its editor. */
export function NewProjectModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onClose}
      title="New project"
      size="xl"
      centered
    >
      {opened && <NewProjectForm onClose={onClose} />}
    </Modal>
  );
}

function NewProjectForm({ onClose }: { onClose: () => void }) {
  const taken = (useProjectsStore((s) => s.items) ?? []).map((p) => p.name);
  const navigate = useAppStore((s) => s.navigate);
  const timeoutMinutes = useAppStore((s) => s.settings?.bakes.scriptTimeoutMinutes);
  const [templateId, setTemplateId] = useState<ProjectTemplate['id']>('al2023-nginx');
  const template = PROJECT_TEMPLATES.find((t) => t.id === templateId) ?? PROJECT_TEMPLATES[0]!;
  const [name, setName] = useState(() => freeName(template, taken));
  const [nameTouched, setNameTouched] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const check = ProjectNameSchema.safeParse(name.trim());

  const create = async () => {
    if (!check.success) return;
    setBusy(true);
    try {
      const project = projectFromTemplate(template, check.data, {
        ...(timeoutMinutes !== undefined ? { scriptTimeoutMinutes: timeoutMinutes } : {}),
      });
      await unwrap(api.projects.create({ project }));
      onClose();
      await navigate({ page: 'project', name: check.data });
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void create();
      }}
    >
      <Stack gap="lg">
        <Radio.Group
          label="Start from"
          value={templateId}
          onChange={(value) => {
            const next = PROJECT_TEMPLATES.find((t) => t.id === value);
            if (!next) return;
            setTemplateId(next.id);
            if (!nameTouched) setName(freeName(next, taken));
          }}
        >
          <SimpleGrid cols={3} mt="xs">
            {PROJECT_TEMPLATES.map((t) => (
              <Radio.Card key={t.id} value={t.id} p="md" radius="md" aria-label={t.label}>
                <Group wrap="nowrap" align="flex-start" gap="sm">
                  <Radio.Indicator />
                  <div>
                    <Text fw={600} size="sm">
                      {t.label}
                    </Text>
                    <Text size="xs" c="dimmed" mt={4}>
                      {t.description}
                    </Text>
                  </div>
                </Group>
              </Radio.Card>
            ))}
          </SimpleGrid>
        </Radio.Group>
        <TextInput
          label="Project name"
          description="Letters, digits, dot, dash or underscore. It names the file, the images and the webhook URL."
          value={name}
          onChange={(event) => {
            setName(event.currentTarget.value);
            setNameTouched(true);
            setError(undefined);
          }}
          error={error ?? (name !== '' && !check.success ? check.error.issues[0]?.message : undefined)}
          spellCheck={false}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!check.success}>
            Create project
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
