import { historyOptions } from '../../src/cli/generate.command';

// `mappa generate --scale` looks its preset up by name: names of object properties are no preset.

describe('mappa generate --scale', () => {
  it.each(['constructor', '__proto__', 'toString'])('refuses %s with the list of scales', (scale) => {
    expect(() => historyOptions({ scale })).toThrow(/--scale must be one of .*, not '/);
  });

  it('echoes at most 64 characters of a bad scale', () => {
    expect(() => historyOptions({ scale: 'x'.repeat(500) })).toThrow(new RegExp(`not '${'x'.repeat(64)}…'\\.$`));
  });
});
