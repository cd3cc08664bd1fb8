/**
 * The console's shell: asks for the API key once per browser session, then shows the navigation
 * and the page for the current URL. Pages are loaded when first opened (each its own chunk).
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { LocationProvider, Router, Route, lazy, useLocation, ErrorBoundary } from 'preact-iso';
import { apiKey, loadConfig, setApiKey } from './api.js';
import { Cameras } from './pages/cameras.js';
import './styles.css';

const Camera = lazy(() => import('./pages/camera.js').then((m) => m.Camera));
const Alarms = lazy(() => import('./pages/alarms.js').then((m) => m.Alarms));
const Media = lazy(() => import('./pages/media.js').then((m) => m.Media));
const Ftp = lazy(() => import('./pages/ftp.js').then((m) => m.Ftp));
const Search = lazy(() => import('./pages/search.js').then((m) => m.Search));
const Photos = lazy(() => import('./pages/photos.js').then((m) => m.Photos));

const NAV: [string, string][] = [
  ['/', 'Cameras'],
  ['/alarms', 'Alarms'],
  ['/photos', 'Photos'],
  ['/media', 'Media'],
  ['/ftp', 'FTP migration'],
  ['/search', 'Search'],
];

function KeyForm(p: { onKey(k: string): void }) {
  const [key, setKey] = useState('');
  return (
    <main class="key-gate">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) p.onKey(key.trim());
        }}
      >
        <h1>panoptes console</h1>
        <p>Enter your API key. It is kept in this browser tab only (sessionStorage) and sent as <code>x-api-key</code>.</p>
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} required />
        <button type="submit">Open the console</button>
      </form>
    </main>
  );
}

function Nav(p: { onSignOut(): void }) {
  const { path } = useLocation();
  const current = (href: string) => (href === '/' ? path === '/' || path.startsWith('/cameras') : path.startsWith(href));
  return (
    <nav class="nav" aria-label="Main">
      <a class="brand" href="/">
        panoptes
      </a>
      <ul>
        {NAV.map(([href, label]) => (
          <li key={href}>
            <a href={href} aria-current={current(href) ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
      <button type="button" class="link" onClick={p.onSignOut}>
        Change key
      </button>
    </nav>
  );
}

const NotFound = () => (
  <section class="page">
    <h1>Not found</h1>
    <p>
      No page here. <a href="/">Back to the cameras</a>.
    </p>
  </section>
);

function App() {
  const [key, setKey] = useState(apiKey());
  if (!key)
    return (
      <KeyForm
        onKey={(k) => {
          setApiKey(k);
          setKey(k);
        }}
      />
    );
  return (
    <LocationProvider>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Nav
        onSignOut={() => {
          setApiKey(null);
          setKey(null);
        }}
      />
      <main id="main" tabIndex={-1}>
        <ErrorBoundary>
          <Router>
            <Route path="/" component={Cameras} />
            <Route path="/cameras/:id" component={Camera} />
            <Route path="/alarms" component={Alarms} />
            <Route path="/alarms/:id" component={Alarms} />
            <Route path="/photos" component={Photos} />
            <Route path="/photos/:id" component={Photos} />
            <Route path="/media" component={Media} />
            <Route path="/ftp" component={Ftp} />
            <Route path="/search" component={Search} />
            <Route default component={NotFound} />
          </Router>
        </ErrorBoundary>
      </main>
    </LocationProvider>
  );
}

await loadConfig();
render(<App />, document.getElementById('app')!);
