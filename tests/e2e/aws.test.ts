import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Page } from 'playwright';
import { describe, expect, it } from 'vitest';
import { sandboxClientConfig } from '../../src/sandbox';
import { IamPolicySchema } from '../../src/shared/aws';
import { openApp, poll, screenshotBothThemes, useBrowser } from './harness';

const browser = useBrowser();

/** Profiles as a team has them: static keys, SSO never logged in here, a role behind MFA. None reach real AWS. */
const AWS_CONFIG = `
[profile staging]
region = eu-west-1

[profile corp]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile admin-mfa]
role_arn = arn:aws:iam::111122223333:role/Admin
source_profile = staging
mfa_serial = arn:aws:iam::111122223333:mfa/ops
region = eu-west-1
`;
const AWS_CREDENTIALS = `
[staging]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
`;

async function chooseOption(page: Page, field: string, option: string | RegExp) {
  await page.getByRole('combobox', { name: field }).click();
  await page.getByRole('option', { name: option }).first().click();
}

const header = (page: Page) => page.getByRole('banner');

describe('AWS access', () => {
  it('switches profiles in the header: the sandbox’s account, a keys profile that cannot connect, SSO and MFA in words', async () => {
    const app = await openApp(browser(), { awsConfig: AWS_CONFIG, awsCredentials: AWS_CREDENTIALS });
    const { page, bridge } = app;
    await header(page).getByText('Account 123456789012').waitFor();
    await header(page).getByText('Simulated', { exact: true }).waitFor();
    await poll(() => bridge.ctx.settings.get().profile).toBe('sandbox');

    await chooseOption(page, 'AWS profile', 'staging');
    // The header's problem popover: the one alert with a Retry.
    const problem = page.getByRole('alert').filter({ has: page.getByRole('button', { name: 'Retry' }) });
    await problem.getByText(/Could not reach AWS|rejected the credentials/).waitFor();
    await problem.getByRole('button', { name: 'Retry' }).waitFor();
    await poll(() => header(page).getByText('Simulated', { exact: true }).count()).toBe(0);
    expect(bridge.ctx.settings.get()).toMatchObject({ profile: 'staging' });
    await screenshotBothThemes(app, 'aws-profile-unreachable');

    // The form's pickers fail beside their fields, in words; the rest of the form keeps working.
    await bridge.ctx.runtime.store.projects.create({
      name: 'offline',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      initScript: '#!/bin/bash\necho hi\n',
    });
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('button', { name: /Bakes/ }).click();
    await nav.getByRole('button', { name: /Projects/ }).click();
    await page.getByRole('button', { name: 'offline', exact: true }).click();
    await page.getByRole('tab', { name: 'Launch settings' }).click();
    await page.getByText(/^Could not list instance types: /).waitFor();
    await page.getByText(/^Could not list subnets: /).waitFor();
    await page.getByLabel('Description', { exact: true }).fill('still editable while AWS is unreachable');
    await page.getByText('Unsaved changes').waitFor();
    await screenshotBothThemes(app, 'aws-pickers-offline');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Unsaved changes').waitFor({ state: 'detached' });
    await nav.getByRole('button', { name: /Projects/ }).click();

    await chooseOption(page, 'AWS profile', 'corp');
    await problem.getByText('SSO session expired').waitFor();
    await expect(problem.getByLabel('Command to run').textContent()).resolves.toBe(
      'aws sso login --profile corp',
    );
    await screenshotBothThemes(app, 'aws-profile-sso');

    await chooseOption(page, 'AWS profile', 'admin-mfa');
    const mfa = page.getByRole('dialog', { name: 'MFA code needed' });
    await mfa.getByText('arn:aws:iam::111122223333:mfa/ops').waitFor();
    await screenshotBothThemes(app, 'aws-mfa-dialog');
    await mfa.getByRole('textbox').first().click();
    await page.keyboard.type('123456');
    await mfa.getByRole('button', { name: 'Continue' }).click();
    await mfa.waitFor({ state: 'detached' });
    // The code went to the credential provider, which then tried to reach STS (and cannot, offline).
    await problem.waitFor();

    await chooseOption(page, 'AWS profile', 'Sandbox (simulated, offline)');
    await header(page).getByText('Account 123456789012').waitFor();
    await chooseOption(page, 'Region', /^eu-west-1/);
    await poll(() => bridge.ctx.settings.get()).toMatchObject({ profile: 'sandbox', region: 'eu-west-1' });
    await header(page).getByText('Account 123456789012').waitFor();
    await screenshotBothThemes(app, 'aws-header-sandbox');
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('checks permissions, copies the policy, and fills launch settings with the pickers only', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await header(page).getByText('Account 123456789012').waitFor();
    const { store, sandbox } = bridge.ctx.runtime;
    await store.projects.create({
      name: 'pickers',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      initScript: '#!/bin/bash\necho hi\n',
    });
    await page.keyboard.press('Control+2');
    await page.keyboard.press('Control+1');
    await page.getByRole('button', { name: 'pickers', exact: true }).click();

    await page.getByRole('tab', { name: 'AWS access' }).click();
    sandbox.running!.sim.setDryRunAllowed('CreateImage', false);
    await page.getByRole('button', { name: 'Check permissions' }).click();
    const results = page.getByRole('table', { name: 'Permission results' });
    const createImage = results.getByRole('row').filter({ hasText: 'ec2:CreateImage' });
    await createImage.getByText('Denied').waitFor();
    await createImage.getByText('UnauthorizedOperation').waitFor();
    await page.getByText('1 of 12 actions would fail').waitFor();
    expect(await results.getByText('Allowed', { exact: true }).count()).toBe(11);
    sandbox.running!.sim.setDryRunAllowed('CreateImage', true);

    const copy = page.getByRole('button', { name: 'Copy policy' });
    await page
      .getByLabel('Policy JSON')
      .getByText(/"Version": "2012-10-17"/)
      .waitFor();
    await copy.click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = IamPolicySchema.parse(
      JSON.parse(await page.evaluate(() => navigator.clipboard.readText())),
    );
    expect(JSON.stringify(copied)).toContain(':123456789012:');
    await screenshotBothThemes(app, 'aws-access');

    // Launch settings, every id from a picker.
    await page.getByRole('tab', { name: 'Launch settings' }).click();
    await chooseOption(page, 'Public alias', 'Ubuntu 24.04 LTS (latest, arm64)');
    await page
      .getByLabel('Base image today')
      .getByText(/ubuntu-noble-24\.04-arm64/)
      .waitFor();
    // The project's t3.micro stays visible, flagged; everything offered runs arm64.
    await page.getByText('t3.micro is not offered for arm64 images in this region.').waitFor();
    await page.getByRole('combobox', { name: 'Instance type' }).click();
    const offered = (await page.getByRole('option').allTextContents()).filter((t) => t !== 't3.micro');
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.every((t) => /^(t4g|m7g)\./.test(t))).toBe(true);
    await page.getByRole('option', { name: /^t4g\.small · 2 vCPU · 2 GiB/ }).click();

    await page.getByText('Specific AMI', { exact: true }).click();
    await page.getByRole('button', { name: 'Search images' }).click();
    const found = page.getByRole('table', { name: 'Matching images' });
    await found.getByRole('row').nth(1).waitFor();
    await found
      .getByRole('button', { name: /^Use al2023-ami-/ })
      .first()
      .click();
    await poll(() => page.getByLabel('AMI id').inputValue()).toMatch(/^ami-[0-9a-f]{17}$/);
    const imageId = await page.getByLabel('AMI id').inputValue();
    await page.getByLabel('Base image today').getByText(imageId, { exact: false }).waitFor();
    await page.getByText('t4g.small is not offered for x86_64 images in this region.').waitFor();
    await chooseOption(page, 'Instance type', /^t3\.small · 2 vCPU · 2 GiB/);

    await chooseOption(page, 'Subnet', /us-east-1b/);
    await page.getByRole('combobox', { name: 'Security groups' }).click();
    await page.getByRole('option', { name: /^default \(sg-/ }).click();
    await page.keyboard.press('Escape');
    await screenshotBothThemes(app, 'aws-launch-settings');
    await page.keyboard.press('Control+s');
    await page.getByText('Unsaved changes').waitFor({ state: 'detached' });

    const saved = (await store.projects.get('pickers'))!.project;
    expect(saved.baseImage).toEqual({ kind: 'id', imageId });
    expect(saved.instanceType).toBe('t3.small');
    expect(saved.subnetId).toMatch(/^subnet-/);
    expect(saved.securityGroupIds).toEqual([expect.stringMatching(/^sg-/)]);
    expect(app.errors).toEqual([]);
    await app.close();
  });

  it('shows what IAM says of the builder’s instance role: a denial per environment, the reads, and where the policy is', async () => {
    const app = await openApp(browser());
    const { page, bridge } = app;
    await header(page).getByText('Account 123456789012').waitFor();
    const { store, sandbox } = bridge.ctx.runtime;
    await store.projects.create({
      name: 'secrets',
      baseImage: {
        kind: 'ssm',
        parameter: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      },
      initScript: '#!/bin/bash\necho hi\n',
      iamInstanceProfile: 'prod-only',
      env: {
        APP_MODE: 'dev',
        DB_PASSWORD: { ssm: '/app/dev/db-password' },
        API_TOKEN: { secretsManager: 'prod/api', key: 'token' },
      },
      environments: {
        prod: { env: { APP_MODE: 'prod', DB_PASSWORD: { ssm: '/app/prod/db-password' } } },
      },
    });
    // The secret exists (one that does not is "no such secret"): its full ARN is what IAM is asked about.
    const sm = new SecretsManagerClient(sandboxClientConfig(sandbox.running!, { region: 'us-east-1' }));
    const { ARN: secretArn } = await sm.send(
      new CreateSecretCommand({ Name: 'prod/api', SecretString: '{"token":"t"}' }),
    );
    sm.destroy();
    // The role may read the prod parameter and nothing else.
    sandbox.running!.sim.putRole('prod-only', {
      ProdParameters: {
        Statement: {
          Effect: 'Allow',
          Action: 'ssm:GetParameters',
          Resource: 'arn:aws:ssm:*:*:parameter/app/prod/*',
        },
      },
    });
    await page.keyboard.press('Control+2');
    await page.keyboard.press('Control+1');
    await page.getByRole('button', { name: 'secrets', exact: true }).click();
    await page.getByRole('tab', { name: 'AWS access' }).click();
    await page.getByRole('button', { name: 'Check permissions' }).click();

    await page.getByText("The builder's instance role falls short").waitFor();
    const section = page.getByRole('region', { name: "Builder's instance role" });
    const own = section.getByLabel("Builder role for the project's own values");
    await own.getByText('Denied', { exact: true }).waitFor();
    await own
      .getByText('Role prod-only may not read 2 of 2 references: a bake fails in preflight.')
      .waitFor();
    await own.getByText('arn:aws:iam::123456789012:role/prod-only').waitFor();
    const password = own.getByRole('row').filter({ hasText: 'DB_PASSWORD' });
    await password.getByText('arn:aws:ssm:us-east-1:123456789012:parameter/app/dev/db-password').waitFor();
    await password.getByText('Denied (implicitDeny)').waitFor();
    const token = own.getByRole('row').filter({ hasText: 'API_TOKEN' });
    await token.getByText('secretsmanager:GetSecretValue').waitFor();
    await token.getByText(secretArn!, { exact: true }).waitFor();
    await token.getByText('Denied (implicitDeny)').waitFor();

    const prod = section.getByLabel('Builder role for environment prod');
    await prod
      .getByText('Role prod-only may not read 1 of 2 references: a bake fails in preflight.')
      .waitFor();
    await prod
      .getByRole('row')
      .filter({ hasText: 'DB_PASSWORD' })
      .getByText('Allowed', { exact: true })
      .waitFor();

    await own.getByRole('button', { name: 'builder instance-role policy' }).click();
    await page.getByRole('region', { name: 'Instance-role policy' }).waitFor();
    await poll(() =>
      page
        .getByRole('region', { name: 'Instance-role policy' })
        .evaluate((e) => e.getBoundingClientRect().top < window.innerHeight),
    ).toBe(true);
    await screenshotBothThemes(app, 'aws-builder-role');

    // The identity may not ask IAM: said so, and not a failure.
    sandbox.running!.sim.setCallerAllowed('iam:SimulatePrincipalPolicy', false);
    await page.getByRole('button', { name: 'Check permissions' }).click();
    await own.getByText('Not checkable', { exact: true }).waitFor();
    await own
      .getByText(
        /^iam:SimulatePrincipalPolicy is not allowed for this identity, so the role was not checked\./,
      )
      .waitFor();
    await page.getByText('All 12 actions are allowed').waitFor();
    expect(app.errors).toEqual([]);
    await app.close();
  });
});
