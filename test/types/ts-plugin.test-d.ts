/**
 * The published types of whizbang/ts-plugin (ts-plugin/index.d.cts, written by hand because the
 * plugin is CommonJS) are the source's: the factory, its plugin and options, both ways.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type published from '../../ts-plugin/index.d.cts';
import type source from '../../ts-plugin/mod.ts';
import type {
  WhizbangPlugin,
  WhizbangPluginConfig,
  WhizbangPluginInfo,
} from '../../ts-plugin/mod.ts';

describe('whizbang/ts-plugin types', () => {
  it('the factory is the same function', () => {
    expectTypeOf<typeof published>().toEqualTypeOf<typeof source>();
  });

  it('its plugin, info and options are the same', () => {
    expectTypeOf<published.WhizbangPlugin>().toEqualTypeOf<WhizbangPlugin>();
    expectTypeOf<published.WhizbangPluginInfo>().toEqualTypeOf<WhizbangPluginInfo>();
    expectTypeOf<published.WhizbangPluginConfig>().toEqualTypeOf<WhizbangPluginConfig>();
  });
});
