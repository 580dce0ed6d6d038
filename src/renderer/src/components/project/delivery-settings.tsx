import {
  ActionIcon,
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { Controller, useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { regionOptions } from '../aws/regions';
import { fieldError } from './field-error';
import { FormSection } from './form-section';
import { MONO_INPUT } from './input-styles';
import type { ProjectFormValues } from './project-form-model';

/**
 * Where the image goes once baked (copies, shares, encryption, the SSM parameter launch templates read) and
 * which old images a prune retires. Off by default: a project without these sections bakes one private
 * image in its own region, as it always did.
 */
export function DeliverySettings() {
  const { control, formState } = useFormContext<ProjectFormValues>();
  const errorAt = (path: string) => fieldError(formState.errors, `distribution.${path}`);
  const retentionError = (path: string) => fieldError(formState.errors, `retention.${path}`);
  const distribute = useWatch({ control, name: 'distribution.enabled' });
  const encrypt = useWatch({ control, name: 'distribution.encrypt' });
  const retain = useWatch({ control, name: 'retention.enabled' });
  const keys = useFieldArray({ control, name: 'distribution.kmsKeyIds' });

  const toggle = (
    name: 'distribution.enabled' | 'retention.enabled' | 'distribution.encrypt',
    label: string,
    description: string,
  ) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <Switch
          label={label}
          description={description}
          checked={field.value}
          onChange={(event) => field.onChange(event.currentTarget.checked)}
        />
      )}
    />
  );
  const list = (
    name: 'distribution.accounts' | 'distribution.organizations' | 'distribution.organizationalUnits',
    label: string,
    placeholder: string,
  ) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <TagsInput
          label={label}
          placeholder={placeholder}
          styles={MONO_INPUT}
          value={field.value}
          onChange={field.onChange}
          splitChars={[',', ' ']}
          clearable
          error={errorAt(name.slice('distribution.'.length))}
        />
      )}
    />
  );
  const flag = (
    name:
      | 'distribution.shareSnapshots'
      | 'distribution.deprecateOlder'
      | 'distribution.allowPartial'
      | 'retention.pruneAfterBake',
    label: string,
  ) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <Switch
          label={label}
          checked={field.value}
          onChange={(event) => field.onChange(event.currentTarget.checked)}
        />
      )}
    />
  );
  const number = (
    name: 'retention.keep' | 'retention.maxAgeDays' | 'retention.disableForDays',
    label: string,
    description: string,
  ) => (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <NumberInput
          label={label}
          description={description}
          min={1}
          allowDecimal={false}
          value={field.value}
          onChange={(n) => field.onChange(n)}
          error={retentionError(name.slice('retention.'.length))}
        />
      )}
    />
  );

  return (
    <Stack gap="md">
      <FormSection
        title="Distribution"
        description="Copies, shares, encryption and the SSM parameter launch templates read — all done by each bake, shown as its steps."
      >
        {toggle(
          'distribution.enabled',
          'Distribute the image',
          'Off: one private image in the bake’s region.',
        )}
        {distribute && (
          <Stack gap="sm">
            <Controller
              control={control}
              name="distribution.regions"
              render={({ field }) => (
                <MultiSelect
                  label="Copy to regions"
                  description="Besides the bake’s own region; each copy is waited for and tagged like the original."
                  searchable
                  clearable
                  data={regionOptions(...field.value)}
                  value={field.value}
                  onChange={field.onChange}
                  error={errorAt('regions')}
                />
              )}
            />
            <SimpleGrid cols={3} spacing="md">
              {list('distribution.accounts', 'Share with accounts', '111122223333')}
              {list(
                'distribution.organizations',
                'Organizations',
                'arn:aws:organizations::…:organization/o-…',
              )}
              {list(
                'distribution.organizationalUnits',
                'Organizational units',
                'arn:aws:organizations::…:ou/o-…/ou-…',
              )}
            </SimpleGrid>
            {flag('distribution.shareSnapshots', 'Also let the accounts create volumes from the snapshots')}
            {toggle(
              'distribution.encrypt',
              'Encrypt with KMS',
              'The builder’s volumes are encrypted at launch, so no unencrypted copy of the image ever exists; copies use each region’s key.',
            )}
            {encrypt && (
              <Stack gap="xs">
                <Controller
                  control={control}
                  name="distribution.kmsKeyId"
                  render={({ field }) => (
                    <TextInput
                      label="KMS key"
                      description="An alias works in every region (alias/my-images); empty uses alias/aws/ebs, which cannot be shared."
                      placeholder="alias/aws/ebs"
                      styles={MONO_INPUT}
                      spellCheck={false}
                      value={field.value}
                      onChange={field.onChange}
                      error={errorAt('kmsKeyId')}
                    />
                  )}
                />
                <Group justify="space-between">
                  <Text size="sm" fw={500}>
                    Per-region keys
                  </Text>
                  <Button
                    size="compact-xs"
                    variant="light"
                    leftSection={<IconPlus size={14} aria-hidden />}
                    onClick={() => keys.append({ region: '', key: '' })}
                  >
                    Add region key
                  </Button>
                </Group>
                {keys.fields.map((row, index) => (
                  <Group key={row.id} gap={6} wrap="nowrap" align="flex-start">
                    <Controller
                      control={control}
                      name={`distribution.kmsKeyIds.${index}.region`}
                      render={({ field }) => (
                        <Select
                          size="xs"
                          aria-label={`Key ${index + 1} region`}
                          placeholder="Region"
                          searchable
                          data={regionOptions(field.value || undefined)}
                          value={field.value || null}
                          onChange={(v) => field.onChange(v ?? '')}
                          style={{ flex: 1 }}
                        />
                      )}
                    />
                    <Controller
                      control={control}
                      name={`distribution.kmsKeyIds.${index}.key`}
                      render={({ field }) => (
                        <TextInput
                          size="xs"
                          aria-label={`Key ${index + 1}`}
                          placeholder="alias/… or arn:aws:kms:…"
                          styles={MONO_INPUT}
                          style={{ flex: 2 }}
                          value={field.value}
                          onChange={field.onChange}
                          error={errorAt(`kmsKeyIds.${index}.key`)}
                        />
                      )}
                    />
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      mt={2}
                      onClick={() => keys.remove(index)}
                      aria-label={`Remove key ${index + 1}`}
                    >
                      <IconTrash size={14} />
                    </ActionIcon>
                  </Group>
                ))}
              </Stack>
            )}
            <Controller
              control={control}
              name="distribution.ssmParameter"
              render={({ field }) => (
                <TextInput
                  label="Publish to SSM parameter"
                  description="Set to the new AMI in every region it is in (aws:ec2:image); launch templates can use resolve:ssm:. {project} is the project’s name; {environment} is the bake’s environment (default for the project’s own values) — required once the project has environments, so a dev bake never moves what prod reads."
                  placeholder="/images/{project}/{environment}/latest"
                  styles={MONO_INPUT}
                  spellCheck={false}
                  value={field.value}
                  onChange={field.onChange}
                  error={errorAt('ssmParameter')}
                />
              )}
            />
            <Group gap="xl">
              {flag(
                'distribution.deprecateOlder',
                'Deprecate older images of the same environment when a new one is published',
              )}
              {flag('distribution.allowPartial', 'A failed copy leaves the others (partial distribution)')}
            </Group>
          </Stack>
        )}
      </FormSection>
      <FormSection
        title="Retention"
        description="What a prune keeps: the newest N of each environment in each region and/or those younger than D days — and never an image in use. Only images Quadraxis made for this project are touched."
      >
        {toggle('retention.enabled', 'Retire old images', 'Off: every image stays until you remove it.')}
        {retain && (
          <Stack gap="sm">
            <SimpleGrid cols={3} spacing="md">
              {number('retention.keep', 'Keep the newest', 'Images per region, for each environment.')}
              {number(
                'retention.maxAgeDays',
                'Keep those younger than (days)',
                'An image either rule keeps stays.',
              )}
              {number(
                'retention.disableForDays',
                'Disable first, for (days)',
                'Optional grace period before deregistering.',
              )}
            </SimpleGrid>
            {flag('retention.pruneAfterBake', 'Prune after each successful bake')}
          </Stack>
        )}
      </FormSection>
    </Stack>
  );
}
