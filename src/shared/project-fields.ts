import { z } from 'zod';

/** The names and ids a project's fields hold, and their patterns: shared by the project file's blocks. */
export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const AMI_ID_PATTERN = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$/;
export const INSTANCE_TYPE_PATTERN = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** EC2's AMI name rules: 3–128 characters of letters, digits, ( ) [ ] space . / - ' @ _ */
export const AMI_NAME_PATTERN = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;
/** Characters allowed in an image name template besides the placeholders' braces. */
export const DEFAULT_IMAGE_NAME_TEMPLATE = '{project}-{yyyyMMdd-HHmmss}';
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export const VOLUME_TYPES = ['gp3', 'gp2', 'io1', 'io2', 'st1', 'sc1', 'standard'] as const;

export const ProjectNameSchema = z
  .string()
  .regex(
    PROJECT_NAME_PATTERN,
    'Use 1–64 letters, digits, dot, dash or underscore, starting with a letter or digit.',
  );
export const RegionSchema = z.string().regex(REGION_PATTERN, 'Not an AWS region name (like eu-west-1).');
export const AmiIdSchema = z.string().regex(AMI_ID_PATTERN, 'An AMI id looks like ami-0123456789abcdef0.');
export const ArchitectureSchema = z.enum(ARCHITECTURES);
