import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsIn } from './redact.js';

describe('redactUrl', () => {
  it('hides the password and credential query values, keeping the rest', () => {
    expect(redactUrl('postgres://app:hunter2@db:5432/ops')).toBe('postgres://app:***@db:5432/ops');
    expect(redactUrl('https://mcp.example/mcp?token=abc&region=eu&api_key=k&X-Amz-Signature=s&sig=1')).toBe(
      'https://mcp.example/mcp?token=***&region=eu&api_key=***&X-Amz-Signature=***&sig=***',
    );
    expect(redactUrl('https://mcp.example/mcp?keyboard=1&monkey=2')).toBe('https://mcp.example/mcp?keyboard=1&monkey=2');
  });

  it('returns non-URLs and clean URLs exactly as given', () => {
    expect(redactUrl('node dist/server.js crm')).toBe('node dist/server.js crm');
    expect(redactUrl('http://127.0.0.1:8790/mcp')).toBe('http://127.0.0.1:8790/mcp');
  });
});

describe('redactUrlsIn', () => {
  it('redacts every URL quoted in a message', () => {
    expect(redactUrlsIn('fetch http://u:p@h/x?access_token=t failed; see https://h/y')).toBe('fetch http://u:***@h/x?access_token=*** failed; see https://h/y');
  });
});
