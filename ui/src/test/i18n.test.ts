import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zh from '../locales/zh-CN.json';
import en from '../locales/en.json';
import { EXPERTISE, LANGUAGES, ROLES, STATUSES } from '../lib/catalog';

function keys(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name: string) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'bindings' || name === 'test' ? [] : sources(path);
    return /\.(svelte|ts)$/.test(name) ? [readFileSync(path, 'utf8')] : [];
  });
}

const zhKeys = new Set(keys(zh));
const enKeys = new Set(keys(en));

describe('i18n', () => {
  it('has every key in both languages', () => {
    expect([...zhKeys].filter((k) => !enKeys.has(k))).toEqual([]);
    expect([...enKeys].filter((k) => !zhKeys.has(k))).toEqual([]);
  });

  it('has no empty text', () => {
    const empty = (tree: Record<string, unknown>) => keys(tree).filter((k) => !String(k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], tree)).trim());
    expect(empty(zh)).toEqual([]);
    expect(empty(en)).toEqual([]);
  });

  it('translates every key the screens use', () => {
    const used = new Set<string>();
    for (const text of sources(join(dirname(fileURLToPath(import.meta.url)), '..'))) {
      for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/key: '([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !zhKeys.has(k))).toEqual([]);
  });

  it('labels every value of the fixed vocabularies', () => {
    const needed = [
      ...EXPERTISE.map((k) => `tag.${k}`),
      ...LANGUAGES.map((k) => `language.${k}`),
      ...STATUSES.map((k) => `status.${k}`),
      ...ROLES.map((k) => `role.${k}`),
      ...[0, 1, 2, 3, 4, 5, 6].map((d) => `weekday.${d}`),
    ];
    expect(needed.filter((k) => !zhKeys.has(k) || !enKeys.has(k))).toEqual([]);
  });

  it('is Chinese in zh-CN and not in English', () => {
    expect(zh.nav.bookings).toBe('我的预约');
    expect(/[\u4e00-\u9fff]/.test(en.nav.bookings)).toBe(false);
  });
});
