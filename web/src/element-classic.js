// The classic-script flavour of the element (dist/web/dealer-calculator.element.js):
//   <script src="dealer-calculator.element.js"></script>
//   <script src="portal.js"></script>   // DealerCalculator.define('my-tag')
// Exposes window.DealerCalculator = {define, DealerCalculatorElement}. Registers nothing
// by itself: the portal picks the tag.
export { define, DealerCalculatorElement } from './element.js';
