import type { BatchConfig } from '../config/config.js';

/**
 * Epochs (and fine-tuning epochs) that fit `config.maxSamples`: large logs get fewer passes, in
 * the configured proportion, at least one of each that is asked for.
 * @param examples training examples per epoch before random negatives
 */
export function epochBudget(config: BatchConfig, examples: number): { epochs: number; finetuneEpochs: number } {
  const perEpoch = examples * (1 + config.randomNegatives / Math.max(1, config.negativesPerPositive));
  const budget = Math.max(1, Math.floor(config.maxSamples / perEpoch));
  const epochs = Math.max(1, Math.min(config.epochs, Math.ceil(budget * (config.epochs / (config.epochs + config.finetuneEpochs)))));
  const finetuneEpochs = Math.min(config.finetuneEpochs, Math.max(budget - epochs, config.finetuneEpochs > 0 ? 1 : 0));
  return { epochs, finetuneEpochs };
}
