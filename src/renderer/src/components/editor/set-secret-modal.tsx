import { Alert, Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api';
import { MONO_INPUT } from '../project/input-styles';

/**
 * Sets the SecureString an env reference names, from a masked field (issue 18). The value lives in this
 * component's state only while the dialog is open, goes to main in one call (aws:put-secure-parameter,
 * straight into PutParameter) and is dropped the moment the call answers or the dialog closes; nothing
 * of it comes back.
 */
export function SetSecretModal(props: {
  name: string;
  region: string | undefined;
  opened: boolean;
  onClose: () => void;
}) {
  const [value, setValue] = useState('');
  const [keyId, setKeyId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const close = () => {
    setValue('');
    setError(undefined);
    setSaved(undefined);
    props.onClose();
  };
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const out = await unwrap(
        api.aws.putSecureParameter({
          target: props.region ? { region: props.region } : {},
          name: props.name,
          value,
          ...(keyId.trim() ? { keyId: keyId.trim() } : {}),
        }),
      );
      setSaved(`Saved ${out.name} version ${out.version} in ${out.region} (key ${out.keyId}).`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setValue('');
      setBusy(false);
    }
  };
  return (
    <Modal opened={props.opened} onClose={close} title={`Set ${props.name}`} centered size="md">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Stored in Parameter Store as a SecureString{props.region ? ` in ${props.region}` : ''}. Quadraxis
          does not keep it: the builder reads it with its instance profile when it runs.
        </Text>
        <PasswordInput
          label="Value"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          data-autofocus
        />
        <TextInput
          label="KMS key"
          description="Alias, key id or ARN. Empty: the AWS managed key alias/aws/ssm."
          placeholder="alias/aws/ssm"
          styles={MONO_INPUT}
          spellCheck={false}
          value={keyId}
          onChange={(e) => setKeyId(e.currentTarget.value)}
        />
        {error && (
          <Alert color="red" role="alert" title="Not saved">
            {error}
          </Alert>
        )}
        {saved && (
          <Alert color="teal" role="status" icon={<IconLock size={16} aria-hidden />}>
            {saved}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close}>
            {saved ? 'Done' : 'Cancel'}
          </Button>
          <Button onClick={() => void save()} loading={busy} disabled={value === ''}>
            Save as SecureString
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
