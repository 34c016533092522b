import { createInterface } from 'node:readline/promises';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ElicitationQuestion } from '../agent/elicitation.js';
import type { ElicitationSchema } from '../agent/elicitation-schema.js';
import { promptForElicitation } from './approval-prompt.js';

const QUESTION: ElicitationQuestion = {
  approvalId: 'AP-1',
  server: 'ops',
  tool: 'deploy',
  message: 'Deploy to production?',
  schema: {
    type: 'object',
    properties: {
      confirm: { type: 'boolean', title: 'Confirm', default: false },
      replicas: { type: 'integer', minimum: 1, maximum: 5 },
    },
    required: ['confirm', 'replicas'],
  } as ElicitationSchema,
  expiresAt: '2030-01-01T00:00:00.000Z',
};

/** Plays `answers` to the prompt, one per question it asks; returns what it answered and what it printed. */
async function play(answers: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
    // readline takes a line only while a question is open: answer each one as it is asked.
    if (printed.endsWith('› ')) input.write(`${answers.shift() ?? ''}\n`);
  });
  const lines = createInterface({ input, output });
  try {
    const answer = await promptForElicitation(
      lines,
      QUESTION,
      output as unknown as NodeJS.WriteStream,
      new AbortController().signal,
    );
    return { answer, printed };
  } finally {
    lines.close();
  }
}

describe('promptForElicitation', () => {
  it('asks each field with its default, refusing what does not fit until it does', async () => {
    const { answer, printed } = await play(['a', '', 'nine', '9', '3']);
    expect(answer).toMatchObject({ action: 'accept', content: { confirm: false, replicas: 3 } });
    expect(printed).toContain('ops.deploy asks: Deploy to production?');
    expect(printed).toContain('Confirm (yes/no, Enter for no)');
    expect(printed).toContain("'replicas' must be a number; try again.");
    expect(printed).toContain("'replicas' must be at most 5; try again.");
  });

  it.each([
    ['d', 'decline'],
    ['c', 'cancel'],
  ])('takes %s as %s', async (choice, action) => {
    expect((await play([choice])).answer).toMatchObject({ action });
  });
});
