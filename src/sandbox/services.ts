import { AUTO_SCALING_SERVICE } from './autoscaling/service';
import { EC2_SERVICE } from './ec2/service';
import { IAM_SERVICE } from './iam/service';
import { KMS_SERVICE } from './kms/service';
import { SECRETS_MANAGER_SERVICE } from './secretsmanager/service';
import { SSM_SERVICE } from './ssm/service';
import { STS_SERVICE } from './sts/wire';
import type { JsonService, QueryService } from './wire/service';

/** Every AWS service the Sandbox answers, one entry each; a new service adds its descriptor here. */
export const QUERY_SERVICES: readonly QueryService[] = [
  EC2_SERVICE,
  STS_SERVICE,
  AUTO_SCALING_SERVICE,
  IAM_SERVICE,
];
export const JSON_SERVICES: readonly JsonService[] = [SSM_SERVICE, KMS_SERVICE, SECRETS_MANAGER_SERVICE];
