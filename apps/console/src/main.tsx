import '@mantine/core/styles.css';
import './app/console.css';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { takeTokenFromLocation } from './app/auth';

// A sign-in link (`/#token=...`) signs in and leaves the address bar before anything renders.
takeTokenFromLocation();
createRoot(document.getElementById('root') as HTMLElement).render(<App />);
