/**
 * values → objects for a whole stack: component selection (`-c`, `-d`), sub-component dependency
 * checks, per-component render, object-name checks and FIXME placeholders. Pure, given the values
 * and the sandbox files.
 */
import { renderContext } from '../components/define.js';
import { annotateStack } from './digests.js';
import { COMPONENTS, registry, type ComponentName, type Values } from '../components/registry.js';
import { didYouMean, IssueList, PLACEHOLDER_FIX, type Issue } from '../core/errors.js';
import type { FileSet } from '../core/files.js';
import type { K8sObject } from '../core/k8s.js';
import { nameIssues, Names, type Affix } from '../core/names.js';

export interface Selection {
  /** Components to render, in order (`-c`); default all, in registry order. */
  enable?: readonly string[];
  /** `comp` or `comp.sub` items to leave out (`-d`). */
  disable?: readonly string[];
}

export interface ComponentRender {
  name: ComponentName;
  release: string;
  /** Enabled sub-components. */
  subs: string[];
  objects: K8sObject[];
}

export interface RenderedStack {
  affix: Affix;
  secretPrefix: string;
  components: ComponentRender[];
  objects: K8sObject[];
  /** Problems that are warnings in template mode and errors for a real install (FIXME placeholders). */
  placeholders: Issue[];
  /** Payload files the values name that no source provides: warnings in template mode; a real install refuses them. */
  missing: Issue[];
}

type SubValues = { enabled?: boolean };

/** Unknown components or sub-components in `-c`/`-d` (checked before values, so all problems come together). */
export function checkSelection(sel: Selection): Issue[] {
  const issues = new IssueList();
  const values = Object.fromEntries(registry.list.map((c) => [c.name, Object.fromEntries(c.subs.map((s) => [s.name, {}]))]));
  select(values as unknown as Values, sel, issues, false);
  return issues.items;
}

/** Apply `-c`/`-d` to the values; returns the components to render, in order. */
export function select(values: Values, sel: Selection, issues: IssueList, checkRequires = true): { order: ComponentName[]; values: Values } {
  // copy on write: only the slices of disabled sub-components are copied
  const v = { ...values } as Values;
  const order: ComponentName[] = [];
  for (const c of sel.enable && sel.enable.length ? sel.enable : COMPONENTS) {
    if ((COMPONENTS as readonly string[]).includes(c)) {
      if (!order.includes(c as ComponentName)) order.push(c as ComponentName);
    } else {
      const guess = didYouMean(c, COMPONENTS);
      issues.add({
        where: `--enable ${c}`,
        message: `unknown component ${JSON.stringify(c)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`,
        fix: `use one of: ${COMPONENTS.join(', ')}`,
      });
    }
  }
  for (const item of sel.disable ?? []) {
    const parts = item.split('.');
    const [c, sub] = parts;
    const comp = registry.get(c!);
    if (!comp || parts.length > 2) {
      const guess = comp ? undefined : didYouMean(c!, COMPONENTS);
      issues.add({
        where: `--disable ${item}`,
        message: comp ? 'expected component or component.sub-component' : `unknown component ${JSON.stringify(c)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}`,
        fix: `use e.g. -d harvester or -d panda.jedi; components: ${COMPONENTS.join(', ')}`,
      });
      continue;
    }
    if (sub === undefined) {
      const i = order.indexOf(comp.name);
      if (i >= 0) order.splice(i, 1);
      continue;
    }
    const names = comp.subs.map((s) => s.name);
    if (!names.includes(sub)) {
      const guess = didYouMean(sub, names);
      issues.add({
        where: `--disable ${item}`,
        message: `${comp.name} has no sub-component ${JSON.stringify(sub)}${guess ? ` (did you mean ${JSON.stringify(`${comp.name}.${guess}`)}?)` : ''}`,
        fix: `sub-components of ${comp.name}: ${names.join(', ')}`,
      });
      continue;
    }
    const slice = v[comp.name] as Record<string, SubValues>;
    (v as Record<string, unknown>)[comp.name] = { ...slice, [sub]: { ...slice[sub], enabled: false } };
  }
  // sub-components that need another one's objects (B16)
  for (const c of checkRequires ? order : []) {
    const cv = v[c] as Record<string, SubValues>;
    for (const s of registry.must(c).subs) {
      if (cv[s.name]?.enabled === false) continue;
      for (const r of s.requires ?? []) {
        if (cv[r]?.enabled === false) {
          issues.add({
            where: `${c}.${r}`,
            message: `${c}.${s.name} uses objects of ${c}.${r} (its env, config or sandbox), so ${c}.${r} cannot be disabled alone`,
            fix: `disable both (-d ${c}.${r},${c}.${s.name}) or keep ${c}.${r}`,
          });
        }
      }
    }
  }
  return { order, values: v };
}

export function enabledSubs(c: ComponentName, values: Values): string[] {
  const cv = values[c] as Record<string, SubValues>;
  return registry.must(c).subs.filter((s) => cv[s.name]?.enabled !== false).map((s) => s.name);
}

/** Every string in an object that still holds a FIXME placeholder. */
export function findPlaceholders(o: K8sObject): Issue[] {
  const out: Issue[] = [];
  const walk = (v: unknown, p: string) => {
    if (typeof v === 'string') {
      if (v.includes('FIXME')) {
        // a component may name the option to set: `FIXME(ui.global.hostOverwrite)`
        const key = /FIXME\(([^)]+)\)/.exec(v)?.[1];
        out.push({ where: `${o.kind}/${o.metadata.name} ${p}`, message: 'still holds a FIXME placeholder', fix: key ? `set ${key} in your values (or the experiment overlay)` : PLACEHOLDER_FIX });
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, p ? `${p}.${k}` : k);
  };
  const { metadata: _m, ...body } = o;
  walk(body, '');
  return out;
}

export interface StackInput {
  values: Values;
  affix: Affix;
  selection: Selection;
  /** Sandbox sets per component. */
  sandbox: (component: ComponentName) => ReadonlyMap<string, FileSet>;
  /** Namespace of the stack (default `default`). */
  namespace?: string;
}

const EMPTY: FileSet = new Map();

export function renderStack(input: StackInput): RenderedStack {
  const issues = new IssueList();
  const { order, values } = select(input.values, input.selection, issues);
  issues.throwIfAny('invalid component selection');
  const secretPrefix = values.global.secret;
  const out: ComponentRender[] = [];
  const missing: Issue[] = [];
  for (const c of order) {
    const sets = input.sandbox(c);
    const comp = registry.must(c);
    const names = new Names(c, input.affix);
    const ctx = renderContext(comp, names, secretPrefix, (set) => sets.get(set) ?? EMPTY, {
      namespace: input.namespace ?? 'default',
      existingTlsSecret: values.global.existingTlsSecret,
      deploymentName: values.global.deploymentName,
      missingPayload: (i) => missing.push(i),
    });
    const objects = (comp.render as (v: unknown, ctx: unknown) => K8sObject[])(values[c], ctx);
    out.push({ name: c, release: names.release, subs: enabledSubs(c, values), objects });
  }
  const objects = out.flatMap((c) => c.objects);
  for (const o of objects) for (const i of nameIssues(o.kind, o.metadata.name)) issues.add(i);
  issues.throwIfAny('rendered names are not valid Kubernetes names');
  return annotateStack({ affix: input.affix, secretPrefix, components: out, objects, placeholders: objects.flatMap(findPlaceholders), missing });
}

