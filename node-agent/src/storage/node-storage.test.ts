import { describe, expect, it } from 'vitest';
import { StorageType } from './plugin';
import { builtinRegistry } from './node-storage';

describe('the built-in plugins', () => {
  it('serve every storage type, each under its own type', () => {
    const registry = builtinRegistry();
    expect([...registry.keys()].sort()).toEqual([...StorageType.options].sort());
    for (const [type, plugin] of registry) expect(plugin.type).toBe(type);
  });
});
