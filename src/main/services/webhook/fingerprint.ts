import { createHash } from 'node:crypto';

/**
 * What a bake request is recognised by when it comes again. Only what the sender vouched for counts: a
 * GitHub delivery's signature covers its body (and so its ref and `after` commit), while X-GitHub-Delivery
 * is not signed and anyone replaying a capture can change it. A push is known by its ref and commit — a
 * redelivery, a replay and a second hook for the same push are one request — and any other signed body by
 * its hash. A bearer-token call signs nothing; it is known by the commit it names, if it names one (the
 * git hook sends it), and otherwise only the one-running-one-queued rule bounds it.
 */
export function fingerprintOf(request: {
  signed: boolean;
  body: string;
  ref?: string | undefined;
  commit?: string | undefined;
}): string | undefined {
  const key = request.commit
    ? `commit\n${request.ref ?? ''}\n${request.commit}`
    : request.signed
      ? `body\n${createHash('sha256').update(request.body, 'utf8').digest('hex')}`
      : undefined;
  return key === undefined ? undefined : createHash('sha256').update(key).digest('hex');
}
