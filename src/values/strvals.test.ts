/** Helm's --set family: the cases of Helm's own parser tests (helm.sh/helm pkg/strvals), as facts. */
import { describe, expect, it } from 'vitest';
import { applySet, typedValue, type SetKind } from './strvals.js';

const parse = (expr: string, kind: SetKind = 'set', o: Parameters<typeof applySet>[3] = {}) => {
  const dest = {};
  applySet(expr, kind, dest, o);
  return dest;
};

describe('--set (Helm strvals)', () => {
  it.each([
    ['name1=null,f=false,t=true', { name1: null, f: false, t: true }],
    ['name1=value1,name2=value2,', { name1: 'value1', name2: 'value2' }],
    ['name1=,name2=value2', { name1: '', name2: 'value2' }],
    ['leading_zeros=00009', { leading_zeros: '00009' }],
    ['zero_int=0', { zero_int: 0 }],
    ['long_int=1234567890', { long_int: 1234567890 }],
    ['neg=-12,float=1.5,exp=1e3,TRUE=True', { neg: -12, float: '1.5', exp: '1e3', TRUE: true }],
    ['name1=one\\,two,name2=three\\,four', { name1: 'one,two', name2: 'three,four' }],
    ['name1=one\\=two,name2=three\\=four', { name1: 'one=two', name2: 'three=four' }],
    ['name1=one two three', { name1: 'one two three' }],
    ['outer.inner1=value,outer.middle.inner=value', { outer: { inner1: 'value', middle: { inner: 'value' } } }],
    ['an\\.dotted\\.key=v', { 'an.dotted.key': 'v' }],
    ['name1.name2=', { name1: { name2: '' } }],
    ['name1={value1,value2},name2={1021,902}', { name1: ['value1', 'value2'], name2: [1021, 902] }],
    ['list[0]=foo,list[1]=bar,', { list: ['foo', 'bar'] }],
    ['list[0]=foo,list[3]=bar', { list: ['foo', null, null, 'bar'] }],
    ['list[0].foo=bar,list[0].hello=world', { list: [{ foo: 'bar', hello: 'world' }] }],
    ['noval[0]', { noval: [] }],
    ['noval[0]=', { noval: [''] }],
    ['nested[1][1]=1', { nested: [null, [null, 1]] }],
    ['name1.name2[1].foo=bar', { name1: { name2: [null, { foo: 'bar' }] } }],
  ])('%s', (expr, want) => expect(parse(expr)).toEqual(want));

  it.each([
    'name1=value1,,,,name2=value2,',
    'name1,name2=',
    'name1,name2=value2',
    'name1,name2',
    'name1.name2',
    'name1.name2,name1.name3',
    'name1.=name2',
    'name1.,name2',
    'name1={1021,902',
    'list[0].foo=bar,list[-30].hello=world',
    'list[0]=foo,list[-20]=bar',
    'illegal[0]name.foo=bar',
    ']={}].',
    'big[65537]=x',
    'a=1,a.b=2',
    'a.b=1,a[0]=2',
  ])('%s is an error', (expr) => expect(() => parse(expr)).toThrow());

  it('nests at most 30 levels (30 dots)', () => {
    expect(() => parse(`${Array.from({ length: 32 }, (_, i) => `k${i}`).join('.')}=x`)).toThrow(/30/);
    expect(parse(`${Array.from({ length: 31 }, (_, i) => `k${i}`).join('.')}=x`)).toBeTruthy();
  });

  it('onto existing values: keys merge, an index edits the earlier list', () => {
    const dest = { outer: { inner1: 'overwrite', inner2: 'value2' } };
    applySet('outer.inner1=value1,outer.inner3=value3,outer.inner4=4', 'set', dest);
    expect(dest).toEqual({ outer: { inner1: 'value1', inner2: 'value2', inner3: 'value3', inner4: 4 } });
    expect(parse('a.list[1]=x', 'set', { base: { a: { list: ['p', 'q', 'r'] } } })).toEqual({ a: { list: ['p', 'x', 'r'] } });
    const two = {};
    applySet('listOuter[0][0].type=listValue', 'set', two);
    applySet('listOuter[0][0].status=alive', 'set', two);
    expect(two).toEqual({ listOuter: [[{ type: 'listValue', status: 'alive' }]] });
  });

  it('--set-string keeps every value a string', () => {
    expect(parse('long_int_string=1234567890,boolean=true,is_null=null,zero=0', 'string')).toEqual({ long_int_string: '1234567890', boolean: 'true', is_null: 'null', zero: '0' });
  });

  it('--set-json: JSON values, empty is null, a whole object merges', () => {
    const dest: Record<string, unknown> = { outer: { inner1: 'overwrite', inner2: 'value2' } };
    applySet('outer.inner1="1",outer.inner3=3,outer.inner4=true,outer.inner5="true"', 'json', dest);
    expect(dest).toEqual({ outer: { inner1: '1', inner2: 'value2', inner3: 3, inner4: true, inner5: 'true' } });
    expect(parse('a={"x":[1,2,{"y":"a,b"}]},b=[1, 2],c=', 'json')).toEqual({ a: { x: [1, 2, { y: 'a,b' }] }, b: [1, 2], c: null });
    expect(parse('outer.inner3={"cc":[1,2,3]},outer.inner3.cc[1]=null', 'json')).toEqual({ outer: { inner3: { cc: [1, null, 3] } } });
    const whole: Record<string, unknown> = { a: { b: 1 } };
    applySet('{"a":{"c":2},"d":null}', 'json', whole);
    expect(whole).toEqual({ a: { b: 1, c: 2 }, d: null });
    expect(() => parse('a={"x":1}]', 'json')).toThrow();
    expect(() => parse('a={"x":', 'json')).toThrow();
  });

  it('--set-file reads the file; --set-literal takes the value verbatim', () => {
    expect(parse('cfg=server.cfg,b=x', 'file', { readFile: (p) => `content of ${p}` })).toEqual({ cfg: 'content of server.cfg', b: 'content of x' });
    expect(parse('a.b=x,y\\z=1', 'literal')).toEqual({ a: { b: 'x,y\\z=1' } });
  });

  it('types as Go does', () => {
    expect([typedValue('FALSE'), typedValue('Null'), typedValue('+7'), typedValue('0x10'), typedValue('99999999999999999999')]).toEqual([false, null, 7, '0x10', '99999999999999999999']);
  });
});
