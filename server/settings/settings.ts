/**
 * Settings an admin may change while floorboard runs: wallboard thresholds, the SLA policy and the
 * ticket-kind → team mapping. Overrides are stored in the store (shared by every instance, each
 * refreshing its cached copy every few seconds) on top of the config file, and every change is
 * audited as `config.change` with what it was before and after.
 *
 * The deadline indexes hold due times computed when each ticket last changed, so a new SLA policy
 * re-indexes every open ticket: at once on the instance that made the change, and again on each
 * other instance when its refresh picks the change up (its projector wrote with the old policy until
 * then).
 */
import { z } from 'zod';
import { configSchema, type Config } from '../../config/schema.ts';
import type { Principal } from '../contract/auth.ts';
import { reindexDeadlines } from '../commands/deadline-index.ts';
import type { AuditSink } from '../commands/reassign.ts';
import type { LiveStore } from '../store/store.ts';

/** What can be changed at run time. */
export const settingsPatch = z
  .object({
    thresholds: configSchema.shape.thresholds,
    sla: configSchema.shape.sla,
    teams: configSchema.shape.teams,
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof settingsPatch>;
export type LiveSettings = Pick<Config, 'thresholds' | 'sla' | 'teams'>;

const ID = 'overrides';

export interface SettingsDeps {
  store: LiveStore;
  config: Config;
  audit: AuditSink;
  log: { warn(obj: object, msg?: string): void };
  refreshMs?: number;
  /**
   * Called when the settings in force change: `update` (an admin changed them on this instance) or
   * `refresh` (read from the store: changed on another instance). Live clients are told through it.
   */
  onChange?: (settings: LiveSettings, origin: 'update' | 'refresh') => void;
}

/** The settings in force, their refresh, and admin updates. */
export function createSettings(deps: SettingsDeps) {
  const base: LiveSettings = {
    thresholds: deps.config.thresholds,
    sla: deps.config.sla,
    teams: deps.config.teams,
  };
  let overrides: SettingsPatch = {};
  let timer: NodeJS.Timeout | null = null;
  /** Set when a re-index under a new SLA policy failed: the next refresh tries again. */
  let reindexPending = false;

  const current = (): LiveSettings => ({ ...base, ...overrides });

  /** Switches to `next`, re-indexing open tickets' deadlines if the SLA policy changed. */
  async function apply(next: SettingsPatch, reindex: boolean, origin: 'update' | 'refresh'): Promise<void> {
    const was = current();
    const before = JSON.stringify(was.sla);
    overrides = next;
    const now = current();
    if (JSON.stringify(was) !== JSON.stringify(now)) deps.onChange?.(now, origin);
    if (!reindex || (before === JSON.stringify(now.sla) && !reindexPending)) return;
    try {
      await reindexDeadlines({ store: deps.store, sla: current().sla });
      reindexPending = false;
    } catch (err) {
      reindexPending = true;
      deps.log.warn(
        { err: (err as Error).message },
        're-indexing deadlines under the new SLA policy failed; retrying',
      );
    }
  }

  async function load(reindex: boolean): Promise<void> {
    const [stored] = await deps.store.getRecords('setting', [ID]);
    const parsed = settingsPatch.safeParse(stored ?? {});
    if (parsed.success) await apply(parsed.data, reindex, 'refresh');
    else
      deps.log.warn(
        { problems: parsed.error.issues.length },
        'stored settings are invalid; keeping the previous ones',
      );
  }

  /** Picks up changes made on other instances. */
  const refresh = () => load(true);

  /** Applies a validated patch (400 on an invalid one); returns the settings now in force. */
  async function update(p: Principal, body: unknown): Promise<LiveSettings> {
    const parsed = settingsPatch.safeParse(body);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
        .join('; ');
      throw Object.assign(new Error(`invalid settings: ${problems}`), { status: 400 });
    }
    for (let attempt = 0; attempt < 10; attempt++) {
      const tx = await deps.store.begin();
      const [stored] = await tx.getRecords('setting', [ID]);
      const before = settingsPatch.safeParse(stored ?? {}).data ?? {};
      const after: SettingsPatch = { ...before, ...parsed.data };
      const changed = Object.keys(parsed.data) as Array<keyof SettingsPatch>;
      const committed = await tx.commit([
        { op: 'put', kind: 'setting', id: ID, value: after },
        ...deps.audit.record({
          actor: p.name,
          role: p.role,
          action: 'config.change',
          target: changed.join(','),
          details: Object.fromEntries(
            changed.map((k) => [k, { before: before[k] ?? base[k], after: after[k] }]),
          ),
        }),
      ]);
      if (committed) {
        await apply(after, true, 'update');
        return current();
      }
    }
    throw Object.assign(new Error('settings kept changing; try again'), { status: 409 });
  }

  return {
    current,
    /** The sections set at run time (each replaces the config file's section as a whole). */
    overridden: (): Array<keyof SettingsPatch> =>
      (Object.keys(overrides) as Array<keyof SettingsPatch>).filter((k) => overrides[k] !== undefined),
    refresh,
    update,
    /** Loads the stored overrides, then refreshes them periodically (changes made on other instances). */
    async start() {
      // At start the indexes are already right for the stored policy (the sweeper re-indexes too).
      await load(false);
      const tick = () => {
        refresh()
          .catch((err: Error) => deps.log.warn({ err: err.message }, 'settings refresh failed'))
          .finally(() => {
            if (timer) timer = setTimeout(tick, deps.refreshMs ?? 5000);
          });
      };
      timer = setTimeout(tick, deps.refreshMs ?? 5000);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type Settings = ReturnType<typeof createSettings>;
