#!/usr/bin/env node
// The AWS SDK warns on every run under Node 20 that future SDK releases will need Node 22. This
// release supports Node >= 20 with the SDK pinned in the lock file, so the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
