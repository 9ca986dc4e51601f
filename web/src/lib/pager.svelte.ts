/** A page index that turns every few seconds while there is more than one page (wallboard panels). */
export class Pager {
  #index = $state(0);

  /**
   * Starts turning (create it while a component initialises: it runs an effect). `pages` and
   * `seconds` are read reactively: a change of either restarts the rotation.
   */
  constructor(pages: () => number, seconds: () => number) {
    $effect(() => {
      const n = pages();
      const ms = seconds() * 1000;
      if (this.#index >= n) this.#index = 0;
      if (n <= 1) return;
      const timer = setInterval(() => (this.#index = (this.#index + 1) % n), ms);
      return () => clearInterval(timer);
    });
  }

  /** The page shown now, from 0. */
  get index(): number {
    return this.#index;
  }
}
