/**
 * The wallboard's alarm tone through Web Audio (no audio file). Browsers keep audio suspended until the
 * page had a user gesture (a click or key), which a TV never gets: start its browser with
 * `--autoplay-policy=no-user-gesture-required` (Chromium), or click the "sound blocked" hint once.
 */
export type SoundState = 'off' | 'blocked' | 'ready' | 'unavailable';

export class Alarm {
  #ctx: AudioContext | null = null;
  #state = $state<SoundState>('off');

  /** `blocked` while the browser keeps audio suspended for want of a user gesture. */
  get state(): SoundState {
    return this.#state;
  }

  /** Opens the audio output; returns the function that closes it. */
  enable(): () => void {
    let ctx: AudioContext;
    try {
      ctx = new AudioContext();
    } catch {
      this.#state = 'unavailable';
      return () => undefined;
    }
    this.#ctx = ctx;
    const sync = () => {
      this.#state = ctx.state === 'running' ? 'ready' : ctx.state === 'suspended' ? 'blocked' : 'off';
    };
    ctx.addEventListener('statechange', sync);
    sync();
    // Where autoplay is allowed this starts the output at once; elsewhere it waits for a gesture.
    void ctx.resume().catch(() => undefined);
    return () => {
      ctx.removeEventListener('statechange', sync);
      void ctx.close().catch(() => undefined);
      this.#ctx = null;
      this.#state = 'off';
    };
  }

  /** Resumes the output from within a user gesture (a click on the hint, or anywhere). */
  unlock(): void {
    void this.#ctx?.resume().catch(() => undefined);
  }

  /** Plays a two-tone beep; does nothing while audio is blocked or unavailable. */
  beep(): void {
    const ctx = this.#ctx;
    if (ctx === null || ctx.state !== 'running') return;
    const t0 = ctx.currentTime;
    for (const [i, freq] of [880, 660].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0 + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.4, t0 + i * 0.25 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.25 + 0.22);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + i * 0.25);
      osc.stop(t0 + i * 0.25 + 0.24);
    }
  }
}
