// How command-line words become parameter values, JSON objects included (storage definitions, property sets).
import { describe, expect, it } from 'vitest';
import { coerce } from './param-spec';

describe('coerce', () => {
  it('reads numbers, booleans and plain strings by their kind', () => {
    expect(coerce('integer', '42')).toBe(42);
    expect(coerce('integer', 'x')).toBeUndefined();
    expect(coerce('boolean', 'yes')).toBe(true);
    expect(coerce('boolean', 'maybe')).toBeUndefined();
    expect(coerce('string', '{"a":1}')).toBe('{"a":1}');
  });

  it('reads JSON for object-valued parameters, and refuses broken JSON', () => {
    expect(coerce('any', '{"type":"dir","id":"isos","path":"/srv/isos","content":["iso"]}')).toEqual({
      type: 'dir',
      id: 'isos',
      path: '/srv/isos',
      content: ['iso'],
    });
    expect(coerce('any', '["a","b"]')).toEqual(['a', 'b']);
    expect(coerce('any', '{"type":')).toBeUndefined();
    expect(coerce('any', '7')).toBe(7);
    expect(coerce('any', 'plain')).toBe('plain');
  });
});
