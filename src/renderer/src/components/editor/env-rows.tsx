import {
  ActionIcon,
  Badge,
  Button,
  Group,
  NativeSelect,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMemo, useState, type ReactNode } from 'react';
import {
  get,
  useFieldArray,
  useFormContext,
  useWatch,
  type FieldError,
  type FieldErrors,
} from 'react-hook-form';
import { describeReference } from '../../../../shared/environments';
import type { Env, EnvValue } from '../../../../shared/project';
import { diagnoseEnv } from '../../../../shared/user-data-secrets';
import { MONO_INPUT } from '../project/input-styles';
import type { ProjectFormValues } from '../project/project-form-model';
import { SetSecretModal } from './set-secret-modal';

/**
 * Where a list of variables lives in the project form: the project's own, or one environment's overrides.
 * Both hold the same rows ({ name, value }); the paths are typed as the project's `env` so react-hook-form
 * checks every field name, which is exact for an environment's rows too.
 */
export type EnvRowsPath = 'env' | `environments.${number}.env`;

export interface EnvRowsProps {
  path: EnvRowsPath;
  /** Starts each input's accessible name: "Variable" (`Variable 2 value`) or "staging variable". */
  label: string;
  /** The region a SecureString set from here is written to. */
  region: string | undefined;
  /** The project's variables, when these rows override them: each row says whether it overrides or adds. */
  base?: Env;
  title: string;
  addLabel: string;
  /** Between the title and the rows: what these variables are for. */
  children?: ReactNode;
}

/** Name/value rows of environment variables: plain values (scanned for secrets) or references to AWS. */
export function EnvRows({ path, label, region, base, title, addLabel, children }: EnvRowsProps) {
  const at = path as 'env';
  const { control, register, formState, setValue } = useFormContext<ProjectFormValues>();
  const errors = get<typeof formState.errors, FieldErrors<ProjectFormValues>['env']>(formState.errors, path);
  const { fields, append, remove } = useFieldArray({ control, name: at });
  const rows = useWatch({ control, name: at });
  // The script's secret patterns over each value: env values travel in the user data like the script.
  const secrets = useMemo(() => {
    const byRow = new Map<number, string>();
    (rows ?? []).forEach((row, index) => {
      if (typeof row.value !== 'string') return;
      const [found] = diagnoseEnv({ [row.name || 'VALUE']: row.value });
      if (found) byRow.set(index, found.message);
    });
    return byRow;
  }, [rows]);

  return (
    <Stack gap="xs">
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={600}>
          {title}
        </Text>
        <Button
          size="compact-xs"
          variant="light"
          leftSection={<IconPlus size={14} aria-hidden />}
          onClick={() => append({ name: '', value: '' })}
        >
          {addLabel}
        </Button>
      </Group>
      {children}
      {fields.length === 0 && (
        <Text size="xs" c="dimmed" fs="italic">
          None.
        </Text>
      )}
      {fields.map((field, index) => {
        const n = index + 1;
        const name = rows?.[index]?.name ?? '';
        const kind = kindOf(rows?.[index]?.value ?? '');
        return (
          <Stack key={field.id} gap={2}>
            <Group gap={6} align="flex-start" wrap="nowrap">
              <TextInput
                size="xs"
                placeholder="NAME"
                aria-label={`${label} ${n} name`}
                styles={MONO_INPUT}
                style={{ flex: 1 }}
                spellCheck={false}
                error={errors?.[index]?.name?.message}
                {...register(`${at}.${index}.name`)}
              />
              <NativeSelect
                size="xs"
                w={140}
                aria-label={`${label} ${n} source`}
                data={KINDS}
                value={kind}
                onChange={(e) =>
                  setValue(`${at}.${index}.value`, emptyOf(e.currentTarget.value as Kind), {
                    shouldDirty: true,
                    shouldValidate: true,
                  })
                }
              />
              <Tooltip label="Remove">
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  mt={2}
                  onClick={() => remove(index)}
                  aria-label={`Remove ${label.toLowerCase()} ${n}`}
                >
                  <IconTrash size={14} />
                </ActionIcon>
              </Tooltip>
            </Group>
            {/* The value on its own line: a parameter path or a secret and its key need the width. */}
            <Group gap={6} align="flex-start" wrap="nowrap" pr={30}>
              <ValueInputs at={at} index={index} label={`${label} ${n}`} kind={kind} region={region} />
            </Group>
            {base && name !== '' && <OverrideNote label={`${label} ${n}`} base={base} name={name} />}
            {secrets.has(index) && (
              <Text size="xs" c="yellow.8" role="alert" aria-label={`${label} ${n} looks like a secret`}>
                {secrets.get(index)}
              </Text>
            )}
          </Stack>
        );
      })}
    </Stack>
  );
}

