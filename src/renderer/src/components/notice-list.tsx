import { Alert, Stack } from '@mantine/core';
import { IconAlertTriangle, IconInfoCircle } from '@tabler/icons-react';
import { api } from '../api';
import { useAppStore } from '../state/app-store';

export function NoticeList() {
  const notices = useAppStore((s) => s.notices);
  const removeNotice = useAppStore((s) => s.removeNotice);
  if (notices.length === 0) return null;
  return (
    <Stack gap="sm" mb="lg" role="region" aria-label="Notices">
      {notices.map((notice) => (
        <Alert
          key={notice.id}
          color={notice.level === 'info' ? 'blue' : notice.level === 'warning' ? 'yellow' : 'red'}
          icon={notice.level === 'info' ? <IconInfoCircle /> : <IconAlertTriangle />}
          title={notice.title}
          withCloseButton
          closeButtonLabel={`Dismiss: ${notice.title}`}
          onClose={() => {
            removeNotice(notice.id);
            void api.app.dismissNotice(notice.id);
          }}
        >
          {notice.message}
        </Alert>
      ))}
    </Stack>
  );
}
