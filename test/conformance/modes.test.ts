/** Every mode runs the one conformance suite; a new mode adds its line here. */
import { distributedTarget } from '../support/distributed.js';
import { describeConformance } from './suite.js';

describeConformance({
  mode: 'sync',
  plainFunctions: true,
  stopsRunawayTasks: false,
  concurrent: false,
});
describeConformance({ mode: 'loop', plainFunctions: true, stopsRunawayTasks: false });
describeConformance({ mode: 'auto', plainFunctions: true, stopsRunawayTasks: false });
describeConformance(distributedTarget());
