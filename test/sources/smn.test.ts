/**
 * SMN envelopes: the exact string SMN signs, and which URLs a message may make dr-relay fetch.
 */
import { describe, expect, it } from 'vitest';
import {
  isAllowedSmnUrl,
  type SmnMessage,
  SmnMessageSchema,
  smnStringToSign,
} from '../../lib/sources/smn.ts';

const TOPIC = 'urn:smn:cn-north-4:74dc9e44d0cc4573adfce91cdfdd3ba9:demo';
const notification = (subject?: string | null): SmnMessage => ({
  type: 'Notification',
  signature: 'x',
  signature_version: 'v1',
  signing_cert_url: 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem',
  message_id: '88c726942175432bac921eafd0036163',
  topic_urn: TOPIC,
  timestamp: '2016-08-15T07:29:16Z',
  message: 'My test message',
  ...(subject === undefined ? {} : { subject }),
});

describe('smnStringToSign', () => {
  it('signs a Notification as key\\nvalue\\n in alphabetical order, subject included', () => {
    expect(smnStringToSign(notification('demo'))).toBe(
      'message\nMy test message\n' +
        'message_id\n88c726942175432bac921eafd0036163\n' +
        'subject\ndemo\n' +
        'timestamp\n2016-08-15T07:29:16Z\n' +
        `topic_urn\n${TOPIC}\n` +
        'type\nNotification\n',
    );
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['null', null],
  ])('leaves the subject out when it is %s', (_case, subject) => {
    expect(smnStringToSign(notification(subject))).toBe(
      'message\nMy test message\n' +
        'message_id\n88c726942175432bac921eafd0036163\n' +
        'timestamp\n2016-08-15T07:29:16Z\n' +
        `topic_urn\n${TOPIC}\n` +
        'type\nNotification\n',
    );
  });

  it.each(['SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const)(
    'signs a %s with subscribe_url and without subject',
    (type) => {
      // Prepare
      const message: SmnMessage = {
        type,
        signature: 'x',
        signature_version: 'v1',
        signing_cert_url: 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem',
        message_id: 'def5c309cbff44d5a870787ed937edf8',
        topic_urn: TOPIC,
        timestamp: '2016-08-15T07:29:16Z',
        message: 'You are invited to subscribe to topic',
        subscribe_url: 'https://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=t',
      };

      // Act
      const text = smnStringToSign(message);

      // Assess
      expect(text).toBe(
        'message\nYou are invited to subscribe to topic\n' +
          'message_id\ndef5c309cbff44d5a870787ed937edf8\n' +
          'subscribe_url\nhttps://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=t\n' +
          'timestamp\n2016-08-15T07:29:16Z\n' +
          `topic_urn\n${TOPIC}\n` +
          `type\n${type}\n`,
      );
    },
  );
});

describe('isAllowedSmnUrl', () => {
  it.each([
    'https://smn.cn-north-4.myhuaweicloud.com/smn/SMN_cn-north-4_8d6b1c2e4f0a49b7a3c5e9d1f2b4a6c8.pem',
    'https://smn.cn-north-9.myhuaweicloud.com/smn/SMN_cn-north-9_94f60ccdfbee4588aa4d555935a56ba3.pem',
    'https://smn.ap-southeast-1.myhuaweicloud.com/cert.pem',
    'https://smn.eu-west-101.myhuaweicloud.eu/smn/cert.pem',
    'https://smn.cn-southwest-2.myhuaweicloud.cn/smn/cert.pem',
    'https://smn.sa-brazil-1.myhuaweicloud.com/smn/cert.pem',
    'https://smn.cn-north-4.myhuaweicloud.com:443/smn/cert.pem',
    'HTTPS://SMN.CN-NORTH-4.MYHUAWEICLOUD.COM/smn/cert.pem',
  ])('allows the certificate URL %s', (url) => {
    expect(isAllowedSmnUrl(url, 'cert')).toBe(true);
  });

  it.each([
    ['http', 'http://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['not .pem', 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert.crt'],
    ['.pem only in the query', 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert?x=.pem'],
    ['a query after .pem', 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem?x=1'],
    ['an encoded dot', 'https://smn.cn-north-4.myhuaweicloud.com/smn/cert%2Epem'],
    ['a look-alike suffix', 'https://smn.cn-north-4.myhuaweicloud.com.evil.com/smn/cert.pem'],
    ['a look-alike prefix', 'https://evilsmn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['a look-alike domain', 'https://smn.cn-north-4.evilmyhuaweicloud.com/smn/cert.pem'],
    ['a sub-subdomain', 'https://a.smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['an encoded-dot host', 'https://smn.cn-north-4.myhuaweicloud.com%2eevil.com/smn/cert.pem'],
    ['a trailing-dot host', 'https://smn.cn-north-4.myhuaweicloud.com./smn/cert.pem'],
    ['no region', 'https://smn.myhuaweicloud.com/smn/cert.pem'],
    ['a region that does not exist', 'https://smn.zz-evil-999.myhuaweicloud.com/smn/cert.pem'],
    ['a region-shaped unknown region', 'https://smn.cn-north-99.myhuaweicloud.com/smn/cert.pem'],
    ['the documentation placeholder', 'https://smn.region.myhuaweicloud.com/smn/cert.pem'],
    ['another service', 'https://obs.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['another TLD', 'https://smn.cn-north-4.myhuaweicloud.net/smn/cert.pem'],
    ['userinfo', 'https://user:pw@smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['empty userinfo', 'https://@smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['userinfo hiding the host', 'https://smn.cn-north-4.myhuaweicloud.com@evil.com/smn/cert.pem'],
    ['another port', 'https://smn.cn-north-4.myhuaweicloud.com:8443/smn/cert.pem'],
    ['port 80', 'https://smn.cn-north-4.myhuaweicloud.com:80/smn/cert.pem'],
    ['an IPv4 literal', 'https://100.125.1.1/smn/cert.pem'],
    ['an IPv6 literal', 'https://[::1]/smn/cert.pem'],
    ['a backslash', 'https://evil.com\\@smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['a newline', 'https://smn.cn-north-4.myhuaweicloud.com/smn/ce\nrt.pem'],
    ['a leading space', ' https://smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['a single slash', 'https:/smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['no scheme', '//smn.cn-north-4.myhuaweicloud.com/smn/cert.pem'],
    ['file', 'file:///etc/smn.cn-north-4.myhuaweicloud.com.pem'],
    ['not a URL', 'not a url'],
    ['empty', ''],
  ])('refuses the certificate URL with %s', (_case, url) => {
    expect(isAllowedSmnUrl(url, 'cert')).toBe(false);
  });

  it.each([
    'https://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=abc&topic_urn=urn:smn:cn-north-4:p:t',
    'https://console.huaweicloud.com/smn/subscription/confirm?token=abc&region=cn-north-4',
    'https://console-intl.huaweicloud.com/smn/subscription/confirm?token=abc',
    'https://console.eu.huaweicloud.com/smn/subscription/confirm?token=abc',
    'https://sa-brazil-1-console.huaweicloud.com/smn/subscription/confirm?token=abc&region=sa-brazil-1',
    'https://ap-southeast-3-console.huaweicloud.com/smn/subscription/confirm?token=abc',
  ])('allows the subscription URL %s', (url) => {
    expect(isAllowedSmnUrl(url, 'subscribe')).toBe(true);
  });

  it.each([
    ['outside SMN', 'https://evil.example.com/smn/subscription/confirm?token=abc'],
    [
      'the SMN host only in the query',
      'https://evil.example.com/confirm?host=smn.cn-north-4.myhuaweicloud.com',
    ],
    ['http', 'http://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=abc'],
    ['a console look-alike', 'https://console.huaweicloud.com.evil.com/smn/subscription/confirm?token=abc'],
    ['another console path', 'https://console.huaweicloud.com/iam/users?token=abc'],
    ['a console unsubscribe', 'https://console.huaweicloud.com/smn/subscription/unsubscribe?token=abc'],
    ['a metadata address', 'https://169.254.169.254/latest/meta-data/'],
    ['another port', 'https://smn.cn-north-4.myhuaweicloud.com:9443/smn/subscription/confirm'],
    ['userinfo', 'https://a@smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm'],
    [
      'a regional console of a region that does not exist',
      'https://zz-evil-999-console.huaweicloud.com/smn/subscription/confirm?token=abc',
    ],
    [
      'a regional console on another path',
      'https://sa-brazil-1-console.huaweicloud.com/smn/subscription/unsubscribe?token=abc',
    ],
    [
      'a regional console look-alike',
      'https://sa-brazil-1-console.huaweicloud.com.evil.com/smn/subscription/confirm?token=abc',
    ],
    ['an SMN host of a region that does not exist', 'https://smn.zz-evil-999.myhuaweicloud.com/smn/x'],
  ])('refuses the subscription URL %s', (_case, url) => {
    expect(isAllowedSmnUrl(url, 'subscribe')).toBe(false);
  });

  it('never allows a console URL as a certificate', () => {
    expect(isAllowedSmnUrl('https://console.huaweicloud.com/smn/subscription/confirm.pem', 'cert')).toBe(
      false,
    );
  });
});

describe('SmnMessageSchema: no line break in a signed field but message', () => {
  it.each(['message_id', 'subject', 'timestamp', 'topic_urn'])('refuses a line break in %s', (field) => {
    // Prepare
    const message = { ...notification('demo'), [field]: 'a\nb' };

    // Act
    const result = SmnMessageSchema.safeParse(message);

    // Assess
    expect(result.error?.issues.map((i) => i.path.join('.'))).toStrictEqual([field]);
  });

  it('refuses a line break in subscribe_url, and accepts one in message', () => {
    // Prepare
    const confirmation = {
      ...notification(),
      type: 'SubscriptionConfirmation',
      subscribe_url: 'https://smn.cn-north-4.myhuaweicloud.com/smn/subscription/confirm?token=t\n',
    };

    // Act
    const refused = SmnMessageSchema.safeParse(confirmation);
    const accepted = SmnMessageSchema.safeParse({ ...notification('demo'), message: 'line 1\nline 2' });

    // Assess
    expect(refused.error?.issues.map((i) => i.path.join('.'))).toStrictEqual(['subscribe_url']);
    expect(accepted.success).toBe(true);
  });
});
