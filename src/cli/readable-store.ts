import * as path from 'node:path';
import { loadConfig, type AppConfig } from '../config/app-config';
import { NotFoundError } from '../errors';
import { findEventStore } from '../event-store/event-store-presence';

// Found before anything is opened: opening a store that is not there creates an empty one, whose zeros would look like figures.

/** Where `mappa demo` puts its store unless told otherwise. */
export const demoDataDir = (dataDir: string): string => path.join(dataDir, 'demo');

/** How to run `mappa` with DATA_DIR pointing at `dataDir`, as short as the user's folder allows. */
export const shownPath = (dir: string): string => {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? `./${relative}` : dir;
};

/** The store a read runs on: the configured one if it exists, else the demo's in DATA_DIR/demo (`note` says so), else a refusal saying where it looked. */
export async function readableStoreConfig(note: (line: string) => void = (line) => console.error(line)): Promise<AppConfig> {
  const config = loadConfig();
  const found = await findEventStore(config);
  if (found.present) return config;
  if (config.eventStore === 'embedded') {
    const demo = { ...config, dataDir: demoDataDir(config.dataDir) };
    if ((await findEventStore(demo)).present) {
      note(`Reading the demonstration store in ${shownPath(demo.dataDir)} (${shownPath(config.dataDir)} holds no store of its own).`);
      return demo;
    }
  }
  throw new NotFoundError(noStoreMessage(config, found.where));
}

function noStoreMessage(config: AppConfig, where: string): string {
  const lines = [`No event store found: looked for ${where}, and created nothing.`];
  if (config.eventStore === 'embedded') {
    lines.push(
      'To make one:',
      `  npx mappa demo                 the Greater Manchester demonstration history (in ${shownPath(demoDataDir(config.dataDir))}; reads find it there)`,
      `  npx mappa import FILE.ndjson   your own events, into ${shownPath(config.dataDir)}`,
      `Or point DATA_DIR at the folder that holds a store (it is ${shownPath(config.dataDir)} now).`,
    );
  } else {
    lines.push(
      'To make one:',
      '  npx mappa migrate              creates the tables in this database (same EVENT_STORE, DATABASE_URL and DATABASE_SCHEMA)',
      '  npx mappa import FILE.ndjson   then records your events there',
      'Or check DATABASE_URL and DATABASE_SCHEMA.',
    );
  }
  return lines.join('\n');
}
