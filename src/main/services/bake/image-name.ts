import { AMI_NAME_PATTERN } from '../../../shared/project';
import { AppError } from '../../../shared/result';

export interface ImageNameValues {
  project: string;
  bakeId: string;
  /** The version this bake will record, when known. */
  version: number;
  /** Epoch ms; formatted in UTC so names sort and read the same everywhere. */
  at: number;
}

const PLACEHOLDERS = ['project', 'yyyyMMdd-HHmmss', 'yyyyMMdd', 'bakeId', 'version'] as const;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function formatDate(at: number, withTime: boolean): string {
  const d = new Date(at);
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return withTime
    ? `${date}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
    : date;
}

/** Fills an image name template; unknown placeholders and names EC2 would refuse are INVALID_INPUT. */
export function renderImageName(template: string, values: ImageNameValues): string {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1] ?? '')
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new AppError(
      'INVALID_INPUT',
      `imageName: unknown placeholder ${unknown.map((u) => `{${u}}`).join(', ')}; use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`,
    );
  }
  const name = template.replace(/\{([^}]*)\}/g, (_, key: string) => {
    switch (key) {
      case 'project':
        return values.project;
      case 'bakeId':
        return values.bakeId;
      case 'version':
        return String(values.version);
      case 'yyyyMMdd':
        return formatDate(values.at, false);
      default:
        return formatDate(values.at, true);
    }
  });
  if (!AMI_NAME_PATTERN.test(name)) {
    const bad = [...new Set(name.replace(/[A-Za-z0-9()[\] ./\-'@_]/g, ''))].join('');
    const why =
      name.length < 3 || name.length > 128
        ? `it is ${name.length} characters long (EC2 wants 3–128)`
        : `EC2 does not allow ${JSON.stringify(bad)} in image names`;
    throw new AppError('INVALID_INPUT', `imageName: "${name}" is not a valid AMI name: ${why}.`);
  }
  return name;
}
