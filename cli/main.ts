import { Command } from 'commander';
import { registerMedia } from './media.js';
import { registerRedrive } from './redrive.js';
import { registerAgent } from './agent.js';
import { registerFtp } from './ftp.js';
import { registerCalibrate } from './calibrate.js';

/** `panoptes <capability> <command>`: the operator CLI. Each capability registers its commands here. */
const program = new Command('panoptes')
  .description('panoptes operator CLI (talks to the HTTP API)')
  .showHelpAfterError();

const registrations: Array<(program: Command) => void> = [
  registerMedia,
  registerRedrive,
  registerAgent,
  registerFtp,
  registerCalibrate,
];
for (const register of registrations) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`panoptes: ${(err as Error).message}`);
  process.exitCode = 1;
}
