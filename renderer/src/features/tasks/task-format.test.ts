import { describe, expect, it } from 'vitest';
import { translatorFor } from '../../i18n/translate';
import { taskDescription, taskDuration, taskOutcome } from './task-format';

describe('task format', () => {
  it('reads the exit status the PVE way', () => {
    expect(taskOutcome({ status: 'running' })).toEqual({ kind: 'running' });
    expect(taskOutcome({ status: 'stopped', exitstatus: 'OK' })).toEqual({ kind: 'ok' });
    expect(taskOutcome({ status: 'stopped', exitstatus: 'WARNINGS: 3' })).toEqual({ kind: 'warnings', count: 3 });
    expect(taskOutcome({ status: 'stopped', exitstatus: 'ERROR: cancelled' })).toEqual({
      kind: 'error',
      message: 'cancelled',
    });
    expect(taskOutcome({ status: 'stopped', exitstatus: 'qemu-img failed' })).toEqual({
      kind: 'error',
      message: 'qemu-img failed',
    });
    expect(taskOutcome({ status: 'stopped' })).toEqual({ kind: 'error', message: '' });
  });

  it('describes known task types in both languages and passes unknown ones through', () => {
    expect(taskDescription('node.check', translatorFor('en'))).toBe('Node check');
    expect(taskDescription('node.check', translatorFor('zh-CN'))).toBe('节点检查');
    expect(taskDescription('vm.frobnicate', translatorFor('zh-CN'))).toBe('vm.frobnicate');
  });

  it('measures running tasks to now and stopped ones to their end', () => {
    expect(taskDuration({ starttime: 100 }, 160)).toBe(60);
    expect(taskDuration({ starttime: 100, endtime: 130 }, 999)).toBe(30);
  });
});
