import { describe, expect, it } from 'vitest';
import { deriveQuality, type QualityInput } from './quality.js';

const perfect: QualityInput = { lost: false, producerScores: [10, 10], consumerScores: [10, 9], videoOff: 0, videoDown: 0 };

describe('deriveQuality', () => {
  it('is good with high scores and the asked layers', () => {
    expect(deriveQuality(perfect)).toBe('good');
    expect(deriveQuality({ ...perfect, producerScores: [], consumerScores: [] })).toBe('good');
  });

  it('is fair when video was stepped down or some loss shows', () => {
    expect(deriveQuality({ ...perfect, videoDown: 1 })).toBe('fair');
    expect(deriveQuality({ ...perfect, consumerScores: [10, 7] })).toBe('fair');
    expect(deriveQuality({ ...perfect, producerScores: [6] })).toBe('fair');
  });

  it('is poor when video had to stop or loss is heavy', () => {
    expect(deriveQuality({ ...perfect, videoOff: 1 })).toBe('poor');
    expect(deriveQuality({ ...perfect, consumerScores: [3] })).toBe('poor');
    expect(deriveQuality({ ...perfect, producerScores: [10, 4], videoDown: 2 })).toBe('poor');
  });

  it('follows the loss on the worse direction, whatever the scores say (a weak link that retransmissions repair)', () => {
    expect(deriveQuality({ ...perfect, loss: 0.01 })).toBe('good');
    expect(deriveQuality({ ...perfect, loss: 0.05 })).toBe('fair');
    expect(deriveQuality({ ...perfect, loss: 0.12 })).toBe('poor');
    expect(deriveQuality({ ...perfect, loss: undefined })).toBe('good');
  });

  it('is lost when nothing arrives, whatever the scores say', () => {
    expect(deriveQuality({ ...perfect, lost: true })).toBe('lost');
  });
});
