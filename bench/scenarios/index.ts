import { loginScenario } from './login';
import { meScenario } from './me';
import { pushScenario } from './push';
import { refreshScenario } from './refresh';
import type { Scenario } from './scenario';
import { verifyScenario } from './verify';
import { webhookScenario } from './webhook';

/** Every scenario, in the order a full run measures them. */
export const SCENARIO_LIST: readonly Scenario[] = [
  loginScenario,
  refreshScenario,
  meScenario,
  verifyScenario,
  pushScenario,
  webhookScenario,
];
