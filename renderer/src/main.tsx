// Renderer entry: builds the store on this host (desktop bridge or browser) and mounts the console.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { sessionApi } from './lib/api';
import { directoryApi } from './lib/directory-api';
import { createConsoleHost } from './lib/desk-bridge';
import { connectAgent } from './lib/socket';
import { ConsoleStoreContext, createConsoleStore } from './store';
import './app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

const host = createConsoleHost();
const store = createConsoleStore({
  api: sessionApi,
  directoryApi,
  host,
  connect: connectAgent,
});
void store.getState().start();

createRoot(root).render(
  <StrictMode>
    <ConsoleStoreContext.Provider value={store}>
      <App host={host} />
    </ConsoleStoreContext.Provider>
  </StrictMode>,
);
