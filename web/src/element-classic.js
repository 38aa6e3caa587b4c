// The classic-script flavour of the element (dist/web/dealer-calculator.element.js):
//   <script src="dealer-calculator.element.js"></script>
//   <script src="portal.js"></script>   // DealerCalculator.define('my-tag')
// Exposes window.DealerCalculator = {define, DealerCalculatorElement}. Registers nothing
// by itself: the portal picks the tag.
// Also the network view's worker script: the element starts a classic worker from this
// script's own URL, and here it serves the job instead of defining anything.
import { inWorker, serveWorker } from './network-worker.js';

export { define, DealerCalculatorElement } from './element.js';

if (inWorker()) serveWorker(self);
