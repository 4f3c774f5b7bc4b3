/**
 * The named profiles of the shared AWS config and credentials files, as the AWS CLI finds them
 * (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials). Read
 * to name a profile that does not exist, before the SDK reports it as a missing region, and for the
 * account a profile names (`iam-policy --side`, which asks AWS nothing).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function knownProfiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME ?? os.homedir();
  const files = [
    { file: env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'), config: true },
    { file: env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'), config: false },
  ];
  const names = new Set<string>();
  for (const { file, config } of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(/^\s*\[\s*([^\]]+?)\s*\]\s*$/gm)) {
      const section = match[1]!;
      // The config file names profiles `[profile x]` (and `[default]`); other sections are not profiles.
      if (config) {
        if (section === 'default') names.add('default');
        else if (section.startsWith('profile ')) names.add(section.slice('profile '.length).trim());
      } else {
        names.add(section);
      }
    }
  }
  return [...names].sort();
}

/** What a profile says of where it works and as which account, read without asking AWS. */
export interface ProfileDefaults {
  /** The region the SDK resolves for it (AWS_REGION first, as for a run, then the profile's `region`). */
  region?: string;
  /**
   * The account its credentials belong to, when the profile names one: the account of its `role_arn`,
   * its `sso_account_id`, or its `aws_account_id`. Absent for plain keys or a credential_process.
   */
  account?: string;
}

/**
 * A profile's region and account, for `iam-policy --side`, which needs no credentials: nothing is
 * fetched (no SSO token, no AssumeRole, no STS). `profile` undefined: AWS_PROFILE, else the default
 * chain's region and no account. A profile that does not exist gives nothing.
 */
export async function profileDefaults(
  profile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProfileDefaults> {
  const name = profile ?? env.AWS_PROFILE;
  const settings = name ? profileSettings(name, env) : undefined;
  if (name && !settings) return {};
  const found: ProfileDefaults = {};
  const region = await sdkRegion(profile);
  if (region) found.region = region;
  const roleAccount = /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(settings?.role_arn ?? '')?.[1];
  const account = roleAccount ?? settings?.sso_account_id ?? settings?.aws_account_id;
  if (account && /^\d{12}$/.test(account)) found.account = account;
  return found;
}

/** The region the SDK resolves for a client of this profile (no request is made). */
async function sdkRegion(profile: string | undefined): Promise<string | undefined> {
  const client = new DynamoDBClient(profile ? { profile } : {});
  try {
    return (await client.config.region()) || undefined;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/**
 * One profile's top-level settings from the config file (`[profile NAME]`, `[default]`) and the
 * credentials file (`[NAME]`), the config file's winning; undefined when neither has the profile.
 */
export function profileSettings(
  profile: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> | undefined {
  const home = env.HOME ?? os.homedir();
  const files = [
    {
      file: env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
      section: profile,
    },
    {
      file: env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
      section: profile === 'default' ? 'default' : `profile ${profile}`,
    },
  ];
  let settings: Record<string, string> | undefined;
  for (const { file, section } of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    let inside = false;
    for (const line of text.split(/\r?\n/)) {
      const header = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line);
      if (header) {
        inside = header[1]!.replace(/\s+/g, ' ') === section;
        if (inside) settings ??= {};
        continue;
      }
      // Indented lines are a nested setting's (s3 =, services): not the profile's own.
      const pair = /^([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
      if (inside && pair && settings) settings[pair[1]!.toLowerCase()] = pair[2]!;
    }
  }
  return settings;
}
