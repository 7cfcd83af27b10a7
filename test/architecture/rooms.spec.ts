import 'reflect-metadata';
import { MODULE_METADATA } from '@nestjs/common/constants';
import type { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { AppModule } from '../../src/app.module';

// Issue 12.3: one Nest module per room, no room importing the composition root, no cycle between
// rooms (docs/architecture.md, "Rooms"). Read from the sources and from Nest's own module metadata.

const ROOT = path.resolve(__dirname, '../..');
const COMPOSITION_ROOT = 'src/app.module.ts';
/** The two ways the application is started (the command line and the HTTP server): they build it, so they may name it. */
const ENTRY_POINTS = [/^src\/cli\//, /^src\/http\/create-http-app\.ts$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const relative = path.posix.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(relative);
    return e.name.endsWith('.ts') ? [relative] : [];
  });
}

/** Every relative import of a file (type-only imports and re-exports too), as repository paths. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.posix.normalize(path.posix.join(path.posix.dirname(file), name)))
    .map((target) => (target.endsWith('.json') || target.endsWith('.ts') ? target : `${target}.ts`));
}

/** The first cycle found in a directed graph, as the path around it, or null. */
function findCycle<T>(edges: Map<T, T[]>): T[] | null {
  const state = new Map<T, 'open' | 'done'>();
  const trail: T[] = [];
  const visit = (node: T): T[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'open');
    trail.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

type ModuleRef = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

/** Nest's module graph from a root: each module class and the module classes it imports. */
function moduleGraph(root: DynamicModule): Map<Type, Type[]> {
  const graph = new Map<Type, Type[]>();
  const walk = (ref: ModuleRef): Type => {
    if (ref instanceof Promise || 'forwardRef' in ref) throw new Error('A room imports another by forwardRef or asynchronously: a cycle Nest papers over.');
    const dynamic = 'module' in ref ? ref : undefined;
    const type = dynamic ? dynamic.module : (ref as Type);
    if (!graph.has(type)) {
      graph.set(type, []);
      const imports: ModuleRef[] = [...(Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) ?? []), ...(dynamic?.imports ?? [])];
      graph.set(type, imports.map(walk));
    }
    return type;
  };
  walk(root);
  return graph;
}

const config = { eventStore: 'embedded', dataDir: '/nonexistent', databaseUrl: undefined, port: 0, schema: undefined };
const OWN_MODULES =
  /^(AppModule|EventStoreModule|AuditModule|AuthModule|RecordingModule|ReadModelsModule|ReportsModule|PublicationsModule|QueriesModule|MetricsModule|WorkbenchModule|HttpModule)$/;

describe('rooms', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('projections')];

  it('no room imports the composition root; only the entry points that start the application do', () => {
    const importers = files.filter((f) => importsOf(f).includes(COMPOSITION_ROOT));
    expect(importers.length).toBeGreaterThan(0); // the entry points do: the check reads imports at all
    expect(importers.filter((f) => !ENTRY_POINTS.some((p) => p.test(f)))).toEqual([]);
  });

  it('reports never import queries (queries read reports, not the other way round)', () => {
    const importing = (from: string, to: string) => files.filter((f) => f.startsWith(from) && importsOf(f).some((t) => t.startsWith(to)));
    expect(importing('src/queries/', 'src/reports/').length).toBeGreaterThan(0);
    expect(importing('src/reports/', 'src/queries/')).toEqual([]);
  });

  it.each([
    ['the service', true],
    ['the command line', false],
  ])('the room modules of %s import each other without a cycle', (_name, http) => {
    const graph = moduleGraph(AppModule.register({ config, http }));
    const rooms = [...graph.keys()].map((m) => m.name).filter((n) => OWN_MODULES.test(n));
    expect(rooms).toEqual(expect.arrayContaining(['EventStoreModule', 'RecordingModule', 'ReadModelsModule', 'ReportsModule', 'QueriesModule', 'PublicationsModule']));
    expect(rooms.includes('HttpModule')).toBe(http);
    expect(findCycle(graph)?.map((m) => m.name) ?? null).toBeNull();
    // No room reaches back to the root.
    for (const [module, imports] of graph) if (module !== AppModule) expect(imports).not.toContain(AppModule);
  });

  it('the cycle check finds a cycle when there is one', () => {
    const edges = new Map([
      ['reports', ['read-models']],
      ['read-models', ['event-store']],
      ['queries', ['reports']],
      ['event-store', []],
    ]);
    expect(findCycle(edges)).toBeNull();
    edges.set('reports', ['read-models', 'queries']);
    expect(findCycle(edges)).toEqual(['reports', 'queries', 'reports']);
  });
});
