import { z } from 'zod';

/** For channels that take no request. */
export const NoInput = z.undefined();
