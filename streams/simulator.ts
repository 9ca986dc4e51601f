/**
 * The built-in call-centre simulator: a deterministic simulation of a centre's day (agents, calls,
 * tickets, surveys) as contract events, and a runner that publishes them paced by the wall clock.
 */
export {
  createSimulation,
  defaultRunId,
  type CallCentreSimulation,
  type Simulation,
  type SimulationOptions,
} from './simulator/simulation.ts';
export {
  MAX_CHUNK_MS,
  runSimulator,
  type RunnerLog,
  type RunnerOptions,
  type SimulatorRunner,
} from './simulator/runner.ts';
export { queuesFor, ROSTER, type QueueDef } from './simulator/catalog.ts';
export { createRng, mulberry32, type Rng } from './simulator/random.ts';
