// Reads the repo's Dockerfile into stages and instructions, so tests can hold it to what CI runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './server-process';

export interface Instruction {
  /** Upper case: FROM, RUN, COPY… */
  name: string;
  /** The arguments as written, continuation lines joined. */
  args: string;
}

export interface Stage {
  /** `FROM <image> AS <name>`: the image and the name (if any). */
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions in order, comments and blank lines dropped, `\` continuations joined. */
export function readInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (pending !== '' && line.startsWith('#')) continue;
    pending += (pending ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const [, name = '', args = ''] = /^(\S+)\s*(.*)$/.exec(pending) ?? [];
    instructions.push({ name: name.toUpperCase(), args });
    pending = '';
  }
  return instructions;
}

export function readStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of readInstructions(text)) {
    if (instruction.name === 'FROM') {
      const [image = '', as, name] = instruction.args.split(/\s+/);
      stages.push({
        image,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

export function repoDockerfile(): Stage[] {
  return readStages(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
}

/** An exec-form argument list (`["node", "x"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  return JSON.parse(args) as string[];
}

/** The HEALTHCHECK's command as an argument list, its options dropped. */
export function healthcheckCommand(stage: Stage): string[] | undefined {
  const check = stage.instructions.find((i) => i.name === 'HEALTHCHECK');
  const cmd = check && /\bCMD\s+(.*)$/.exec(check.args)?.[1];
  return cmd ? execForm(cmd) : undefined;
}
