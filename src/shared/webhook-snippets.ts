/**
 * Copy-paste snippets for calling a project's hook, shared by the app's Triggers panel and the CLI so both
 * print the same thing. With no token given they read it from $QUADRAXIS_WEBHOOK_TOKEN, so the secret
 * stays out of shell history and repositories.
 */
export const TOKEN_VARIABLE = 'QUADRAXIS_WEBHOOK_TOKEN';

const tokenText = (token?: string) => token ?? `$${TOKEN_VARIABLE}`;

export function curlCommand(url: string, token?: string): string {
  return `curl -fsS -X POST -H "Authorization: Bearer ${tokenText(token)}" ${url}`;
}

/**
 * A git `post-receive` hook for the server you push to: one request per pushed branch the project bakes,
 * naming the pushed commit, so running the hook again for the same push bakes nothing twice. With no
 * branches listed the project bakes its default branch, which only GitHub can name; here that is taken to
 * be main.
 */
export function postReceiveHook(url: string, branches: readonly string[]): string {
  const wanted = branches.length > 0 ? branches : ['main'];
  const pattern = wanted.map((b) => `refs/heads/${b}`).join('|');
  return [
    '#!/bin/sh',
    `# hooks/post-receive: asks Quadraxis to bake on pushes to ${wanted.join(', ')}.`,
    `# Set ${TOKEN_VARIABLE} in the hook's environment; never commit the token.`,
    'while read -r old new ref; do',
    '  case "$ref" in',
    `    ${pattern})`,
    '      curl -fsS -X POST \\',
    `        -H "Authorization: Bearer $${TOKEN_VARIABLE}" \\`,
    `        -H 'Content-Type: application/json' \\`,
    `        -d "{\\"ref\\": \\"$ref\\", \\"after\\": \\"$new\\"}" \\`,
    `        ${url} || echo "quadraxis: could not trigger a bake for $ref" >&2`,
    '      ;;',
    '  esac',
    'done',
    '',
  ].join('\n');
}
