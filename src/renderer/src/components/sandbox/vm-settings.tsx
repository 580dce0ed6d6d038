import {
  Alert,
  Anchor,
  Badge,
  Code,
  Group,
  List,
  NumberInput,
  Paper,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { VmCheck } from '../../../../shared/ipc/sandbox.contract';
import type { SandboxVmSettings } from '../../../../shared/settings';
import { api, errorMessage, unwrap } from '../../api';
import { useAppStore } from '../../state/app-store';
import { saveSettings } from '../../state/save-settings';

/** Official pages where distributions publish their KVM/qcow2 cloud images (never downloaded by the app). */
const CLOUD_IMAGE_PAGES = [
  { label: 'Debian cloud images (genericcloud, qcow2)', url: 'https://cloud.debian.org/images/cloud/' },
  { label: 'Ubuntu cloud images (.img, qcow2)', url: 'https://cloud-images.ubuntu.com/' },
  {
    label: 'Amazon Linux 2023 on KVM',
    url: 'https://docs.aws.amazon.com/linux/al2023/ug/outside-ec2-download.html',
  },
];

// The whole object: a patch with one field would reset the others to their defaults.
const save = (vm: SandboxVmSettings) => saveSettings({ sandbox: { vm } }, 'Sandbox VM settings not saved');

/**
 * "Run on a local VM": the Sandbox profile's instances of one image become real QEMU virtual machines, so
 * an init script runs for real — kernel, systemd, cloud-init — in a minute, for free, before a bake on AWS.
 * Offered when QEMU is installed; the image is one the user has (or builds with `npm run vm:image`).
 */
export function VmSettings() {
  const vm = useAppStore((s) => s.settings?.sandbox.vm);
  const [check, setCheck] = useState<VmCheck | undefined>();
  const [checkError, setCheckError] = useState<string | undefined>();
  const image = vm?.image.trim() ?? '';
  const kernelArgs = vm?.kernelArgs.trim() ?? '';

  useEffect(() => {
    let current = true;
    unwrap(
      api.sandbox.vmCheck({
        ...(image ? { image } : {}),
        ...(image && kernelArgs ? { kernelArgs } : {}),
      }),
    ).then(
      (value) => current && (setCheck(value), setCheckError(undefined)),
      (error: unknown) => current && setCheckError(errorMessage(error)),
    );
    return () => {
      current = false;
    };
  }, [image, kernelArgs, vm?.enabled]);

  if (!vm) return null;
  const qemuMissing = check !== undefined && !check.qemu.available;
  return (
    <Paper withBorder p="lg" component="section" aria-label="Sandbox virtual machines">
      <Title order={3} size="h5" mb="sm">
        Sandbox: run on a local VM
      </Title>
      <Stack gap="md">
        <Text size="sm">
          The Sandbox profile can boot one image’s instances as real QEMU virtual machines: your init script
          runs on a real kernel with systemd and cloud-init, reads its user data from instance metadata, and
          the baked image boots again with what it left. Nothing leaves this computer.
        </Text>
        {qemuMissing && (
          <Alert
            color="orange"
            icon={<IconAlertTriangle size={16} aria-hidden />}
            title="QEMU is not installed"
          >
            Missing: {check.qemu.missing.join(', ')}. On Debian or Ubuntu:{' '}
            <Code>sudo apt-get install qemu-system-x86 qemu-utils</Code>
          </Alert>
        )}
        {checkError && (
          <Text c="red" size="sm">
            {checkError}
          </Text>
        )}
        <Switch
          label="Run Sandbox instances of this image on a local VM"
          description={
            check?.qemu.version
              ? `QEMU ${check.qemu.version}`
              : qemuMissing
                ? 'Needs QEMU'
                : 'Looking for QEMU…'
          }
          disabled={qemuMissing}
          checked={vm.enabled}
          onChange={(event) => void save({ ...vm, enabled: event.currentTarget.checked })}
        />
        <CommittedInput
          key={`image-${vm.image}`}
          label="Image"
          description="A cloud image file you have (.qcow2, .img, .raw), or a directory made by npm run vm:image"
          placeholder="/home/you/images/debian-12-genericcloud-amd64.qcow2"
          saved={vm.image}
          onCommit={(value) => void save({ ...vm, image: value })}
        />
        {image && check?.image && (
          <Group gap="xs" aria-live="polite">
            {check.image.ok ? (
              <>
                <Badge color="green" variant="light">
                  Usable
                </Badge>
                <Text size="sm">
                  Registered as the AMI <Code>{check.image.name}</Code> (owner: self)
                  {check.image.boot === 'firmware' ? ', booted through its own bootloader' : ''}.
                </Text>
              </>
            ) : (
              <>
                <Badge color="red" variant="light">
                  Not usable
                </Badge>
                <Text size="sm" c="red">
                  {check.image.error}
                </Text>
              </>
            )}
          </Group>
        )}
        <div>
          <Text size="sm">Where to get a cloud image (KVM/qcow2):</Text>
          <List size="sm">
            {CLOUD_IMAGE_PAGES.map((page) => (
              <List.Item key={page.url}>
                <Anchor component="button" type="button" onClick={() => void api.app.openExternal(page.url)}>
                  {page.label}
                </Anchor>
              </List.Item>
            ))}
          </List>
          <Text size="xs" c="dimmed" mt={4}>
            The image’s cloud-init must use its EC2 datasource (Debian and Ubuntu images detect it); the VMs
            announce themselves as EC2 and serve instance metadata at 169.254.169.254.
          </Text>
        </div>
        <CommittedInput
          key={`args-${vm.kernelArgs}`}
          label="Kernel command line"
          description="For npm run vm:image directories only: replaces the image’s, e.g. to make tty0 the last console"
          placeholder="root=/dev/vda rw console=ttyS0,115200n8 console=tty0"
          saved={vm.kernelArgs}
          onCommit={(value) => void save({ ...vm, kernelArgs: value })}
        />
        <Switch
          label="Let guests reach Debian’s package mirror"
          description="Only deb.debian.org, through the Sandbox’s proxy (169.254.169.251:3142); nothing else is reachable either way."
          checked={vm.mirror}
          onChange={(event) => void save({ ...vm, mirror: event.currentTarget.checked })}
        />
        <NumberInput
          label="VMs at once"
          description="Further launches wait in pending. Each VM has one vCPU and its instance type’s memory."
          min={1}
          max={16}
          value={vm.maxVms}
          onChange={(value) => typeof value === 'number' && void save({ ...vm, maxVms: value })}
          maw={320}
        />
        <Text size="xs" c="dimmed" aria-live="polite">
          {check?.running
            ? check.running.vm
              ? `The Sandbox runs VMs now (${check.running.accel === 'kvm' ? 'KVM' : 'TCG, software emulation: about 40 s per boot'}).`
              : 'The Sandbox runs without VMs now.'
            : 'The Sandbox starts when the Sandbox profile is first used.'}{' '}
          A change applies as soon as no Sandbox instance is running.
        </Text>
      </Stack>
    </Paper>
  );
}

/** A text field saved on blur or Enter, not on every key (each save re-checks the image). */
function CommittedInput(props: {
  label: string;
  description: string;
  placeholder: string;
  saved: string;
  onCommit: (value: string) => void;
}) {
  const [value, setValue] = useState(props.saved);
  const commit = () => value !== props.saved && props.onCommit(value);
  return (
    <TextInput
      label={props.label}
      description={props.description}
      placeholder={props.placeholder}
      value={value}
      onChange={(event) => setValue(event.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(event) => event.key === 'Enter' && commit()}
      spellCheck={false}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
    />
  );
}