/** Whether an environment's variable replaces the project's value (and which) or adds one the project lacks. */
function OverrideNote({ label, base, name }: { label: string; base: Env; name: string }) {
  const own = base[name];
  return (
    <Group gap={6} wrap="nowrap" role="group" aria-label={`${label} override`}>
      <Badge size="xs" variant="light" color={own === undefined ? 'teal' : 'blue'} radius="sm">
        {own === undefined ? 'adds' : 'overrides'}
      </Badge>
      <Text size="xs" c="dimmed" truncate>
        {own === undefined ? 'The project does not set it.' : `The project’s: ${shownValue(own)}`}
      </Text>
    </Group>
  );
}

/** A value for people: a plain value quoted, a reference as one word (never a resolved value: there is none). */
export function shownValue(value: EnvValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : describeReference(value);
}

type Kind = 'plain' | 'ssm' | 'secretsManager';
const KINDS: { value: Kind; label: string }[] = [
  { value: 'plain', label: 'Value' },
  { value: 'ssm', label: 'SSM parameter' },
  { value: 'secretsManager', label: 'Secrets Manager' },
];

function kindOf(value: EnvValue): Kind {
  if (typeof value === 'string') return 'plain';
  return 'ssm' in value ? 'ssm' : 'secretsManager';
}

function emptyOf(kind: Kind): EnvValue {
  if (kind === 'ssm') return { ssm: '' };
  if (kind === 'secretsManager') return { secretsManager: '' };
  return '';
}

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

type ValueError =
  | {
      message?: string;
      ssm?: FieldError;
      secretsManager?: FieldError;
      key?: FieldError;
    }
  | undefined;

/** The value of one row: plain text, a parameter name, or a secret (and its optional JSON key). */
function ValueInputs(props: {
  at: 'env';
  index: number;
  label: string;
  kind: Kind;
  region: string | undefined;
}) {
  const { at, index, label, kind } = props;
  const { register, formState } = useFormContext<ProjectFormValues>();
  const error = get<typeof formState.errors, ValueError>(formState.errors, `${at}.${index}.value`);
  const common = { size: 'xs' as const, styles: MONO_INPUT, spellCheck: false, style: { flex: 1 } };
  if (kind === 'ssm') return <ParameterInput {...props} common={common} error={error} />;
  if (kind === 'secretsManager')
    return (
      <Group gap={6} wrap="nowrap" style={{ flex: 1 }}>
        <TextInput
          {...common}
          placeholder="prod/api"
          aria-label={`${label} secret`}
          error={error?.secretsManager?.message ?? error?.message}
          {...register(`${at}.${index}.value.secretsManager`)}
        />
        <TextInput
          {...common}
          style={{ width: 90 }}
          placeholder="JSON key"
          aria-label={`${label} JSON key`}
          error={error?.key?.message}
          {...register(`${at}.${index}.value.key`, { setValueAs: blankToUndefined })}
        />
      </Group>
    );
  return (
    <TextInput
      {...common}
      placeholder="value"
      aria-label={`${label} value`}
      error={error?.message}
      {...register(`${at}.${index}.value`)}
    />
  );
}

/** A parameter name, and the way to set its SecureString value from here (never kept by Quadraxis). */
function ParameterInput(props: {
  at: 'env';
  index: number;
  label: string;
  region: string | undefined;
  common: object;
  error: ValueError;
}) {
  const { at, index, label, region, common, error } = props;
  const { register, control } = useFormContext<ProjectFormValues>();
  const value = useWatch({ control, name: `${at}.${index}.value` });
  const [open, setOpen] = useState(false);
  const name = typeof value === 'object' && 'ssm' in value ? value.ssm : '';
  const settable = name !== '' && !/:\d+$/.test(name) && error === undefined;
  return (
    <Group gap={4} wrap="nowrap" style={{ flex: 1 }}>
      <TextInput
        {...common}
        placeholder="/app/prod/db-password"
        aria-label={`${label} parameter name`}
        error={error?.ssm?.message ?? error?.message}
        {...register(`${at}.${index}.value.ssm`)}
      />
      <Tooltip label="Set its SecureString value">
        <ActionIcon
          variant="subtle"
          mt={2}
          disabled={!settable}
          onClick={() => setOpen(true)}
          aria-label={`Set the value of ${label.toLowerCase()}`}
        >
          <IconKey size={14} />
        </ActionIcon>
      </Tooltip>
      {open && <SetSecretModal name={name} region={region} opened={open} onClose={() => setOpen(false)} />}
    </Group>
  );
}
