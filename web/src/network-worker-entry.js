// Entry of the static site's module worker (assets/network-worker-<hash>.js).
import { serveWorker } from './network-worker.js';

serveWorker(self);
