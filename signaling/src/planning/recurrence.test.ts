import { describe, expect, it } from 'vitest';
import type { SeriesPlan } from './recurrence.js';
import { isKnownZone, isSeriesDate, nextOccurrence, occurrenceById, occurrencesBetween, wallClockToUtc } from './recurrence.js';

const utc = (iso: string): number => Date.parse(iso);

/**
 * A weekly Tuesday 9 h 00 site meeting in Paris through 2027: Paris leaves
 * UTC+1 for UTC+2 on Sunday 28 March and comes back on Sunday 31 October.
 * 23 March is skipped, 30 March moved to Wednesday 31 at 14 h 00, 26 October
 * moved to Monday 25 at 9 h 00.
 */
const weekly: SeriesPlan = {
  planId: 'pl1',
  title: 'Réunion de chantier',
  roomId: 'reunion',
  timeZone: 'Europe/Paris',
  date: '2027-03-16',
  time: '09:00',
  durationMin: 90,
  recurrence: { frequency: 'weekly', interval: 1, until: '2027-11-09' },
  overrides: [
    { occurrenceId: '2027-03-23', status: 'skipped' },
    { occurrenceId: '2027-03-30', status: 'moved', date: '2027-03-31', time: '14:00' },
    { occurrenceId: '2027-10-26', status: 'moved', date: '2027-10-25', time: '09:00' },
  ],
  invitees: [],
};

describe('a weekly series across the daylight-saving changes of Europe/Paris', () => {
  it('keeps 9 h 00 on the wall clock: 08:00 UTC in winter, 07:00 UTC in summer, with the skip and the moves', () => {
    const spring = occurrencesBetween(weekly, utc('2027-03-15T00:00:00Z'), utc('2027-04-10T00:00:00Z'));
    expect(spring.map((o) => [o.occurrenceId, new Date(o.start).toISOString(), o.moved])).toEqual([
      ['2027-03-16', '2027-03-16T08:00:00.000Z', false],
      // 23 March skipped; 30 March (after the change) moved to Wednesday 31 at 14 h 00 CEST.
      ['2027-03-30', '2027-03-31T12:00:00.000Z', true],
      ['2027-04-06', '2027-04-06T07:00:00.000Z', false],
    ]);
    const autumn = occurrencesBetween(weekly, utc('2027-10-18T00:00:00Z'), utc('2027-12-31T00:00:00Z'));
    expect(autumn.map((o) => [o.occurrenceId, new Date(o.start).toISOString(), o.moved])).toEqual([
      ['2027-10-19', '2027-10-19T07:00:00.000Z', false],
      // Moved to Monday 25, still summer time; the next Tuesday is in winter time again.
      ['2027-10-26', '2027-10-25T07:00:00.000Z', true],
      ['2027-11-02', '2027-11-02T08:00:00.000Z', false],
      // 9 November is the last (until, included).
      ['2027-11-09', '2027-11-09T08:00:00.000Z', false],
    ]);
    expect(autumn.every((o) => o.end - o.start === 90 * 60_000)).toBe(true);
  });

  it('finds one occurrence by id, moved or not, and none for a skipped or foreign date', () => {
    expect(occurrenceById(weekly, '2027-03-30')?.start).toBe(utc('2027-03-31T12:00:00Z'));
    expect(occurrenceById(weekly, '2027-04-13')?.start).toBe(utc('2027-04-13T07:00:00Z'));
    expect(occurrenceById(weekly, '2027-03-23')).toBeUndefined();
    expect(occurrenceById(weekly, '2027-03-24')).toBeUndefined();
    expect(occurrenceById(weekly, '2027-11-16')).toBeUndefined();
    expect(isSeriesDate(weekly, '2027-03-09')).toBe(false);
  });

  it('gives the next meeting that has not ended', () => {
    // During the 16 March meeting, it is still the next one; after it, the moved 30 March one (23 skipped).
    expect(nextOccurrence(weekly, utc('2027-03-16T08:30:00Z'))?.occurrenceId).toBe('2027-03-16');
    expect(nextOccurrence(weekly, utc('2027-03-16T10:00:00Z'))?.occurrenceId).toBe('2027-03-30');
    expect(nextOccurrence(weekly, utc('2027-11-10T00:00:00Z'))).toBeUndefined();
  });
});

describe('every two weeks, and once', () => {
  it('walks two weeks at a time on the same weekday', () => {
    const fortnightly: SeriesPlan = { ...weekly, recurrence: { frequency: 'weekly', interval: 2 }, overrides: [] };
    const dates = occurrencesBetween(fortnightly, utc('2027-03-01T00:00:00Z'), utc('2027-04-30T00:00:00Z')).map((o) => o.occurrenceId);
    expect(dates).toEqual(['2027-03-16', '2027-03-30', '2027-04-13', '2027-04-27']);
    expect(isSeriesDate(fortnightly, '2027-03-23')).toBe(false);
  });

  it('a single meeting happens once', () => {
    const once: SeriesPlan = { ...weekly, recurrence: { frequency: 'once' }, overrides: [] };
    expect(occurrencesBetween(once, 0, utc('2030-01-01T00:00:00Z')).map((o) => o.occurrenceId)).toEqual(['2027-03-16']);
  });
});

describe('wall clock and zones', () => {
  it('moves a time that the spring change skips forward by the gap', () => {
    expect(new Date(wallClockToUtc('2027-03-28', '02:30', 'Europe/Paris')).toISOString()).toBe('2027-03-28T01:30:00.000Z');
  });

  it('reads the same date in another zone', () => {
    expect(new Date(wallClockToUtc('2027-03-16', '09:00', 'America/Guadeloupe')).toISOString()).toBe('2027-03-16T13:00:00.000Z');
  });

  it('knows IANA zones only', () => {
    expect(isKnownZone('Europe/Paris')).toBe(true);
    expect(isKnownZone('Europe/Lutece')).toBe(false);
  });
});
