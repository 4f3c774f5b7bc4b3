/**
 * The named profiles of the shared AWS config and credentials files, as the AWS CLI finds them
 * (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials). Read
 * only to name a profile that does not exist, before the SDK reports it as a missing region.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
