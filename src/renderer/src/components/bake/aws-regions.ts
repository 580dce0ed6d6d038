/** Suggestions for the region field (any valid region name may be typed). */
export { AWS_REGIONS } from '../../../../shared/regions';
