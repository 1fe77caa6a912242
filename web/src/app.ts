// Shared page context: the signed-in user, the models, and the model being looked at.
import { get } from './api';
import { channelOf } from './columns';
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

/** A short human label for a model: its name first, if it has one. */
export function modelLabel(m: Model): string {
  const when = m.created_at.replace('T', ' ').slice(0, 16);
  const method = m.origin !== 'fit' ? 'Meridian' : m.spec.method === 'bayes' ? 'Bayesian' : 'MAP';
  const r2 = m.metrics ? ` · R² ${m.metrics.r2.toFixed(3)}` : '';
  return `${m.name ? `${m.name} · ` : ''}${when} · ${method}${unitsNote(m)}${r2}`;
}

/** What a model's request said about media units: " · on spend" when it asked for every
 * channel on its spend, " · units: tv, search" when it named the channels fitted on units, and
 * nothing when the data set's own pairs applied. */
function unitsNote(m: Model): string {
  const pairs = m.spec.media_units;
  if (pairs === undefined) return '';
  const media = Object.keys(pairs);
  return media.length === 0 ? ' · on spend' : ` · units: ${media.map(channelOf).join(', ')}`;
}
