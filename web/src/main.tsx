import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { loginFromUrl } from './api';
import { App } from './App';
import './styles.css';

// Once, before anything asks the API: the token in the address bar becomes the cookie every request carries.
await loginFromUrl().catch(() => {});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
