import { describe, expect, it } from 'vitest';
import { UsageError } from '../../shared/errors.js';
import { DEFAULT_SMTP_FROM, smtpSettingsFromEnv } from './smtp.js';

describe('smtpSettingsFromEnv', () => {
  it('is undefined without SMTP_URL, or with an empty one', () => {
    expect(smtpSettingsFromEnv({})).toBeUndefined();
    expect(smtpSettingsFromEnv({ SMTP_URL: '  ', SMTP_FROM: 'ignored' })).toBeUndefined();
  });

  it('takes smtp:// and smtps:// URLs, with the default or the given sender', () => {
    expect(smtpSettingsFromEnv({ SMTP_URL: 'smtp://127.0.0.1:2525' })).toEqual({
      url: 'smtp://127.0.0.1:2525',
      from: DEFAULT_SMTP_FROM,
    });
    expect(
      smtpSettingsFromEnv({ SMTP_URL: ' smtps://user:pass@mail.example.com ', SMTP_FROM: 'Shop <shop@example.com>' }),
    ).toEqual({
      url: 'smtps://user:pass@mail.example.com',
      from: 'Shop <shop@example.com>',
    });
    expect(smtpSettingsFromEnv({ SMTP_URL: 'smtp://mail.example.com', SMTP_FROM: 'shop@example.com' })?.from).toBe(
      'shop@example.com',
    );
  });

  it('rejects a malformed SMTP_URL with one line that says what is expected, never echoing the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['not a url', /^SMTP_URL is not a URL; expected smtp:\/\//],
      ['http://mail.example.com', /^SMTP_URL must start with smtp:\/\/ or smtps:\/\/ \(got http:\/\/\)/],
      ['mailto:someone@example.com', /^SMTP_URL must start with smtp:\/\//],
      ['smtp://user:s3cret@:25', /^SMTP_URL (is not a URL|has no host)/],
      ['smtp:///path', /^SMTP_URL has no host/],
    ];
    for (const [url, message] of cases) {
      let thrown: unknown;
      try {
        smtpSettingsFromEnv({ SMTP_URL: url });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, url).toBeInstanceOf(UsageError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain('s3cret');
      expect((thrown as Error).message).not.toContain('\n');
    }
  });

  it('rejects an SMTP_FROM that is not an address', () => {
    for (const from of ['bad', 'Shop <not an address>', 'Shop <shop@example.com', 'a@b.c\r\nBcc: x@y.z']) {
      expect(() => smtpSettingsFromEnv({ SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: from }), from).toThrow(
        /^SMTP_FROM is not a sender address/,
      );
    }
  });
});
