// Shared page context: the signed-in user, the models, and the model being looked at.
import { get } from './api';
import type { Model } from './types';

const CURRENT = 'mmm.model';

export const app = {
  models: [] as Model[],

  async refreshModels(): Promise<Model[]> {
    this.models = await get<Model[]>('/models');
    return this.models;
  },

  /** Succeeded models, newest first. */
  fitted(): Model[] {
    return this.models.filter((m) => m.status === 'succeeded');
  },

  /** The model the analytics pages show: the chosen one if still there, else the newest fitted. */
  currentModel(): Model | undefined {
    const chosen = localStorage.getItem(CURRENT);
    const fitted = this.fitted();
    return fitted.find((m) => m.id === chosen) ?? fitted[0];
  },

  choose(id: string): void {
    localStorage.setItem(CURRENT, id);
  },
};

/** A short human label for a model. */
export function modelLabel(m: Model): string {
  const when = m.created_at.replace('T', ' ').slice(0, 16);
  const method = m.origin !== 'fit' ? 'Meridian' : m.spec.method === 'bayes' ? 'Bayesian' : 'MAP';
  const r2 = m.metrics ? ` · R² ${m.metrics.r2.toFixed(3)}` : '';
  // Asked to fit every channel on its spend, though its data set may have media units.
  const onSpend = m.spec.media_units && Object.keys(m.spec.media_units).length === 0 ? ' · on spend' : '';
  return `${when} · ${method}${onSpend}${r2}`;
}
