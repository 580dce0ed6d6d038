import { NumberInput, Select, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { Controller, useFormContext, useWatch } from 'react-hook-form';
import { VOLUME_TYPES } from '../../../../shared/project';
import { useAppStore } from '../../state/app-store';
import { useAwsStore } from '../../state/aws-store';
import { effectiveProfile } from '../aws/profile-choice';
import { BaseImageField, useBaseImagePreview } from '../aws/base-image-field';
import { InstanceTypeField, KeyPairField, NetworkFields } from '../aws/launch-pickers';
import { regionOptions } from '../aws/regions';
import { usePickerTarget } from '../aws/use-picker';
import { fieldError } from './field-error';
import { FormSection } from './form-section';
import { ImageSettings } from './image-settings';
import type { ProjectFormValues } from './project-form-model';
import { MONO_INPUT } from './input-styles';

/** Where and how the builder launches. Every id comes from a picker; typing one is possible, never needed. */
export function LaunchSettings() {
  const { control, register, formState } = useFormContext<ProjectFormValues>();
  const errorAt = (path: string) => fieldError(formState.errors, path);
  const region = useWatch({ control, name: 'region' });
  const baseImage = useWatch({ control, name: 'baseImage' });
  const { target, scope } = usePickerTarget(region);
  const preview = useBaseImagePreview(baseImage, target, scope);
  const settings = useAppStore((s) => s.settings);
  const profiles = useAwsStore((s) => s.profiles);
  const profile = profiles?.profiles.find((p) => p.name === effectiveProfile(settings, profiles));
  const defaultRegion = settings?.region ?? profile?.region;

  return (
    <Stack gap="md">
      <FormSection title="General">
        <SimpleGrid cols={2} spacing="md">
          <Textarea
            label="Description"
            autosize
            minRows={2}
            maxRows={4}
            {...register('description')}
            error={errorAt('description')}
          />
          <Controller
            control={control}
            name="region"
            render={({ field, fieldState }) => (
              <Select
                label="Region"
                description="Where the builder runs and the AMI is made."
                placeholder={defaultRegion ? `Header default (${defaultRegion})` : 'Choose a region'}
                searchable
                clearable
                data={regionOptions(field.value || undefined)}
                value={field.value || null}
                onChange={(v) => field.onChange(v ?? '')}
                error={fieldState.error?.message}
              />
            )}
          />
        </SimpleGrid>
      </FormSection>
      <FormSection
        title="Base image"
        description="What the builder boots from; the new AMI is this plus your script."
      >
        <Controller
          control={control}
          name="baseImage"
          render={({ field }) => (
            <BaseImageField
              value={field.value}
              onChange={field.onChange}
              errorAt={(path) => errorAt(`baseImage.${path}`)}
              target={target}
              scope={scope}
              preview={preview}
            />
          )}
        />
      </FormSection>
      <FormSection title="Builder instance">
        <SimpleGrid cols={2} spacing="md">
          <Controller
            control={control}
            name="instanceType"
            render={({ field, fieldState }) => (
              <InstanceTypeField
                target={target}
                scope={scope}
                {...(preview.data ? { architecture: preview.data.architecture } : {})}
                value={field.value}
                onChange={field.onChange}
                {...(fieldState.error?.message ? { error: fieldState.error.message } : {})}
              />
            )}
          />
          <Controller
            control={control}
            name="keyName"
            render={({ field }) => (
              <KeyPairField target={target} scope={scope} value={field.value} onChange={field.onChange} />
            )}
          />
          <TextInput
            label="IAM instance profile"
            description="Optional: a name or ARN, for a script that reads S3, SSM or Secrets Manager."
            placeholder="None"
            styles={MONO_INPUT}
            spellCheck={false}
            {...register('iamInstanceProfile')}
            error={errorAt('iamInstanceProfile')}
          />
          <SimpleGrid cols={2} spacing="sm">
            <Controller
              control={control}
              name="rootVolume.sizeGiB"
              render={({ field, fieldState }) => (
                <NumberInput
                  label="Root volume (GiB)"
                  placeholder={
                    preview.data?.rootVolumeSizeGiB
                      ? `Image’s (${preview.data.rootVolumeSizeGiB})`
                      : 'Image’s own'
                  }
                  min={1}
                  max={16384}
                  allowDecimal={false}
                  value={field.value}
                  onChange={field.onChange}
                  error={fieldState.error?.message}
                />
              )}
            />
            <Controller
              control={control}
              name="rootVolume.type"
              render={({ field }) => (
                <Select
                  label="Volume type"
                  data={[...VOLUME_TYPES]}
                  value={field.value ?? 'gp3'}
                  allowDeselect={false}
                  onChange={(v) => v && field.onChange(v)}
                />
              )}
            />
          </SimpleGrid>
        </SimpleGrid>
      </FormSection>
      <FormSection title="Network">
        <Controller
          control={control}
          name="securityGroupIds"
          render={({ field: groups, fieldState: groupsState }) => (
            <Controller
              control={control}
              name="subnetId"
              render={({ field: subnet, fieldState: subnetState }) => (
                <NetworkFields
                  target={target}
                  scope={scope}
                  subnetId={subnet.value}
                  securityGroupIds={groups.value ?? []}
                  onSubnet={subnet.onChange}
                  onGroups={groups.onChange}
                  {...(subnetState.error?.message ? { subnetError: subnetState.error.message } : {})}
                  {...(groupsState.error?.message ? { groupsError: groupsState.error.message } : {})}
                />
              )}
            />
          )}
        />
      </FormSection>
      <ImageSettings />
    </Stack>
  );
}
