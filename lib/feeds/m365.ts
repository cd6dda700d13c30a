import type { Diagnostic } from '../model/diagnostic.js';
import { checkCidr } from '../model/cidr.js';
import { placeDiagnostics } from '../service-tags/service-tags.js';
import { isRecord } from './parse-json.js';

/** One entry of the Microsoft 365 endpoints web method (`endpoints/Worldwide?clientrequestid=...`). */
export interface M365Entry {
  id: number;
  serviceArea: string;
  serviceAreaDisplayName: string;
  urls: string[];
  /** Canonical CIDRs. */
  ips: string[];
  tcpPorts: PortList;
  udpPorts: PortList;
  expressRoute: boolean;
  category: 'Optimize' | 'Allow' | 'Default';
  required: boolean;
  notes?: string;
  /** Index in the file's array, for paths in messages. */
  index: number;
}

/** Ports as the service writes them ("80,443", "3478-3481"), as [from, to] pairs in file order. */
export type PortList = [number, number][];

export const M365_URL = 'https://endpoints.office.com/endpoints/worldwide?clientrequestid=';
const CATEGORIES = ['Optimize', 'Allow', 'Default'] as const;

const problem = (file: string, path: string, message: string, line = 1, col = 1): Diagnostic => ({
  code: 'FEED_FILE',
  severity: 'error',
  message: `${path}: ${message}`,
  hint: `this is not the JSON of the Microsoft 365 endpoints web method: download it again from ${M365_URL}<a GUID of yours>`,
  span: { file, line, col },
  params: { path, feed: 'm365' },
});

/** "80,443" or "3478-3481,50000-59999" as [from, to] pairs; undefined when it is not that. */
export function parsePortList(text: string): PortList | undefined {
  const out: PortList = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/.exec(part);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 65535 || to < from) return undefined;
    out.push([from, to]);
  }
  return out;
}

/**
 * Reads the endpoints JSON: an array of entries with `id`, `serviceArea`, `serviceAreaDisplayName`, `urls`, `ips`,
 * `tcpPorts`, `udpPorts`, `expressRoute`, `category` (Optimize, Allow, Default), `required` and `notes`. Everything is
 * checked, every problem at its JSON path and line:col.
 */
export function parseM365Endpoints(text: string, file: string): { entries?: M365Entry[]; diagnostics: Diagnostic[] } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const message = (e as Error).message;
    const m = /position (\d+)/.exec(message);
    const offset = m ? Number(m[1]) + (text.charCodeAt(0) === 0xfeff ? 1 : 0) : /end of JSON/i.test(message) ? text.length : 0;
    const before = text.slice(0, offset);
    return { diagnostics: [problem(file, '$', `not valid JSON: ${message}`, before.split('\n').length, offset - before.lastIndexOf('\n'))] };
  }
  if (!Array.isArray(json)) return { diagnostics: [problem(file, '$', 'expected an array of endpoint sets (id, serviceArea, urls, ips, tcpPorts, category, ...)')] };
  const problems: Diagnostic[] = [];
  const fail = (path: string, message: string) => void problems.push(problem(file, path, message));
  const entries: M365Entry[] = [];
  const ids = new Map<number, number>();
  json.forEach((raw, i) => {
    const path = `$[${i}]`;
    if (!isRecord(raw)) return fail(path, 'expected an object');
    const before = problems.length;
    if (!Number.isSafeInteger(raw.id) || (raw.id as number) < 1) fail(`${path}.id`, 'missing or not a whole number from 1');
    else if (ids.has(raw.id as number)) fail(`${path}.id`, `id ${String(raw.id)} is also the id of entry ${ids.get(raw.id as number)}`);
    else ids.set(raw.id as number, i);
    for (const k of ['serviceArea', 'serviceAreaDisplayName'] as const) if (typeof raw[k] !== 'string' || raw[k] === '') fail(`${path}.${k}`, 'missing or not a string');
    for (const k of ['expressRoute', 'required'] as const) if (typeof raw[k] !== 'boolean') fail(`${path}.${k}`, 'missing or not true/false');
    if (!CATEGORIES.includes(raw.category as never)) fail(`${path}.category`, `missing or not one of ${CATEGORIES.join(', ')}`);
    if (raw.notes !== undefined && typeof raw.notes !== 'string') fail(`${path}.notes`, 'not a string');
    const urls: string[] = [];
    if (raw.urls !== undefined) {
      if (!Array.isArray(raw.urls)) fail(`${path}.urls`, 'not an array');
      else raw.urls.forEach((u, j) => (typeof u === 'string' && u !== '' ? urls.push(u) : fail(`${path}.urls[${j}]`, 'not a string')));
    }
    const ips: string[] = [];
    if (raw.ips !== undefined) {
      if (!Array.isArray(raw.ips)) fail(`${path}.ips`, 'not an array');
      else
        raw.ips.forEach((p, j) => {
          const r = typeof p === 'string' && p.includes('/') ? checkCidr(p) : undefined;
          if (r?.cidr) ips.push(r.cidr);
          else fail(`${path}.ips[${j}]`, `${JSON.stringify(p)} is not a valid prefix${r?.problems[0] ? `: ${r.problems[0].message}` : ''}`);
        });
    }
    const ports = (k: 'tcpPorts' | 'udpPorts'): PortList => {
      if (raw[k] === undefined) return [];
      const list = typeof raw[k] === 'string' ? parsePortList(raw[k] as string) : undefined;
      if (!list) fail(`${path}.${k}`, `${JSON.stringify(raw[k])} is not a comma-separated list of ports and ranges, as "80,443" or "3478-3481"`);
      return list ?? [];
    };
    const tcpPorts = ports('tcpPorts');
    const udpPorts = ports('udpPorts');
    if (problems.length > before) return;
    entries.push({
      id: raw.id as number,
      serviceArea: raw.serviceArea as string,
      serviceAreaDisplayName: raw.serviceAreaDisplayName as string,
      urls,
      ips,
      tcpPorts,
      udpPorts,
      expressRoute: raw.expressRoute as boolean,
      category: raw.category as M365Entry['category'],
      required: raw.required as boolean,
      ...(typeof raw.notes === 'string' ? { notes: raw.notes } : {}),
      index: i,
    });
  });
  if (problems.length) return { diagnostics: placeDiagnostics(text, problems.slice(0, 20)) };
  return { entries, diagnostics: [] };
}
