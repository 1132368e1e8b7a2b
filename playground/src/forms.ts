/**
 * Forms generated from a command's schema: the zod schema is read as JSON Schema for the fields;
 * the app itself validates at dispatch (Standard Schema), and its issues are shown beside the
 * fields they name.
 */
import type { Faker } from '@faker-js/faker';
import * as z from 'zod/mini';
import type { ValidationIssue } from '../../js/mod.ts';
import { h } from './dom.ts';
import type { CommandSpec } from './domains/types.ts';

interface Field {
  readonly name: string;
  /** `'json'`: the whole of the data of a command with no schema, written as JSON. */
  readonly kind: 'string' | 'number' | 'boolean' | 'json';
  readonly required: boolean;
}

/** The one field of a command with no schema: its data as JSON. */
const JSON_FIELD: Field = { name: 'data', kind: 'json', required: true };

interface JsonSchema {
  readonly type?: string;
  readonly properties?: Record<string, JsonSchema>;
  readonly required?: readonly string[];
}

/** The fields a person fills in; nested objects are left to the code that sends them (sagas). */
export function fieldsOf(spec: CommandSpec): Field[] {
  if (spec.schema === undefined) return [JSON_FIELD];
  const json = z.toJSONSchema(spec.schema as z.ZodMiniType, { io: 'input' }) as JsonSchema;
  const required = new Set(json.required ?? []);
  const fields: Field[] = [];
  for (const [name, prop] of Object.entries(json.properties ?? {})) {
    const kind =
      prop.type === 'number' || prop.type === 'integer'
        ? 'number'
        : prop.type === 'boolean'
          ? 'boolean'
          : prop.type === 'string'
            ? 'string'
            : undefined;
    if (kind !== undefined) fields.push({ name, kind, required: required.has(name) });
  }
  return fields;
}

let fakerModule: Promise<Faker> | undefined;
/** Faker, loaded on first use (its English data is a chunk of its own). */
export function loadFaker(): Promise<Faker> {
  fakerModule ??= import('@faker-js/faker/locale/en').then((m) => m.faker);
  return fakerModule;
}

/** A generated form. */
export interface CommandForm {
  readonly element: HTMLFormElement;
  /** The data the fields hold (empty fields are left out). */
  data(): Record<string, unknown>;
  /** Puts values into the fields. */
  fill(data: Record<string, unknown>): void;
  /** Shows issues beside their fields (those without a field go on top); [] clears them. */
  showIssues(issues: readonly ValidationIssue[]): void;
}

/** Builds the form of `spec`; `onSubmit` gets its data. */
export function commandForm(
  spec: CommandSpec,
  onSubmit: (data: Record<string, unknown>) => void,
): CommandForm {
  const type = spec.definition.type;
  const fields = fieldsOf(spec);
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement>();
  const errors = new Map<string, HTMLElement>();
  const general = h('p', { class: 'error', id: `${type}-issues`, role: 'alert', hidden: true });
  const rows = fields.map((f) => {
    const id = `${type}-${f.name}`;
    const input =
      f.kind === 'json'
        ? h('textarea', {
            id,
            name: f.name,
            rows: 4,
            spellcheck: 'false',
            placeholder: '{ }',
            'aria-required': 'true',
            'aria-describedby': `${id}-error`,
          })
        : h('input', {
            id,
            name: f.name,
            type: f.kind === 'number' ? 'number' : f.kind === 'boolean' ? 'checkbox' : 'text',
            step: f.kind === 'number' ? 'any' : undefined,
            autocomplete: 'off',
            'aria-required': f.required ? 'true' : undefined,
            'aria-describedby': `${id}-error`,
          });
    const error = h('span', { class: 'error', id: `${id}-error`, role: 'alert' });
    inputs.set(f.name, input);
    errors.set(f.name, error);
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, f.name, f.required ? h('span', { 'aria-hidden': 'true' }, ' *') : ''),
      input,
      error,
    );
  });
  const element = h(
    'form',
    { class: 'command-form', novalidate: true, 'aria-label': `${type} form` },
    general,
    ...rows,
  );
  const form: CommandForm = {
    element,
    data() {
      // a command with no schema: its data is the JSON field (a parse error throws)
      if (fields[0]?.kind === 'json') {
        const text = inputs.get('data')!.value.trim();
        return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      }
      const data: Record<string, unknown> = {};
      for (const f of fields) {
        const input = inputs.get(f.name)! as HTMLInputElement;
        if (f.kind === 'boolean') data[f.name] = input.checked;
        // an empty text field is an empty string when required (the schema says why it is not
        // enough), and left out when optional
        else if (input.value.trim() === '') {
          if (f.kind === 'string' && f.required) data[f.name] = '';
        } else data[f.name] = f.kind === 'number' ? Number(input.value) : input.value;
      }
      return data;
    },
    fill(data) {
      for (const f of fields) {
        const input = inputs.get(f.name)! as HTMLInputElement;
        const value = data[f.name];
        if (f.kind === 'json') input.value = JSON.stringify(data, null, 1);
        else if (f.kind === 'boolean') input.checked = value === true;
        else input.value = value === undefined ? '' : String(value);
      }
    },
    showIssues(issues) {
      for (const [name, error] of errors) {
        error.textContent = '';
        inputs.get(name)!.removeAttribute('aria-invalid');
      }
      const loose: string[] = [];
      for (const issue of issues) {
        const name = String(issue.path?.[0] ?? '');
        const error = errors.get(name);
        if (error === undefined) {
          loose.push(issue.message);
          continue;
        }
        error.textContent = error.textContent
          ? `${error.textContent} ${issue.message}`
          : issue.message;
        inputs.get(name)!.setAttribute('aria-invalid', 'true');
      }
      general.textContent = loose.join(' ');
      general.hidden = loose.length === 0;
      if (issues.length > 0) {
        const first = issues.find((i) => errors.has(String(i.path?.[0] ?? '')));
        if (first) inputs.get(String(first.path![0]))!.focus();
      }
    },
  };
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    let data: Record<string, unknown>;
    try {
      data = form.data();
    } catch (error) {
      form.showIssues([{ message: `Not JSON: ${(error as Error).message}`, path: ['data'] }]);
      return;
    }
    onSubmit(data);
  });
  return form;
}
