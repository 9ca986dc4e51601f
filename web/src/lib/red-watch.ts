/**
 * Which queue tiles just turned red (pure), for the wallboard's alarm. It starts watching only once
 * `arm()` was called (after the configured thresholds loaded: the defaults in force before then could
 * colour a tile red that is not), and a tile already red when first seen does not count as turning.
 */
export class RedWatch {
  readonly #red = new Map<string, boolean>();
  #armed = false;

  /** Starts watching from the next `update`. */
  arm(): void {
    this.#armed = true;
  }

  get armed(): boolean {
    return this.#armed;
  }

  /** Takes whether each tile is red now; returns the tiles that were seen not red and are red now. */
  update(red: ReadonlyMap<string, boolean>): string[] {
    if (!this.#armed) return [];
    const turned: string[] = [];
    for (const [key, now] of red) {
      if (now && this.#red.get(key) === false) turned.push(key);
      this.#red.set(key, now);
    }
    return turned;
  }
}
