import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// Issue 10, item 8: docker-compose.yml and the Dockerfile expose nothing by default. No Docker on
// this machine: the files are parsed and checked for what `docker compose` would publish and pass.

// js-yaml (a dev dependency) reads YAML 1.2, so compose's `<<` merges are resolved here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = path.resolve(__dirname, '../..');
const composeText = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

type Json = Record<string, unknown>;
interface Service {
  profiles?: string[];
  ports?: Array<string | { host_ip?: string; published?: string | number }>;
  environment?: Record<string, string | number>;
}

/** Applies YAML merge keys (`<<: *anchor`) as compose does: the mapping's own keys win. */
function resolveMerges(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveMerges);
  if (value === null || typeof value !== 'object') return value;
  const own: Json = {};
  let merged: Json = {};
  for (const [key, child] of Object.entries(value as Json)) {
    if (key === '<<') {
      for (const source of [child].flat()) merged = { ...merged, ...(resolveMerges(source) as Json) };
    } else own[key] = resolveMerges(child);
  }
  return { ...merged, ...own };
}

const compose = resolveMerges(yaml.load(composeText)) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const isEventStoreDb = (s: Service) => Object.keys(s.environment ?? {}).some((k) => k.startsWith('EVENTSTORE_'));
const deployed = (s: Service) => (s.profiles ?? []).some((p) => p.startsWith('deploy'));
const interpolations = [...composeText.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);

describe('docker-compose.yml', () => {
  it('publishes every port on 127.0.0.1 only', () => {
    const published = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.length).toBeGreaterThan(0);
    for (const [name, port] of published) {
      if (typeof port === 'string') expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
      else expect({ name, hostIp: port.host_ip }).toEqual({ name, hostIp: '127.0.0.1' });
    }
  });

  it('has no default for any variable: each is required and fails loudly when unset', () => {
    expect(interpolations.length).toBeGreaterThan(0);
    for (const expression of interpolations) expect(expression).toMatch(/^[A-Z_][A-Z0-9_]*:\?\S.*$/);
  });

  it('holds no password, secret or key itself: each comes from a required variable', () => {
    for (const [name, s] of services) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|SECRET|_KEY$/.test(key)) expect({ name, key, value }).toEqual({ name, key, value: expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]+\}$/) });
        // A password inside a connection string comes from a required variable too.
        const userinfo = /^[a-z+]+:\/\/[^:/@]+:([^@]*)@/.exec(String(value));
        if (userinfo) expect({ name, key, password: userinfo[1] }).toEqual({ name, key, password: expect.stringMatching(/^\$\{[A-Z_]+:\?[^}]+\}$/) });
      }
    }
  });

  it('never passes development mode through', () => {
    expect(composeText).not.toMatch(/AUTH_DEV_MODE|MAPPA_DEV_AUTH|--dev-auth/);
  });

  it('requires the token issuer and audience of the service', () => {
    for (const [, s] of services.filter(([, s]) => 'AUTH_JWT_PUBLIC_KEY' in (s.environment ?? {}))) {
      expect(s.environment).toMatchObject({ AUTH_JWT_ISSUER: expect.stringMatching(/:\?/), AUTH_JWT_AUDIENCE: expect.stringMatching(/:\?/) });
    }
  });

  it('deploy profiles run EventStoreDB with TLS certificates and passwords, insecure mode off, and connect with TLS', () => {
    const nodes = services.filter(([, s]) => deployed(s) && isEventStoreDb(s));
    expect(nodes.map(([name]) => name)).toEqual(expect.arrayContaining(['eventstoredb', 'esdb-node1', 'esdb-node2', 'esdb-node3']));
    for (const [name, s] of nodes) {
      expect({ name, ...s.environment }).toMatchObject({
        name,
        EVENTSTORE_INSECURE: 'false',
        EVENTSTORE_CERTIFICATE_FILE: expect.stringMatching(/\.crt$/),
        EVENTSTORE_CERTIFICATE_PRIVATE_KEY_FILE: expect.stringMatching(/\.key$/),
        EVENTSTORE_TRUSTED_ROOT_CERTIFICATES_PATH: expect.any(String),
        EVENTSTORE_DEFAULT_ADMIN_PASSWORD: expect.stringMatching(/:\?/),
        EVENTSTORE_DEFAULT_OPS_PASSWORD: expect.stringMatching(/:\?/),
      });
    }
    for (const [name, s] of services.filter(([, s]) => deployed(s) && s.environment?.EVENT_STORE)) {
      expect({ name, store: s.environment!.EVENT_STORE }).toEqual({ name, store: expect.stringMatching(/^esdb:\/\/admin:.*\?tls=true&tlsCAFile=/) });
    }
  });

  it('runs an insecure EventStoreDB only in the explicit local-trial profile, and nothing starts without a profile', () => {
    for (const [name, s] of services) {
      expect({ name, profiles: s.profiles ?? [] }).toEqual({ name, profiles: expect.arrayContaining([expect.any(String)]) });
      const insecure = String(s.environment?.EVENTSTORE_INSECURE ?? 'false') !== 'false' || /tls=false/.test(String(s.environment?.EVENT_STORE ?? ''));
      if (insecure) expect({ name, profiles: s.profiles }).toEqual({ name, profiles: ['local-trial'] });
    }
  });
});

describe('Dockerfile', () => {
  it('sets no development mode, password, secret or key, and no listening address for everyone', () => {
    expect(dockerfile).not.toMatch(/AUTH_DEV_MODE|MAPPA_DEV_AUTH|--dev-auth/);
    expect(dockerfile).not.toMatch(/^\s*(ENV|ARG)\b.*(PASSWORD|SECRET|AUTH_JWT|_KEY)/im);
    expect(dockerfile).not.toMatch(/^\s*(ENV|ARG)\b.*HOST/im);
  });

  it('runs the service as an unprivileged user', () => {
    const lastStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(lastStage).toMatch(/^USER (?!root\b)\w+/m);
  });
});
