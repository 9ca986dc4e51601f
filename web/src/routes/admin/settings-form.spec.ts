import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type SlaPolicyView } from '$contract/ui';
import {
  fieldId,
  newQueueProblem,
  numberText,
  parseNumber,
  queueForm,
  serverFieldErrors,
  slaFromForm,
  slaToForm,
  teamsFromForm,
  thresholdsFromForm,
  thresholdsToForm,
} from './settings-form';

const SLA: SlaPolicyView = {
  acceptMinutes: { vip: 15, key: 30, normal: 30 },
  updateMinutes: { vip: 120, key: 240, normal: 240 },
  resolveMinutes: {
    routine: { vip: 120, key: 240, normal: 240 },
    complex: { vip: 720, key: 1440, normal: 1440 },
  },
  atRiskMinutes: 15,
};

describe('numbers in fields', () => {
  it('shows ratios as percentages without float noise', () => {
    expect(numberText(0.07, 100)).toBe('7');
    expect(numberText(0.8, 100)).toBe('80');
    expect(numberText(undefined)).toBe('');
    expect(numberText(3.5)).toBe('3.5');
  });

  it('reads empty as no value, a decimal comma as a point, and refuses text', () => {
    expect(parseNumber(' ')).toEqual({ ok: true, value: undefined });
    expect(parseNumber('2,5')).toEqual({ ok: true, value: 2.5 });
    expect(parseNumber('ten')).toEqual({ ok: false });
    expect(parseNumber('Infinity')).toEqual({ ok: false });
  });
});

describe('thresholds form', () => {
  it('gives back exactly the thresholds it was filled with', () => {
    const t = {
      ...DEFAULT_THRESHOLDS,
      abandonRate: { amber: 0.07, red: 0.13 },
      perQueue: { vip: { waiting: { red: 2 }, serviceLevel: { amber: 0.9, red: 0.85, critical: 0.6 } } },
    };
    const r = thresholdsFromForm(thresholdsToForm(t));
    expect(r).toEqual({ ok: true, value: t });
  });

  it('marks a queue metric as overridden only where the queue has its own limits', () => {
    const form = thresholdsToForm({ ...DEFAULT_THRESHOLDS, perQueue: { vip: { waiting: { red: 2 } } } });
    const vip = form.queues[0];
    expect(vip?.queue).toBe('vip');
    expect(vip?.metrics.waiting).toEqual({ override: true, levels: { amber: '', red: '2', critical: '' } });
    // Not overridden: shows the default that applies, and is not saved.
    expect(vip?.metrics.serviceLevel).toEqual({
      override: false,
      levels: { amber: '80', red: '70', critical: '' },
    });
    const saved = thresholdsFromForm(form);
    expect(saved.ok && saved.value.perQueue).toEqual({ vip: { waiting: { red: 2 } } });
  });

  it('leaves out a queue whose overrides were all switched off', () => {
    const form = thresholdsToForm(DEFAULT_THRESHOLDS);
    form.queues.push(queueForm('sales', form.defaults));
    const saved = thresholdsFromForm(form);
    expect(saved.ok && saved.value.perQueue).toEqual({});
  });

  it('converts percentages back to ratios and drops emptied limits', () => {
    const form = thresholdsToForm(DEFAULT_THRESHOLDS);
    form.defaults.serviceLevel = { amber: '85', red: '', critical: '50' };
    const saved = thresholdsFromForm(form);
    expect(saved.ok && saved.value.serviceLevel).toEqual({ amber: 0.85, critical: 0.5 });
  });

  it('shows the built-in defaults the wallboard applies to a metric the settings leave out', () => {
    const form = thresholdsToForm({ waiting: { red: 4 } });
    expect(form.defaults.waiting).toEqual({ amber: '', red: '4', critical: '' });
    expect(form.defaults.serviceLevel).toEqual({ amber: '80', red: '70', critical: '' });
  });

  it('saves a metric with every limit cleared as no limits, not as missing', () => {
    const form = thresholdsToForm(DEFAULT_THRESHOLDS);
    form.defaults.breakSeconds = { amber: '', red: '', critical: '' };
    const saved = thresholdsFromForm(form);
    expect(saved.ok && saved.value.breakSeconds).toEqual({});
    expect(saved.ok && Object.keys(saved.value).length).toBe(Object.keys(DEFAULT_THRESHOLDS).length);
  });

  it('names the field that holds no number', () => {
    const form = thresholdsToForm(DEFAULT_THRESHOLDS);
    form.defaults.waiting.red = 'lots';
    expect(thresholdsFromForm(form)).toEqual({
      ok: false,
      errors: { 'thresholds.waiting.red': 'enter a number, or leave it empty for no limit' },
    });
  });

  it('refuses limits in an order where a level could never show, in either direction', () => {
    const form = thresholdsToForm(DEFAULT_THRESHOLDS);
    form.defaults.longestWaitSeconds = { amber: '120', red: '60', critical: '' };
    form.defaults.serviceLevel = { amber: '70', red: '80', critical: '' };
    const sales = queueForm('sales', form.defaults);
    sales.metrics.waiting = { override: true, levels: { amber: '3', red: '', critical: '2' } };
    form.queues.push(sales);
    const r = thresholdsFromForm(form);
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual([
      'thresholds.longestWaitSeconds.red',
      'thresholds.perQueue.sales.waiting.critical',
      'thresholds.serviceLevel.red',
    ]);
    expect(!r.ok && r.errors['thresholds.serviceLevel.red']).toBe(
      'red must be at or below amber (higher is better)',
    );
  });

  it('refuses a blank or repeated queue name', () => {
    const form = thresholdsToForm({ perQueue: { vip: {} } });
    expect(newQueueProblem(' ', form)).toMatch(/enter the queue name/);
    expect(newQueueProblem('vip', form)).toBe('vip is already listed');
    expect(newQueueProblem('sales', form)).toBeNull();
  });
});

