// The MAPPA workbench (issue 15): sign in, read the report of any area and year, any date or
// period, and (auditors) follow a figure to the events behind it. Every figure comes from the API.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, saveToken, savedToken } from './api';
import { ReportView } from './report-view';
import type { Names, Session } from './types';

function App() {
  const [token, setToken] = useState(savedToken());
  const [session, setSession] = useState<Session | null>(null);
  const [names, setNames] = useState<Names | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    setSession(null);
    setProblem(null);
    Promise.all([getJson<Session>('/workbench/session'), getJson<Names>('/workbench/names')])
      .then(([s, n]) => {
        setSession(s);
        setNames(n);
      })
      .catch((e: unknown) => setProblem(e instanceof ApiError && e.status === 401 ? (token ? `This token is not accepted: ${e.message}` : null) : String((e as Error).message)));
  }, [token]);

  const signIn = (value: string) => {
    saveToken(value.trim());
    setToken(value.trim());
  };

  return (
    <>
      <header class="top">
        <h1>MAPPA workbench</h1>
        {session && <Who session={session} onSignOut={() => signIn('')} />}
      </header>
      <main id="main">
        {problem && (
          <p role="alert" class="problem">
            {problem}
          </p>
        )}
        {!session && <SignIn onSignIn={signIn} />}
        {session &&
          names &&
          (session.may.readReports ? (
            <ReportView session={session} names={names} />
          ) : (
            <p>Your roles ({session.roles.join(', ') || 'none'}) do not include reading reports: ask for the analyst or auditor role.</p>
          ))}
      </main>
    </>
  );
}

function SignIn({ onSignIn }: { onSignIn: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        onSignIn(value);
      }}
    >
      <h2>Sign in</h2>
      <p>
        Paste the bearer token your identity provider (or <code>npx mappa token</code>) gave you. It is kept for this tab only, and forgotten when the tab closes.
      </p>
      <label for="token">Bearer token</label>
      <textarea id="token" rows={4} value={value} onInput={(e) => setValue((e.target as HTMLTextAreaElement).value)} autoComplete="off" spellcheck={false} />
      <button type="submit" disabled={!value.trim()}>
        Sign in
      </button>
    </form>
  );
}

const ALLOWS: Array<[keyof Session['may'], string]> = [
  ['readReports', 'read reports, snapshots, periods and trends'],
  ['traceFigures', 'follow a figure to the offenders and events behind it (each look audited, with your reason)'],
  ['readAccessAudit', 'read the access audit'],
  ['publish', 'record publications'],
];

function Who({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const allowed = ALLOWS.filter(([k]) => session.may[k]).map(([, text]) => text);
  return (
    <section class="who" aria-label="Who you are">
      <p>
        Signed in as <strong data-testid="who">{session.sub}</strong> ({session.agency}; roles: {session.roles.join(', ') || 'none'}; areas:{' '}
        {session.areas.includes('*') ? 'every area and England and Wales' : session.areas.join(', ')})
        {session.development && <strong class="dev"> development mode: no token needed, not for a deployed server</strong>}
      </p>
      <p>You may {allowed.length ? allowed.join('; ') : 'do nothing here'}.</p>
      {!session.development && (
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      )}
    </section>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading" line of index.html
render(<App />, root);
