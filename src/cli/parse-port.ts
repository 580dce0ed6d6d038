import { InvalidArgumentError } from 'commander';

/** A --port value: 0 to 65535, written as plain digits (so "8e3" or "0x50" are refused). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535)
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return port;
}
