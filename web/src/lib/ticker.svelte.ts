/** A clock that ticks once a second (on the second), for waits and times in state. */
export class Ticker {
  #now = $state(Date.now());
  #periodMs: number;

  constructor(periodMs = 1000) {
    this.#periodMs = periodMs;
  }

  /** Local time (epoch ms) at the last tick. */
  get now(): number {
    return this.#now;
  }

  /** Starts ticking; returns the stop function. */
  listen(): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      const now = Date.now();
      this.#now = now;
      timer = setTimeout(schedule, this.#periodMs - (now % this.#periodMs) + 5);
    };
    schedule();
    return () => clearTimeout(timer);
  }
}
