import { describe, expect, it } from 'vitest';
import { systemTopicLengthMax, topicLengthMax } from './limits.ts';
import {
  dlqTopic,
  groupLengthMax,
  groupOfRetryOrDlqTopic,
  isNotAllowedSendTopic,
  isSystemGroup,
  isSystemTopic,
  popRetryTopic,
  retryTopic,
  validateGroupName,
  validateTopicName,
} from './topic-names.ts';

describe('topic names', () => {
  it('accept the allowed characters', () => {
    expect(validateTopicName('%RETRY%a|b-c_D9')).toEqual({ ok: true });
  });

  it('refuse blank names and other characters, naming the character', () => {
    expect(validateTopicName('').ok).toBe(false);
    const dotted = validateTopicName('a.b');
    expect(dotted.ok).toBe(false);
    if (!dotted.ok) expect(dotted.reason).toContain('"."');
    expect(validateTopicName('tópico').ok).toBe(false);
  });

  it('allow 127 characters and refuse 128', () => {
    expect(validateTopicName('t'.repeat(topicLengthMax)).ok).toBe(true);
    expect(validateTopicName('t'.repeat(topicLengthMax + 1)).ok).toBe(false);
  });

  it('allow retry and DLQ topics up to 255 characters', () => {
    expect(validateTopicName(retryTopic('g'.repeat(systemTopicLengthMax - 7))).ok).toBe(true);
    expect(validateTopicName(retryTopic('g'.repeat(systemTopicLengthMax - 6))).ok).toBe(false);
    expect(validateTopicName(dlqTopic('g'.repeat(systemTopicLengthMax - 5))).ok).toBe(true);
  });

  it('know system topics and the ones clients may not send to', () => {
    expect(isSystemTopic('TBW102')).toBe(true);
    expect(isSystemTopic('rmq_sys_REVIVE_LOG_DefaultCluster')).toBe(true);
    expect(isSystemTopic('TopicTest')).toBe(false);
    expect(isNotAllowedSendTopic('RMQ_SYS_TRANS_HALF_TOPIC')).toBe(true);
    expect(isNotAllowedSendTopic('TBW102')).toBe(false);
  });

  it('derive retry, DLQ and pop retry topics', () => {
    expect(retryTopic('CG')).toBe('%RETRY%CG');
    expect(dlqTopic('CG')).toBe('%DLQ%CG');
    expect(popRetryTopic('CG', 'T', false)).toBe('%RETRY%CG_T');
    expect(popRetryTopic('CG', 'T', true)).toBe('%RETRY%CG+T');
    expect(groupOfRetryOrDlqTopic('%DLQ%CG')).toBe('CG');
    expect(groupOfRetryOrDlqTopic('T')).toBeUndefined();
  });
});

describe('group names', () => {
  it('allow 120 characters and refuse 121', () => {
    expect(validateGroupName('g'.repeat(groupLengthMax)).ok).toBe(true);
    expect(validateGroupName('g'.repeat(groupLengthMax + 1)).ok).toBe(false);
  });

  it('know system groups', () => {
    expect(isSystemGroup('CLIENT_INNER_PRODUCER')).toBe(true);
    expect(isSystemGroup('CID_RMQ_SYS_REVIVE_GROUP')).toBe(true);
    expect(isSystemGroup('CG_demo')).toBe(false);
  });
});