describe('SLA policy form', () => {
  it('gives back exactly the policy it was filled with', () => {
    expect(slaFromForm(slaToForm(SLA))).toEqual({ ok: true, value: SLA });
  });

  it('requires every number and leaves the allowed range to the server', () => {
    const form = slaToForm(SLA);
    form.rows.acceptMinutes.vip = '';
    form.rows['resolveMinutes.complex'].key = 'a day';
    form.atRiskMinutes = '0';
    const r = slaFromForm(form);
    expect(!r.ok && r.errors).toEqual({
      'sla.acceptMinutes.vip': 'required',
      'sla.resolveMinutes.complex.key': 'enter a number of minutes',
    });
    form.rows.acceptMinutes.vip = '-5';
    form.rows['resolveMinutes.complex'].key = '1440';
    const ok = slaFromForm(form);
    expect(ok.ok && ok.value.acceptMinutes.vip).toBe(-5);
  });
});

describe('team mapping form', () => {
  it('trims team names and needs one for every ticket kind', () => {
    expect(
      teamsFromForm({ consultation: ' sales ', technical: 'tech-support', complaint: 'supervisors' }),
    ).toEqual({
      ok: true,
      value: { consultation: 'sales', technical: 'tech-support', complaint: 'supervisors' },
    });
    expect(teamsFromForm({ consultation: 'sales', technical: ' ', complaint: 'x' })).toEqual({
      ok: false,
      errors: { 'teams.technical': 'enter the team that owns these tickets' },
    });
  });
});

describe("the server's 400", () => {
  it('puts each message on the field it names and keeps the rest', () => {
    const fields = new Set(['sla.acceptMinutes.vip', 'sla.atRiskMinutes']);
    expect(
      serverFieldErrors(
        'invalid settings: sla.acceptMinutes.vip: Too small: expected number to be >0; sla.other: Bad; (body): Unrecognized key',
        fields,
      ),
    ).toEqual({
      errors: { 'sla.acceptMinutes.vip': 'Too small: expected number to be >0' },
      rest: ['sla.other: Bad', '(body): Unrecognized key'],
    });
  });
});

describe('field ids', () => {
  it('makes a valid, distinct id of any queue name', () => {
    expect(fieldId('thresholds.perQueue.sales.waiting.red')).toBe('f-thresholds.perQueue.sales.waiting.red');
    const spaced = fieldId('thresholds.perQueue.premium support.waiting.red');
    expect(spaced).not.toMatch(/\s/);
    expect(spaced).not.toBe(fieldId('thresholds.perQueue.premium_support.waiting.red'));
  });
});
