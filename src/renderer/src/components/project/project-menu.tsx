import { ActionIcon, Menu } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCopy, IconDots, IconDownload, IconPencil, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';
import { useProjectsStore } from '../../state/projects-store';
import { DeleteProjectModal } from './delete-project-modal';
import { downloadText } from './download';
import { copyName } from './format';
import { NameModal } from './name-modal';

type Dialog = 'rename' | 'duplicate' | 'delete' | undefined;

/**
 * Export, duplicate, rename and delete for one project. `revision` (from an open editor) makes rename and
 * delete refuse when someone changed the project meanwhile; `disabledReason` blocks rename while unsaved.
 */
export function ProjectMenu({
  name,
  revision,
  renameBlocked,
  onGone,
}: {
  name: string;
  revision?: string;
  /** Why renaming must wait (unsaved edits), shown instead of renaming. */
  renameBlocked?: string;
  /** After a rename or delete: where to go next. Default: stay (the list refreshes itself). */
  onGone?: (renamedTo?: string) => void;
}) {
  const [dialog, setDialog] = useState<Dialog>();
  const navigate = useAppStore((s) => s.navigate);
  const taken = (useProjectsStore((s) => s.items) ?? []).map((p) => p.name);
  const close = () => setDialog(undefined);

  const exportYaml = async () => {
    try {
      const { fileName, text } = await unwrap(api.projects.export(name));
      downloadText(fileName, text);
    } catch (error) {
      notifications.show({ color: 'red', title: 'Export failed', message: errorMessage(error) });
    }
  };

  return (
    <>
      <Menu position="bottom-end" withinPortal shadow="md">
        <Menu.Target>
          <ActionIcon variant="subtle" color="gray" aria-label={`More actions for ${name}`}>
            <IconDots size={18} />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item leftSection={<IconDownload size={16} />} onClick={() => void exportYaml()}>
            Export YAML
          </Menu.Item>
          <Menu.Item leftSection={<IconCopy size={16} />} onClick={() => setDialog('duplicate')}>
            Duplicate…
          </Menu.Item>
          <Menu.Item
            leftSection={<IconPencil size={16} />}
            onClick={() =>
              renameBlocked
                ? notifications.show({ color: 'yellow', title: 'Save first', message: renameBlocked })
                : setDialog('rename')
            }
          >
            Rename…
          </Menu.Item>
          <Menu.Divider />
          <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => setDialog('delete')}>
            Delete…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <NameModal
        opened={dialog === 'duplicate'}
        title={`Duplicate ${name}`}
        label="Name of the copy"
        intro="The copy has the same settings and script; versions and bakes stay with the original."
        initial={copyName(name, taken)}
        submitLabel="Duplicate"
        onClose={close}
        onSubmit={async (newName) => {
          await unwrap(api.projects.duplicate({ name, newName }));
          close();
          await navigate({ page: 'project', name: newName });
        }}
      />
      <NameModal
        opened={dialog === 'rename'}
        title={`Rename ${name}`}
        label="New name"
        intro="Its versions, bake history, draft and webhook secret move with it. Its hook URL ends in the new name: update webhooks and scripts that call the old one."
        initial={name}
        submitLabel="Rename"
        onClose={close}
        onSubmit={async (to) => {
          await unwrap(api.projects.rename({ from: name, to, ...(revision ? { revision } : {}) }));
          close();
          onGone?.(to);
        }}
      />
      <DeleteProjectModal
        name={name}
        {...(revision ? { revision } : {})}
        opened={dialog === 'delete'}
        onClose={close}
        onDeleted={() => {
          close();
          onGone?.();
        }}
      />
    </>
  );
}
